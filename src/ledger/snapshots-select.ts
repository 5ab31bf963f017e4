import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IN_PROCESS_LEDGER } from "./select.ts";
import { createMemorySnapshotStore, type SnapshotStore } from "./snapshots.ts";
import { createDynamoSnapshotStore } from "./snapshots-dynamodb.ts";

// One per container, like the ledger: warm invocations reuse the connections and the memory store.
let client: DynamoDBClient | undefined;
const stores = new Map<string, SnapshotStore>();

/**
 * The snapshot store of the ledger's table: in the process for `memory:` (`npm start`), else in
 * DynamoDB, reached the way the AWS SDK is configured. None without a table.
 */
export function selectSnapshotStore(table: string | undefined): SnapshotStore | undefined {
  if (!table) return undefined;
  let store = stores.get(table);
  if (!store) {
    if (table === IN_PROCESS_LEDGER) store = createMemorySnapshotStore();
    else {
      client ??= new DynamoDBClient({});
      store = createDynamoSnapshotStore({ table, client });
    }
    stores.set(table, store);
  }
  return store;
}
