/**
 * Remembers which reminders were delivered, so that none is posted twice — not by overlapping
 * runs, Lambda's own retries, nor a late duplicate of an earlier run — and so that a run can
 * catch up on reminders an earlier one failed to deliver.
 *
 * A reminder goes through claim → post → done, or claim → failed post → release. A claim is held
 * for `holdMs` (the time the run has left): if the run dies before it marks or releases, the claim
 * lapses and a later run's catch-up may try again.
 */
export interface Ledger {
  /**
   * Claims reminders (by `Reminder.id`) for this run. Resolves to the ids now held; the others
   * were delivered already, or are claimed by a run still in progress.
   *
   * @throws LedgerError when the ledger cannot be reached: nothing is claimed then.
   */
  claim(ids: readonly string[], holdMs: number): Promise<Set<string>>;
  /** Marks claimed reminders delivered. @throws LedgerError */
  done(ids: readonly string[]): Promise<void>;
  /** Gives claims back after a failed post, so a later run may deliver them. @throws LedgerError */
  release(ids: readonly string[]): Promise<void>;
}

/** How long a delivered reminder is remembered: longer than any run could still find it due. */
export const REMEMBER_SECONDS = 7 * 24 * 60 * 60;
