/** Catch-up span, in minutes, when the configuration names no other (`ledger.catchUpMinutes`). */
export const DEFAULT_CATCH_UP_MINUTES = 15;

/** Lambda's longest timeout: a claim outlives the run that holds it by no more than this. */
export const LONGEST_RUN_MS = 15 * 60_000;

/**
 * How long a run holds what it claims, or marks as being sent: its time left, at most LONGEST_RUN_MS
 * (and at least 1 ms); LONGEST_RUN_MS when its time left is not known (not a number).
 */
export function holdMs(remainingMs: number): number {
  return Number.isNaN(remainingMs) ? LONGEST_RUN_MS : Math.max(1, Math.min(remainingMs, LONGEST_RUN_MS));
}

/**
 * Remembers which reminders were delivered, so that none is posted twice — not by overlapping
 * runs, Lambda's own retries, nor a late duplicate of an earlier run — and so that a run can
 * catch up on reminders an earlier one failed to deliver.
 *
 * A reminder goes through claimed → sending → delivered. `sending` is written just before the
 * post leaves, and is never given out again: if the run dies, or Slack's answer never comes, the
 * reminder may have been posted, and posting it again could make a second copy (at most once when
 * the outcome is unknown). A post Slack certainly did not take (it answered an error, or the
 * connection was never made) is released, so a later run may deliver it. A claim that never
 * reached `sending` is held for `holdMs` (the time the run has left): if the run dies before it
 * posts, the claim lapses and a later run's catch-up sends it — nothing had been sent.
 */
export interface Ledger {
  /**
   * Claims reminders (by `Reminder.id`) for this run. Resolves to the ids now held; the others
   * were delivered already, are being sent, or are claimed by a run still in its time
   * (`states` tells which).
   *
   * @throws LedgerError when the ledger cannot be reached: nothing is claimed then.
   */
  claim(ids: readonly string[], holdMs: number): Promise<Set<string>>;
  /**
   * Marks claimed reminders as about to be posted; from then on no run claims them. `until`
   * (epoch ms) is when the sending run's time ends: before it the post may still be in flight.
   * @throws LedgerError
   */
  sending(ids: readonly string[], until: number): Promise<void>;
  /** Marks reminders delivered. @throws LedgerError */
  done(ids: readonly string[]): Promise<void>;
  /** Marks reminders whose message Slack refused for good: no later run sends them again. @throws LedgerError */
  rejected(ids: readonly string[]): Promise<void>;
  /**
   * Marks reminders whose post's answer never came, and which this run has reported as unknown:
   * maybe posted, so no later run sends them, and none reports them again. (A run that dies while
   * posting leaves them "sending", which later runs report.) @throws LedgerError
   */
  unanswered(ids: readonly string[]): Promise<void>;
  /** Gives claims back after a post that certainly did not reach Slack, so a later run may deliver them. @throws LedgerError */
  release(ids: readonly string[]): Promise<void>;
  /** What the ledger knows of each id: why a claim was not given. @throws LedgerError */
  states(ids: readonly string[]): Promise<Map<string, LedgerState>>;
}

/** What the ledger holds for one reminder. */
export type LedgerState =
  /** No record (or a lapsed claim): nobody sent it. */
  | { state: "free" }
  /** Claimed by a run that has not started posting it; the claim lapses at `until` (epoch ms). */
  | { state: "claimed"; until: number | undefined }
  /**
   * A run started posting it. Before `until` that run may still be waiting for Slack's answer;
   * after it, the run stopped or lost the answer: it may have been posted.
   */
  | { state: "sending"; until: number | undefined }
  | { state: "delivered" }
  | { state: "rejected" }
  /** Its post's answer never came, and the run that posted it reported it. */
  | { state: "unanswered" };

/** How long a delivered reminder is remembered: longer than any run could still find it due. */
export const REMEMBER_SECONDS = 7 * 24 * 60 * 60;
