import { type DynamoClientSource, sharedDynamoClient } from "./client.ts";
import { IN_PROCESS_LEDGER } from "./select.ts";
import { createMemorySnapshotStore, type SnapshotStore } from "./snapshots.ts";
import { createDynamoSnapshotStore } from "./snapshots-dynamodb.ts";

/**
 * The snapshot store of the ledger's table: in the process for `memory:` (`npm start`), else in
 * DynamoDB, through `dynamo`'s client (the ledger's, when the handler hands both the same). None
 * without a table. One selector per handler, like the ledger's: warm invocations reuse the
 * connections and the memory store.
 */
export function createSnapshotStoreSelector<Snapshot>(
  dynamo: DynamoClientSource = sharedDynamoClient(),
): (table: string | undefined) => SnapshotStore<Snapshot> | undefined {
  const stores = new Map<string, SnapshotStore<Snapshot>>();
  return (table) => {
    if (!table) return undefined;
    let store = stores.get(table);
    if (!store) {
      if (table === IN_PROCESS_LEDGER) store = createMemorySnapshotStore<Snapshot>();
      else store = createDynamoSnapshotStore<Snapshot>({ table, client: dynamo() });
      stores.set(table, store);
    }
    return store;
  };
}
