import { gunzipSync, gzipSync } from "node:zlib";
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { describeError, LedgerError } from "../errors.ts";
import type { SnapshotStore } from "./snapshots.ts";

export interface DynamoSnapshotOptions {
  /** The ledger's table: partition key `id` (String), TTL attribute `expiration`. */
  table: string;
  client: DynamoDBClient;
  /** Wall clock in ms, for the TTL. */
  now?: () => number;
  /** Bytes per chunk; below DynamoDB's 400 KB item limit with room for the key. */
  chunkBytes?: number;
}

/** Keys of the ledger's own records start `ical-slack-reminder#` + a hash: these cannot collide. */
const PREFIX = "ical-slack-reminder#snapshot#";
/** DynamoDB refuses items over 400 KB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html). */
const CHUNK_BYTES = 350_000;
/** A snapshot not rewritten for this long belongs to a feed that is gone: DynamoDB deletes it. */
const KEEP_SECONDS = 30 * 24 * 60 * 60;

const headId = (feedId: string) => `${PREFIX}${feedId}`;
const chunkId = (feedId: string, generation: string, index: number) => `${PREFIX}${feedId}#${generation}#${index}`;

/**
 * Snapshots in the ledger's table, so the template needs no table of its own. A snapshot is JSON,
 * gzipped and cut into chunks under the 400 KB item limit. The chunks of a new generation are
 * written first and the head that names it last, so a reader sees the old snapshot or the new one
 * whole, never a mix; the old generation's chunks are then deleted (and have a TTL in any case).
 */
export function createDynamoSnapshotStore<Snapshot>(options: DynamoSnapshotOptions): SnapshotStore<Snapshot> {
  const { client, table } = options;
  const now = options.now ?? Date.now;
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const failure = (action: string, feedId: string, error: unknown) =>
    new LedgerError(
      table,
      `could not ${action} the change-notice snapshot of feed "${feedId}" in the ledger table "${table}" (${describeError(error)}); check that it exists and that the function may use it`,
      { cause: error },
    );

  // One GetItem/PutItem/DeleteItem per chunk, rather than the batch calls: a snapshot is one or
  // two chunks, and the function's policy then needs no more than the ledger's own actions.
  async function readChunks(ids: string[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    await Promise.all(
      ids.map(async (id) => {
        const item = (await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }))).Item;
        if (item?.data?.B) found.set(id, item.data.B);
      }),
    );
    return found;
  }

  return {
    async load(feedId) {
      let head: Record<string, AttributeValue> | undefined;
      try {
        head = (await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: headId(feedId) } }, ConsistentRead: true }))).Item;
      } catch (error) {
        throw failure("read", feedId, error);
      }
      const generation = head?.generation?.S;
      const chunks = Number(head?.chunks?.N ?? 0);
      if (!head || !generation || chunks < 1) return undefined;
      const ids = Array.from({ length: chunks }, (_, index) => chunkId(feedId, generation, index));
      let found: Map<string, Uint8Array>;
      try {
        found = await readChunks(ids);
      } catch (error) {
        throw failure("read", feedId, error);
      }
      const parts = ids.map((id) => found.get(id));
      if (parts.some((part) => part === undefined)) {
        throw failure("read", feedId, new Error(`${parts.filter((p) => !p).length} of its ${chunks} chunks are missing`));
      }
      try {
        return JSON.parse(gunzipSync(Buffer.concat(parts as Uint8Array[])).toString("utf8")) as Snapshot;
      } catch (error) {
        throw failure("read", feedId, error);
      }
    },

    async save(feedId, snapshot) {
      const body = gzipSync(JSON.stringify(snapshot));
      const generation = `${now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      const expiration = { N: String(Math.floor(now() / 1000) + KEEP_SECONDS) };
      const chunks: Uint8Array[] = [];
      for (let offset = 0; offset < body.length || chunks.length === 0; offset += chunkBytes) {
        chunks.push(body.subarray(offset, offset + chunkBytes));
      }
      try {
        const old = (await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: headId(feedId) } }, ConsistentRead: true }))).Item;
        await Promise.all(
          chunks.map((data, index) =>
            client.send(
              new PutItemCommand({ TableName: table, Item: { id: { S: chunkId(feedId, generation, index) }, data: { B: data }, expiration } }),
            ),
          ),
        );
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              id: { S: headId(feedId) },
              generation: { S: generation },
              chunks: { N: String(chunks.length) },
              bytes: { N: String(body.length) },
              expiration,
            },
          }),
        );
        const oldGeneration = old?.generation?.S;
        const oldChunks = Number(old?.chunks?.N ?? 0);
        if (oldGeneration) {
          // Best effort: a run still reading the old generation has its chunks until the TTL.
          await Promise.all(
            Array.from({ length: oldChunks }, (_, index) =>
              client.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: chunkId(feedId, oldGeneration, index) } } })),
            ),
          ).catch(() => {});
        }
      } catch (error) {
        throw failure("write", feedId, error);
      }
    },
  };
}
