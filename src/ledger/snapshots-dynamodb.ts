import { gunzipSync, gzipSync } from "node:zlib";
import { type AttributeValue, DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
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
  const store: SnapshotTable = {
    client: options.client,
    table: options.table,
    now: options.now ?? Date.now,
    chunkBytes: options.chunkBytes ?? CHUNK_BYTES,
  };
  return {
    load: (feedId) => inTable(store.table, "read", feedId, () => readSnapshot<Snapshot>(store, feedId)),
    save: (feedId, snapshot) => saveSnapshot(store, feedId, snapshot),
  };
}

/** The table and the settings of one store. */
interface SnapshotTable {
  client: DynamoDBClient;
  table: string;
  now: () => number;
  chunkBytes: number;
}

/** One version of a feed's snapshot as written: its name, its gzipped chunks, and their TTL. */
interface Generation {
  name: string;
  chunks: Uint8Array[];
  /** The gzipped snapshot's size. */
  bytes: number;
  expiration: AttributeValue;
}

/** The LedgerError for a snapshot that could not be read or written. */
function snapshotFailure(table: string, action: string, feedId: string, error: unknown): LedgerError {
  return new LedgerError(
    table,
    `could not ${action} the change-notice snapshot of feed "${feedId}" in the ledger table "${table}" (${describeError(error)}); check that it exists and that the function may use it`,
    { cause: error },
  );
}

/** Runs requests for a feed's snapshot; their failure is a LedgerError saying what could not be done. */
async function inTable<T>(table: string, action: string, feedId: string, requests: () => Promise<T>): Promise<T> {
  try {
    return await requests();
  } catch (error) {
    throw snapshotFailure(table, action, feedId, error);
  }
}

// One GetItem/PutItem/DeleteItem per chunk, rather than the batch calls: a snapshot is one or
// two chunks, and the function's policy then needs no more than the ledger's own actions.

function getItem(table: string, id: string): GetItemCommand {
  return new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true });
}

function putChunk(table: string, id: string, data: Uint8Array, expiration: AttributeValue): PutItemCommand {
  return new PutItemCommand({ TableName: table, Item: { id: { S: id }, data: { B: data }, expiration } });
}

/** The head of a feed's snapshot: which generation is current, and how many chunks it has. */
function putHead(table: string, feedId: string, generation: Generation): PutItemCommand {
  return new PutItemCommand({
    TableName: table,
    Item: {
      id: { S: headId(feedId) },
      generation: { S: generation.name },
      chunks: { N: String(generation.chunks.length) },
      bytes: { N: String(generation.bytes) },
      expiration: generation.expiration,
    },
  });
}

function deleteItem(table: string, id: string): DeleteItemCommand {
  return new DeleteItemCommand({ TableName: table, Key: { id: { S: id } } });
}

/** The generation a head names, with its number of chunks; undefined when there is no head or it names none. */
function generationOf(head: Record<string, AttributeValue> | undefined): { name: string; chunks: number } | undefined {
  const name = head?.generation?.S;
  if (!name) return undefined;
  return { name, chunks: Number(head?.chunks?.N ?? 0) };
}

function chunkIds(feedId: string, generation: { name: string; chunks: number }): string[] {
  return Array.from({ length: generation.chunks }, (_, index) => chunkId(feedId, generation.name, index));
}

/**
 * The snapshot the head names, or undefined when there is none. A chunk missing is a failure,
 * unless the head has moved on meanwhile: a run that saved a new generation deletes the old one's
 * chunks, so a reader that read the old head reads the new one instead (a few times at most).
 */
async function readSnapshot<Snapshot>({ client, table }: SnapshotTable, feedId: string): Promise<Snapshot | undefined> {
  let missing = 0;
  let chunks = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const head = (await client.send(getItem(table, headId(feedId)))).Item;
    const generation = generationOf(head);
    if (!generation || generation.chunks < 1) return undefined;
    const ids = chunkIds(feedId, generation);
    const found = await readChunks(client, table, ids);
    const parts = ids.map((id) => found.get(id));
    if (parts.every((part) => part !== undefined)) {
      return JSON.parse(gunzipSync(Buffer.concat(parts as Uint8Array[])).toString("utf8")) as Snapshot;
    }
    missing = parts.filter((part) => !part).length;
    chunks = generation.chunks;
    const now = generationOf((await client.send(getItem(table, headId(feedId)))).Item);
    if (now?.name === generation.name) break;
  }
  throw new Error(`${missing} of its ${chunks} chunks are missing`);
}

/** The chunks found among `ids`, by id. */
async function readChunks(client: DynamoDBClient, table: string, ids: string[]): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  await Promise.all(
    ids.map(async (id) => {
      const item = (await client.send(getItem(table, id))).Item;
      if (item?.data?.B) found.set(id, item.data.B);
    }),
  );
  return found;
}

async function saveSnapshot(store: SnapshotTable, feedId: string, snapshot: unknown): Promise<void> {
  const { now } = store;
  const body = gzipSync(JSON.stringify(snapshot));
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < body.length || chunks.length === 0; offset += store.chunkBytes) {
    chunks.push(body.subarray(offset, offset + store.chunkBytes));
  }
  const generation: Generation = {
    name: `${now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    chunks,
    bytes: body.length,
    expiration: { N: String(Math.floor(now() / 1000) + KEEP_SECONDS) },
  };
  await inTable(store.table, "write", feedId, () => writeGeneration(store, feedId, generation));
}

/** Writes the generation's chunks, then the head that names it, then deletes the old generation's chunks. */
async function writeGeneration({ client, table }: SnapshotTable, feedId: string, generation: Generation): Promise<void> {
  const old = generationOf((await client.send(getItem(table, headId(feedId)))).Item);
  await Promise.all(
    generation.chunks.map((data, index) =>
      client.send(putChunk(table, chunkId(feedId, generation.name, index), data, generation.expiration)),
    ),
  );
  await client.send(putHead(table, feedId, generation));
  if (old) {
    // Best effort: a run still reading the old generation has its chunks until the TTL.
    await Promise.all(chunkIds(feedId, old).map((id) => client.send(deleteItem(table, id)))).catch(() => {});
  }
}
