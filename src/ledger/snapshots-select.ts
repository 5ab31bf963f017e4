import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IN_PROCESS_LEDGER } from "./select.ts";
import { createMemorySnapshotStore, type SnapshotStore } from "./snapshots.ts";
import { createDynamoSnapshotStore } from "./snapshots-dynamodb.ts";

// One per container, like the ledger: warm invocations reuse the connections and the memory store.
let client: DynamoDBClient | undefined;
const stores = new Map<string, SnapshotStore<unknown>>();

/**
 * The snapshot store of the ledger's table: in the process for `memory:` (`npm start`), else in
 * DynamoDB, reached the way the AWS SDK is configured. None without a table.
 */
export function selectSnapshotStore<Snapshot>(table: string | undefined): SnapshotStore<Snapshot> | undefined {
  if (!table) return undefined;
  // One store per table whatever it keeps: the run reads back only what it wrote.
  let store = stores.get(table) as SnapshotStore<Snapshot> | undefined;
  if (!store) {
    if (table === IN_PROCESS_LEDGER) store = createMemorySnapshotStore();
    else {
      client ??= new DynamoDBClient({});
      store = createDynamoSnapshotStore({ table, client });
    }
    stores.set(table, store as SnapshotStore<unknown>);
  }
  return store;
}
