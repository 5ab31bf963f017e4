import { ClaimLostError } from "../errors.ts";
import type { Ledger, LedgerState } from "./ledger.ts";

type Status = "claimed" | "sending" | "done" | "rejected" | "unanswered";

/**
 * A ledger in the process's memory: exactly-once within one process (`npm start`, tests), with
 * the same claim rules as the DynamoDB one. `now` is injectable so lapsed claims can be tested.
 */
export function createMemoryLedger(now: () => number = Date.now): Ledger & {
  /** The state of each id, for tests. */
  readonly entries: ReadonlyMap<string, { status: Status; until: number }>;
} {
  const entries = new Map<string, { status: Status; until: number }>();
  // As the DynamoDB ledger's conditional writes: a state beyond the claim only over a record that is there.
  const mark = (ids: readonly string[], status: Status) => {
    const missing = ids.filter((id) => !entries.has(id));
    if (missing.length > 0) throw new Error(`${missing.length} of them are not in the ledger (released, or never claimed)`);
    for (const id of ids) entries.set(id, { status, until: Number.POSITIVE_INFINITY });
  };
  return {
    entries,
    async claim(ids, holdMs) {
      const held = new Set<string>();
      for (const id of ids) {
        const entry = entries.get(id);
        // Only a lapsed claim is given out again: "sending" may have reached Slack.
        if (entry && (entry.status !== "claimed" || entry.until > now())) continue;
        entries.set(id, { status: "claimed", until: now() + holdMs });
        held.add(id);
      }
      return held;
    },
    async sending(ids, until) {
      // Only over a claim: one taken over by another run, or released, is no longer this run's to post.
      const taken = ids.filter((id) => entries.get(id)?.status !== "claimed");
      if (taken.length > 0) throw new ClaimLostError("memory", taken);
      for (const id of ids) entries.set(id, { status: "sending", until });
    },
    async done(ids) {
      mark(ids, "done");
    },
    async rejected(ids) {
      mark(ids, "rejected");
    },
    async unanswered(ids) {
      mark(ids, "unanswered");
    },
    async release(ids) {
      for (const id of ids) {
        const status = entries.get(id)?.status;
        if (status === "claimed" || status === "sending") entries.delete(id);
      }
    },
    async states(ids) {
      const states = new Map<string, LedgerState>();
      for (const id of ids) {
        const entry = entries.get(id);
        if (!entry || (entry.status === "claimed" && entry.until <= now())) states.set(id, { state: "free" });
        else if (entry.status === "claimed") states.set(id, { state: "claimed", until: entry.until });
        else if (entry.status === "done") states.set(id, { state: "delivered" });
        else if (entry.status === "sending") states.set(id, { state: "sending", until: entry.until });
        else states.set(id, { state: entry.status });
      }
      return states;
    },
  };
}
