import { ClaimLostError, LedgerError } from "../errors.ts";
import { holdMs, type Ledger, type LedgerState } from "../ledger/ledger.ts";

/**
 * What delivery asks of the ledger, in delivery's terms, and nothing when there is no ledger (the
 * schedule's tiling windows then keep reminders apart): every reminder is this run's to post.
 * Each step says what became of it instead of throwing, so a lane decides what a failure means.
 */
export class DeliveryClaims {
  readonly #ledger: Ledger | undefined;
  readonly #remainingMs: () => number;
  /**
   * Ids this run has marked as being sent: a message split after Slack refused it is posted again
   * in parts, and the ledger takes "sending" only over a claim (see `createDynamoLedger`).
   */
  readonly #marked = new Set<string>();
  /** Ids another run took over from this run's lapsed claim (`ClaimLostError`): never released here. */
  readonly #lost = new Set<string>();

  constructor(ledger: Ledger | undefined, remainingMs: () => number) {
    this.#ledger = ledger;
    this.#remainingMs = remainingMs;
  }

  /**
   * Claims reminders for the rest of the run (at most Lambda's longest run): the ids now held and
   * when the claim lapses (epoch ms; none without a ledger), or the error that kept the ledger from
   * answering.
   */
  async claim(ids: readonly string[]): Promise<{ held: Set<string>; until: number | undefined } | { error: Error }> {
    if (!this.#ledger) return { held: new Set(ids), until: undefined };
    const hold = holdMs(this.#remainingMs());
    const until = Date.now() + hold;
    try {
      return { held: await this.#ledger.claim(ids, hold), until };
    } catch (error) {
      return { error: error as Error };
    }
  }

  /** Why the ledger did not give these: its states, or the error that kept it from saying. */
  async statesOf(ids: readonly string[]): Promise<Map<string, LedgerState> | { error: unknown }> {
    if (!this.#ledger || ids.length === 0) return new Map();
    try {
      return await this.#ledger.states(ids);
    } catch (error) {
      return { error };
    }
  }

  /** Marks claimed reminders as being posted until `until` (epoch ms); the error when it could not. */
  async sending(ids: readonly string[], until: number): Promise<Error | undefined> {
    const unmarked = ids.filter((id) => !this.#marked.has(id));
    if (unmarked.length === 0) return undefined;
    const error = await this.#step(() => this.#ledger?.sending(unmarked, until));
    if (!error) for (const id of unmarked) this.#marked.add(id);
    if (error instanceof ClaimLostError) for (const id of error.ids) this.#lost.add(id);
    return error;
  }

  /** Marks reminders delivered; a `LedgerError` when it could not. */
  async done(ids: readonly string[]): Promise<LedgerError | undefined> {
    const error = await this.#step(() => this.#ledger?.done(ids));
    if (error === undefined || error instanceof LedgerError) return error;
    return new LedgerError("ledger", `could not mark reminders delivered (${error.message})`, { cause: error });
  }

  /** Marks reminders Slack refused for good; the error when it could not. */
  async rejected(ids: readonly string[]): Promise<Error | undefined> {
    return this.#step(() => this.#ledger?.rejected(ids));
  }

  /** Marks reminders whose post's answer never came, reported by this run; the error when it could not. */
  async unanswered(ids: readonly string[]): Promise<Error | undefined> {
    return this.#step(() => this.#ledger?.unanswered(ids));
  }

  /** Gives claims back; the error when it could not. */
  async release(ids: readonly string[]): Promise<Error | undefined> {
    const ours = ids.filter((id) => !this.#lost.has(id));
    if (ours.length === 0) return undefined;
    for (const id of ours) this.#marked.delete(id);
    return this.#step(() => this.#ledger?.release(ours));
  }

  async #step(write: () => Promise<void> | undefined): Promise<Error | undefined> {
    try {
      await write();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}
