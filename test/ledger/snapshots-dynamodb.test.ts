import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LedgerError } from "../../src/errors.ts";
import { createDynamoSnapshotStore } from "../../src/ledger/snapshots-dynamodb.ts";
import type { Snapshot } from "../../src/notices/snapshot.ts";
import { type LocalDynamo, startDynamo } from "../support/dynalite.ts";
import { prng } from "../support/prng.ts";

/** A snapshot of `count` occurrences with titles that do not compress away. */
function bigSnapshot(count: number, seed = 1): Snapshot {
  const random = prng(seed);
  const word = () => Math.floor(random() * 2 ** 48).toString(36);
  const entries: Snapshot["entries"] = {};
  for (let i = 0; i < count; i += 1) {
    entries[`k${word()}${i}`] = {
      s: 1_773_000_000_000 + i * 60_000,
      e: 1_773_000_000_000 + i * 60_000 + 1_800_000,
      t: `${word()} ${word()} ${word()} ${word()}`,
      th: word().slice(0, 8),
    };
  }
  return { version: 1, horizonEnd: 1_773_600_000_000, eventCount: count, textHash: "abc", entries, pending: { k1: 1_773_000_000_000 } };
}

describe("snapshot store in the ledger's table (dynalite on 127.0.0.1)", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startDynamo();
  });

  afterAll(async () => {
    await dynamo.close();
  });

  const items = async (table: string) => (await dynamo.client.send(new ScanCommand({ TableName: table }))).Items ?? [];

  it("round-trips a snapshot larger than 400 KB in chunks under the item limit", async () => {
    // Prepare
    const table = await dynamo.createLedgerTable();
    const store = createDynamoSnapshotStore({ table, client: dynamo.client });
    const snapshot = bigSnapshot(12_000);

    // Act
    await store.save("team", snapshot);
    const loaded = await store.load("team");

    // Assess
    expect(JSON.stringify(snapshot).length).toBeGreaterThan(400 * 1024);
    expect(loaded).toEqual(snapshot);
    const stored = await items(table);
    expect(stored.length).toBeGreaterThan(2);
    for (const item of stored) {
      expect(item.id?.S).toMatch(/^ical-slack-reminder#snapshot#team/);
      expect(Number(item.expiration?.N)).toBeGreaterThan(Date.now() / 1000);
      expect(item.data?.B?.length ?? 0).toBeLessThan(400 * 1024);
    }
  });

  it("keeps one generation: a new snapshot replaces the old one's chunks", async () => {
    // Prepare
    const table = await dynamo.createLedgerTable();
    const store = createDynamoSnapshotStore({ table, client: dynamo.client, chunkBytes: 10_000 });
    await store.save("team", bigSnapshot(2_000, 1));

    // Act
    const replacement = bigSnapshot(500, 2);
    await store.save("team", replacement);

    // Assess
    expect(await store.load("team")).toEqual(replacement);
    const chunks = (await items(table)).filter((item) => item.data);
    expect(chunks.length).toBe(Number((await items(table)).find((item) => item.chunks)?.chunks?.N));
  });

  it("reads the new snapshot when another run replaces the one it was reading", async () => {
    // Prepare: a reader whose first chunk read waits until another run has saved a new generation
    const table = await dynamo.createLedgerTable();
    const writer = createDynamoSnapshotStore({ table, client: dynamo.client, chunkBytes: 10_000 });
    await writer.save("team", bigSnapshot(2_000, 1));
    const replacement = bigSnapshot(500, 2);
    let replaced = false;
    const slowClient = {
      async send(command: { input: { Key?: { id?: { S?: string } } } }) {
        const id = command.input.Key?.id?.S ?? "";
        if (!replaced && /#\d+$/.test(id)) {
          replaced = true;
          await writer.save("team", replacement);
        }
        return dynamo.client.send(command as never);
      },
    } as unknown as typeof dynamo.client;
    const reader = createDynamoSnapshotStore({ table, client: slowClient, chunkBytes: 10_000 });

    // Act
    const loaded = await reader.load("team");

    // Assess
    expect(replaced).toBe(true);
    expect(loaded).toEqual(replacement);
  });

  it("has no snapshot for a feed never read, and keeps feeds apart", async () => {
    // Prepare
    const table = await dynamo.createLedgerTable();
    const store = createDynamoSnapshotStore({ table, client: dynamo.client });
    await store.save("team", bigSnapshot(3));

    // Act & Assess
    expect(await store.load("other")).toBeUndefined();
    expect(await store.load("team")).toEqual(bigSnapshot(3));
  });

  it("fails with a LedgerError naming the table and the feed when the table is missing", async () => {
    // Prepare
    const store = createDynamoSnapshotStore({ table: "no-such-table", client: dynamo.client });

    // Act
    const failure = await store.load("team").catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(LedgerError);
    expect((failure as Error).message).toMatch(/snapshot of feed "team" in the ledger table "no-such-table"/);
  });
});
