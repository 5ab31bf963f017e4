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

  it("is the one client of the ledger and the snapshot store that are handed it, asked for when they are first used", async () => {
    // Prepare: a client that reaches nothing, so the snapshot read fails at once
    const shared = sharedDynamoClient();
    const clients: DynamoDBClient[] = [];
    const source = async () => {
      const client = await shared();
      clients.push(client);
      return client;
    };
    const offline = new DynamoDBClient({
      endpoint: "http://127.0.0.1:9",
      region: "eu-west-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const offlineSource = async () => {
      clients.push(offline);
      return offline;
    };

    // Act
    const ledger = createLedgerSelector(source)("ledger-table");
    const snapshots = createSnapshotStoreSelector(offlineSource)("ledger-table");
    const memory = createLedgerSelector(source)("memory:");
    const askedBeforeUse = clients.length;
    await ledger?.store.states([]);
    await ledger?.store.states([]);
    await snapshots?.load("team").catch(() => undefined);
    await memory?.store.states(["x"]);

    // Assess: asked once per DynamoDB store on its first use, never for the in-process one
    expect(askedBeforeUse).toBe(0);
    expect(clients).toEqual([await shared(), offline]);
  });
});
