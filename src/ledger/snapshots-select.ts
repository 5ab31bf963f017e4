import type { DynamoSource } from "./client.ts";
import { onFirstCall } from "./on-first-call.ts";
import { IN_PROCESS_LEDGER } from "./select.ts";
import { createMemorySnapshotStore, type SnapshotStore } from "./snapshots.ts";

/**
 * The snapshot store of the ledger's table: in the process for `memory:` (`npm start`), else in
 * DynamoDB, through `dynamo`'s module and client (the ledger's, when the handler hands both the same). None
 * without a table. One selector per handler, like the ledger's: warm invocations reuse the
 * connections and the memory store. The DynamoDB store asks `dynamo` for them when a run
 * first uses it.
 */
export function createSnapshotStoreSelector<Snapshot>(
  dynamo: DynamoSource,
): (table: string | undefined) => SnapshotStore<Snapshot> | undefined {
  const stores = new Map<string, SnapshotStore<Snapshot>>();
  return (table) => {
    if (!table) return undefined;
    let store = stores.get(table);
    if (!store) {
      if (table === IN_PROCESS_LEDGER) store = createMemorySnapshotStore<Snapshot>();
      else
        store = onFirstCall<SnapshotStore<Snapshot>>(
          async () => {
            const { module, client } = await dynamo();
            return module.createDynamoSnapshotStore<Snapshot>({ table, client });
          },
          { load: true, save: true },
        );
      stores.set(table, store);
    }
    return store;
  };
}
