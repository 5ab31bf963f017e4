import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { sharedDynamoClient } from "../../src/ledger/client.ts";
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
