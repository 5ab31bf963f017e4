import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { AWS_ON_FIRST_USE } from "../../src/aws-on-first-use.ts";
import { sharedDynamo } from "../../src/ledger/client.ts";
import { holdMs, LONGEST_RUN_MS } from "../../src/ledger/ledger.ts";
import { createLedgerSelector } from "../../src/ledger/select.ts";
import { createSnapshotStoreSelector } from "../../src/ledger/snapshots-select.ts";
import { startDynamo } from "../support/dynalite.ts";

describe("sharedDynamo", () => {
  it("loads its module and builds its client on first use only, then hands out the same ones", async () => {
    // Prepare
    let loads = 0;
    const source = sharedDynamo(async () => {
      loads += 1;
      return AWS_ON_FIRST_USE.dynamo();
    });

    // Act
    const before = loads;
    const first = await source();
    const second = await source();

    // Assess
    expect(before).toBe(0);
    expect(loads).toBe(1);
    expect(first.client).toBeInstanceOf(DynamoDBClient);
    expect(second.client).toBe(first.client);
    expect(second.module).toBe(first.module);
  });

  it("tries a load that failed again on the next use", async () => {
    // Prepare
    let loads = 0;
    const source = sharedDynamo(async () => {
      loads += 1;
      if (loads === 1) throw new Error("cannot load");
      return AWS_ON_FIRST_USE.dynamo();
    });

    // Act
    const failed = await source().catch((error: unknown) => error);
    const loaded = await source();

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(loaded.client).toBeInstanceOf(DynamoDBClient);
  });

  it("is the one client of the ledger and the snapshot store that are handed it, asked for when each is first used", async () => {
    // Prepare
    const dynamo = await startDynamo();
    try {
      const table = await dynamo.createLedgerTable();
      const module = await AWS_ON_FIRST_USE.dynamo();
      const clients: DynamoDBClient[] = [];
      const source = async () => {
        clients.push(dynamo.client);
        return { module, client: dynamo.client };
      };
      const ledger = createLedgerSelector(source)(table)?.store;
      const snapshots = createSnapshotStoreSelector<{ n: number }>(source)(table);
      createLedgerSelector(source)("memory:");
      const askedBeforeUse = clients.length;

      // Act
      const states = await ledger?.states(["r1"]);
      await snapshots?.save("feed", { n: 1 });
      const saved = await snapshots?.load("feed");

      // Assess: nothing asked until a store is used, then once per DynamoDB store, never for the in-process one
      expect(askedBeforeUse).toBe(0);
      expect(states?.get("r1")).toEqual({ state: "free" });
      expect(saved).toEqual({ n: 1 });
      expect(clients).toHaveLength(2);
      expect(clients[1]).toBe(clients[0]);
    } finally {
      await dynamo.close();
    }
  });
});

describe("createLedgerSelector", () => {
  it("gives each run a DynamoDB ledger of its own, and every run of the process the one in-process ledger", () => {
    // Prepare
    const select = createLedgerSelector(sharedDynamo(AWS_ON_FIRST_USE.dynamo));

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
