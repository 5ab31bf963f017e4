import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { sharedDynamoClient } from "../../src/ledger/client.ts";
import { createLedgerSelector } from "../../src/ledger/select.ts";
import { createSnapshotStoreSelector } from "../../src/ledger/snapshots-select.ts";

describe("sharedDynamoClient", () => {
  it("builds its client on first use only, then hands out the same one", async () => {
    // Prepare
    const source = sharedDynamoClient();

    // Act
    const first = await source();
    const second = await source();

    // Assess
    expect(first).toBeInstanceOf(DynamoDBClient);
    expect(second).toBe(first);
  });

  it("is the one client of the ledger and the snapshot store that are handed it, asked for by their first request", async () => {
    // Prepare: a client of a loopback port nothing listens on, so a request fails at once
    const offline = new DynamoDBClient({
      endpoint: "http://127.0.0.1:9",
      region: "eu-west-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const clients: DynamoDBClient[] = [];
    const source = async () => {
      clients.push(offline);
      return offline;
    };
    const ledger = createLedgerSelector(source)("ledger-table")?.store;
    const snapshots = createSnapshotStoreSelector(source)("ledger-table");
    const memory = createLedgerSelector(source)("memory:")?.store;

    // Act
    const askedBeforeUse = clients.length;
    await ledger?.states([]);
    await ledger?.states([]);
    const failure = await snapshots?.load("feed").catch((error: unknown) => error);
    await memory?.claim(["r1"], 60_000);

    // Assess: none before a request, once per DynamoDB store, never for the in-process one
    expect(askedBeforeUse).toBe(0);
    expect(clients).toHaveLength(2);
    expect(clients[1]).toBe(clients[0]);
    expect(failure).toMatchObject({ name: "LedgerError", message: expect.stringContaining("ledger-table") });
  });
});
