/**
 * Keeps each feed's change-notice snapshot between runs (see `src/notices/`), beside the ledger:
 * notices need both, the ledger so none is posted twice, the snapshot to know what changed. The
 * store keeps a snapshot as JSON and knows nothing of what is in it: `Snapshot` is the notices'.
 */
export interface SnapshotStore<Snapshot> {
  /**
   * The snapshot the feed's last good read left, or undefined when there is none (a first read).
   * @throws LedgerError when the store cannot be reached.
   */
  load(feedId: string): Promise<Snapshot | undefined>;
  /** Replaces the feed's snapshot. @throws LedgerError */
  save(feedId: string, snapshot: Snapshot): Promise<void>;
}

/** Snapshots in the process's memory (`npm start`, tests), stored as text as DynamoDB would. */
export function createMemorySnapshotStore<Snapshot>(): SnapshotStore<Snapshot> & { readonly saves: number } {
  const snapshots = new Map<string, string>();
  let saves = 0;
  return {
    get saves() {
      return saves;
    },
    async load(feedId) {
      const text = snapshots.get(feedId);
      return text === undefined ? undefined : (JSON.parse(text) as Snapshot);
    },
    async save(feedId, snapshot) {
      saves += 1;
      snapshots.set(feedId, JSON.stringify(snapshot));
    },
  };
}
