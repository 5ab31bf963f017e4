import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { sharedDynamoClient } from "../../src/ledger/client.ts";
import { holdMs, LONGEST_RUN_MS } from "../../src/ledger/ledger.ts";
import { createLedgerSelector } from "../../src/ledger/select.ts";
import { createSnapshotStoreSelector } from "../../src/ledger/snapshots-select.ts";

describe("sharedDynamoClient", () => {
  it("builds its client on first use only, then hands out the same one", () => {
    // Prepare
    const source = sharedDynamoClient();

    // Act
    const first = source();
    const second = source();

    // Assess
    expect(first).toBeInstanceOf(DynamoDBClient);
    expect(second).toBe(first);
  });

  it("is the one client of the ledger and the snapshot store that are handed it", () => {
    // Prepare
    const shared = sharedDynamoClient();
    const clients: DynamoDBClient[] = [];
    const source = () => {
      const client = shared();
      clients.push(client);
      return client;
    };

    // Act
    createLedgerSelector(source)("ledger-table");
    createSnapshotStoreSelector(source)("ledger-table");
    createLedgerSelector(source)("memory:");

    // Assess: asked once per DynamoDB store, never for the in-process one, and the same client
    expect(clients).toHaveLength(2);
    expect(clients[1]).toBe(clients[0]);
  });
});

describe("createLedgerSelector", () => {
  it("gives each run a DynamoDB ledger of its own, and every run of the process the one in-process ledger", () => {
    // Prepare
    const select = createLedgerSelector(sharedDynamoClient());

    // Act
    const [first, second] = [select("ledger-table"), select("ledger-table")];
    const [memory, again] = [select("memory:"), select("memory:")];

    // Assess
    expect(first?.store).not.toBe(second?.store);
    expect(memory?.store).toBe(again?.store);
    expect(select(undefined)).toBeUndefined();
  });
});

describe("holdMs", () => {
  it("holds for the run's time left, within 1 ms and Lambda's longest run, and for the longest when the time left is unknown", () => {
    // Act, Assess
    expect(holdMs(30_000)).toBe(30_000);
    expect(holdMs(0)).toBe(1);
    expect(holdMs(60 * 60_000)).toBe(LONGEST_RUN_MS);
    expect(holdMs(Number.NaN)).toBe(LONGEST_RUN_MS);
  });
});
