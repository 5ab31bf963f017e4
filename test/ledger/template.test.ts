import { describe, expect, it } from "vitest";
import { readTemplate } from "../support/template.ts";

const template = readTemplate();
const resources = template.Resources as Record<string, any>;
const fn = Object.values(resources).find((r) => r.Type === "AWS::Serverless::Function");

describe("the ledger in template.yaml", () => {
  it("is an on-demand table with the Powertools Idempotency layout", () => {
    // Act
    const table = resources.LedgerTable;

    // Assess
    expect(table.Type).toBe("AWS::DynamoDB::Table");
    expect(table.Properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(table.Properties.AttributeDefinitions).toEqual([{ AttributeName: "id", AttributeType: "S" }]);
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: "expiration", Enabled: true });
  });

  it("is named to the function by LEDGER_TABLE", () => {
    expect(fn.Properties.Environment.Variables.LEDGER_TABLE).toEqual({ Ref: "LedgerTable" });
  });

  it("is the only table the function may use, for item reads and writes only", () => {
    // Act
    const statements = fn.Properties.Policies.flatMap((p: { Statement?: unknown[] }) => p.Statement ?? []);
    const dynamo = statements.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith("dynamodb:")));

    // Assess
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0].Action.sort()).toEqual(["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(dynamo[0].Resource).toEqual({ "Fn::GetAtt": ["LedgerTable", "Arn"] });
  });
});
