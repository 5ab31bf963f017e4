import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";

/** dynalite — DynamoDB's API, in memory — on a loopback port of its own. */
export interface LocalDynamo {
  endpoint: string;
  /** A client for it, with the throwaway credentials and region dynalite accepts. */
  client: DynamoDBClient;
  /** Creates a ledger table with the Powertools Idempotency layout and returns its name. */
  createLedgerTable(name?: string): Promise<string>;
  close(): Promise<void>;
}

/** Environment that points the AWS SDK at `endpoint` (for code that builds its own client). */
export function dynamoEnvironment(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  };
}

let tables = 0;

export async function startDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return {
    endpoint,
    client,
    async createLedgerTable(name = `ledger-${++tables}`) {
      // The same definition as the LedgerTable of template.yaml.
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        }),
      );
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
          }),
        )
        .catch(() => {
          // dynalite does not implement TTL; DynamoDB does, and the records carry `expiration` either way.
        });
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
