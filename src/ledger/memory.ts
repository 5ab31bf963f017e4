import type { Ledger } from "./ledger.ts";

/**
 * A ledger in the process's memory: exactly-once within one process (`npm start`, tests), with
 * the same claim rules as the DynamoDB one. `now` is injectable so lapsed claims can be tested.
 */
export function createMemoryLedger(now: () => number = Date.now): Ledger & {
  /** The state of each id, for tests. */
  readonly entries: ReadonlyMap<string, { status: "claimed" | "done"; until: number }>;
} {
  const entries = new Map<string, { status: "claimed" | "done"; until: number }>();
  return {
    entries,
    async claim(ids, holdMs) {
      const held = new Set<string>();
      for (const id of ids) {
        const entry = entries.get(id);
        if (entry && (entry.status === "done" || entry.until > now())) continue;
        entries.set(id, { status: "claimed", until: now() + holdMs });
        held.add(id);
      }
      return held;
    },
    async done(ids) {
      for (const id of ids) entries.set(id, { status: "done", until: Number.POSITIVE_INFINITY });
    },
    async release(ids) {
      for (const id of ids) if (entries.get(id)?.status === "claimed") entries.delete(id);
    },
  };
}
