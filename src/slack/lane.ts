import { ClaimLostError, describeError, type LedgerError, SlackDeliveryError } from "../errors.ts";
import type { LedgerState } from "../ledger/ledger.ts";
import { LONGEST_RUN_MS } from "../ledger/ledger.ts";
import { occurrenceKey, type Reminder } from "../reminders/reminder.ts";
import type { DeliveryClaims } from "./claims.ts";
import type { DeliveryOptions, Outcome } from "./delivery.ts";
import { MessagePacker } from "./message.ts";
import { type Pacer, type WebhookPacers, waitForTurn } from "./pacer.ts";
import { retryDelay } from "./retry-timing.ts";

/**
 * What a lane works with: the delivery's options (`DeliveryOptions`), resolved once for every
 * webhook — each default filled in, and the run's time left turned into what is usable.
 */
export type LaneContext = Pick<DeliveryOptions, "poster" | "clock"> &
  Required<Pick<DeliveryOptions, "retry" | "attemptTimeoutMs" | "now" | "sleep" | "random">> & {
    pacers: WebhookPacers;
    log: DeliveryOptions["log"];
    claims: DeliveryClaims;
    /** Time left for waiting and posting, once `reserveMs` is kept back. */
    usable: () => number;
  };

interface Entry {
  reminder: Reminder;
  claimed: boolean;
  /** Epoch ms when this run's claim lapses. */
  until?: number | undefined;
  settle(outcome: Outcome): void;
}

/** The reminders of one occurrence: one entry in a message. */
type Group = Entry[];

/** Slack's answers about the message itself rather than the webhook: what a smaller message may fix. */
const isMessageRefusal = (error: SlackDeliveryError) => error.status === 400;

/**
 * One webhook's queue. Reminders that arrive while its post is in flight — or waiting for its turn
 * under the pace or a Retry-After — join the next message. A permanent refusal (revoked webhook,
 * archived channel) ends the webhook for the run: what is queued for it fails with the same error,
 * unposted.
 */
export class Lane {
  readonly webhook: string;
  readonly #context: LaneContext;
  readonly #pacer: Pacer;
  /** Queued entries by occurrence, in arrival order; a later reminder of a queued occurrence joins it. */
  readonly #pending = new Map<string, Group>();
  #running = false;
  #refused: SlackDeliveryError | undefined;

  constructor(webhook: string, context: LaneContext) {
    this.webhook = webhook;
    this.#context = context;
    this.#pacer = context.pacers.of(webhook);
  }

  /** Queues reminders; resolves, one outcome per reminder in order, once each is settled. */
  add(reminders: readonly Reminder[]): Promise<Outcome[]> {
    const outcomes = reminders.map(
      (reminder) =>
        new Promise<Outcome>((settle) => {
          const key = occurrenceKey(reminder);
          const entry = { reminder, claimed: false, settle };
          const group = this.#pending.get(key);
          if (group) group.push(entry);
          else this.#pending.set(key, [entry]);
        }),
    );
    if (!this.#running) {
      this.#running = true;
      void this.#run();
    }
    return Promise.all(outcomes);
  }

  /** Everything queued, taken out of the queue. */
  #takeAll(): Entry[] {
    const all = [...this.#pending.values()].flat();
    this.#pending.clear();
    return all;
  }

  /** Takes, from the front of the queue, the occurrences one message can carry. */
  #takeMessage(): Group[] {
    const packer = new MessagePacker(this.#context.clock());
    const taken: Group[] = [];
    for (const [key, group] of this.#pending) {
      if (!packer.add(group.map((entry) => entry.reminder))) break;
      taken.push(group);
      this.#pending.delete(key);
    }
    return taken;
  }

  /** Waits until the pace and any Retry-After let the next post go; false when that would pass the deadline. */
  #waitForTurn(): Promise<boolean> {
    return waitForTurn(this.#pacer, this.#context, this.#context.usable);
  }

  async #run(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        let taken: Entry[] = [];
        try {
          if (this.#refused) {
            await this.#fail(this.#takeAll(), this.#refused);
            continue;
          }
          // Wait before taking the message: what arrives during the wait joins it.
          if (!(await this.#waitForTurn())) {
            await this.#fail(this.#takeAll(), this.#outOfTime());
            continue;
          }
          const groups = this.#takeMessage();
          taken = groups.flat();
          const held = await this.#claim(groups);
          if (held.length > 0) await this.#send(held, true);
        } catch (error) {
          // A bug, not Slack: settle what this step held rather than leave its callers waiting.
          await this.#fail(taken, error as Error);
        }
      }
    } finally {
      // Cleared in the same tick as the last check of `pending` (a `finally` runs synchronously
      // after the loop ends), so an add() from then on starts a new run rather than waiting on
      // this one.
      this.#running = false;
    }
  }

  /** Claims the groups' reminders; those the ledger holds elsewhere are settled and left out. */
  async #claim(groups: Group[]): Promise<Group[]> {
    const fresh = groups.flat().filter((entry) => !entry.claimed);
    if (fresh.length === 0) return groups;
    const claim = await this.#context.claims.claim(fresh.map((entry) => entry.reminder.id));
    if ("error" in claim) {
      // Posting without a claim could post twice; the next run's catch-up will deliver these.
      for (const entry of fresh) entry.settle({ kind: "failed", error: claim.error });
      return [];
    }
    const others = fresh.filter((entry) => !claim.held.has(entry.reminder.id));
    const states = await this.#statesOf(others);
    // One error for all of them, so the result names them in one entry.
    let maybeSent: SlackDeliveryError | undefined;
    const earlierPost = () => (maybeSent ??= earlierPostUnknown(this.webhook));
    for (const entry of fresh) {
      if (claim.held.has(entry.reminder.id)) {
        entry.claimed = true;
        entry.until = claim.until;
      } else entry.settle(outcomeOf(states.get(entry.reminder.id), earlierPost));
    }
    return groups.map((group) => group.filter((entry) => entry.claimed)).filter((group) => group.length > 0);
  }

  /** Why the ledger did not give these; when it cannot say, they count as another run's. */
  async #statesOf(entries: Entry[]): Promise<Map<string, LedgerState>> {
    const states = await this.#context.claims.statesOf(entries.map((entry) => entry.reminder.id));
    if (states instanceof Map) return states;
    this.#context.log?.warn({ webhook: this.webhook, error: describeError(states.error) }, "could not read why reminders were not claimed");
    return new Map();
  }

  /**
   * Posts the groups as one message, retrying what certainly did not reach Slack; settles every
   * reminder. A message Slack refuses as malformed is split in two until the reminder it cannot
   * take fails alone. `waited`: the pace was already waited for.
   */
  async #send(groups: Group[], waited: boolean): Promise<void> {
    const entries = groups.flat();
    if (!waited && !(await this.#waitForTurn())) return this.#fail(entries, this.#outOfTime());
    const packer = new MessagePacker(this.#context.clock());
    for (const group of groups) packer.add(group.map((entry) => entry.reminder));
    const message = packer.build();
    const until = Math.max(...entries.map((entry) => entry.until ?? Date.now() + LONGEST_RUN_MS));
    const notMarked = await this.#context.claims.sending(
      entries.map((entry) => entry.reminder.id),
      until,
    );
    if (notMarked instanceof ClaimLostError) {
      // Another run took these over from a lapsed claim and is posting them: its to report. The
      // rest of the message is given back, for a later run to deliver.
      const lost = new Set(notMarked.ids);
      for (const entry of entries) if (lost.has(entry.reminder.id)) entry.settle({ kind: "held", until: undefined, sending: true });
      const rest = entries.filter((entry) => !lost.has(entry.reminder.id));
      return this.#fail(
        rest,
        new Error(`webhook "${this.webhook}": not posted with reminders another run took over; given back, the next run catches them up`),
      );
    }
    if (notMarked) return this.#fail(entries, notMarked);
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1 && !(await this.#waitForTurn())) return this.#fail(entries, this.#outOfTime());
      const timeoutMs = Math.min(this.#context.attemptTimeoutMs, this.#context.usable());
      if (timeoutMs <= 0) return this.#fail(entries, this.#outOfTime());
      this.#pacer.posted(this.#context.now());
      try {
        await this.#context.poster.post(this.webhook, message, { timeoutMs });
      } catch (thrown) {
        const next = await this.#afterFailure(groups, attempt, this.#asDeliveryError(thrown));
        if (next === "settled") return;
        continue;
      }
      // Calendar text only (titles, times); the webhook is named, never its URL.
      this.#context.log?.debug({ webhook: this.webhook, reminders: entries.length, attempt, text: message.text }, "message posted");
      await this.#done(entries);
      return;
    }
  }

  /**
   * What follows a failed attempt: settled (unknown outcome, split, refused, out of time) or
   * `"retry"` once the retry's wait is over.
   */
  async #afterFailure(groups: Group[], attempt: number, error: SlackDeliveryError): Promise<"settled" | "retry"> {
    const { log, now, usable, sleep } = this.#context;
    const entries = groups.flat();
    if (error.retryAfterSeconds !== undefined) this.#pacer.pauseUntil(now() + error.retryAfterSeconds * 1000);
    if (error.outcomeUnknown) {
      log?.error(
        { webhook: this.webhook, reminders: entries.length, attempt, error: error.message },
        "Slack's answer never came: the message may have been posted; not sending it again",
      );
      // Reported here, once: later runs that find these in their catch-up span say nothing more.
      const notMarked = await this.#context.claims.unanswered(entries.map((entry) => entry.reminder.id));
      if (notMarked) log?.error({ webhook: this.webhook, error: describeError(notMarked) }, "unanswered reminders not recorded");
      for (const entry of entries) entry.settle({ kind: "unknown", error });
      return "settled";
    }
    if (isMessageRefusal(error) && groups.length > 1) {
      log?.warn({ webhook: this.webhook, reminders: entries.length, error: error.message }, "Slack refused the message; splitting it");
      const half = Math.ceil(groups.length / 2);
      await this.#send(groups.slice(0, half), false);
      await this.#send(groups.slice(half), false);
      return "settled";
    }
    const delay = retryDelay(this.#context.retry, attempt, error, this.#context.random);
    log?.warn(
      { webhook: this.webhook, attempt, error: error.message, retryInMs: delay },
      delay === undefined
        ? error.transient
          ? "Slack post failed; not retrying"
          : "Slack refused the message"
        : "Slack post failed; retrying",
    );
    if (delay === undefined) {
      const failure = attempt > 1 ? afterAttempts(error, attempt) : error;
      if (isMessageRefusal(error)) await this.#reject(entries, failure);
      else {
        if (!error.transient) this.#refused = failure;
        await this.#fail(entries, failure);
      }
      return "settled";
    }
    if (delay >= usable()) {
      await this.#fail(entries, this.#outOfTime(error));
      return "settled";
    }
    await sleep(delay);
    return "retry";
  }

  #asDeliveryError(thrown: unknown): SlackDeliveryError {
    if (thrown instanceof SlackDeliveryError) return thrown;
    // Not the poster's own error: nothing says the request did not leave.
    return new SlackDeliveryError(this.webhook, `webhook "${this.webhook}": ${describeError(thrown)}`, {
      cause: thrown,
      transient: true,
      outcomeUnknown: true,
    });
  }

  async #done(entries: Entry[]): Promise<void> {
    const unrecorded: LedgerError | undefined = await this.#context.claims.done(entries.map((entry) => entry.reminder.id));
    if (unrecorded) {
      // Slack has the message and the ledger says "sending": no run posts it again, but later
      // runs will count it as unknown. Say so in the result rather than hide it.
      this.#context.log?.error(
        { webhook: this.webhook, reminders: entries.length, error: unrecorded.message },
        "delivered, but not recorded",
      );
    }
    for (const entry of entries) entry.settle(unrecorded ? { kind: "sent", unrecorded } : { kind: "sent" });
  }

  /** Slack refused this very reminder's message: marked so no later run sends it again. */
  async #reject(entries: Entry[], error: SlackDeliveryError): Promise<void> {
    const notMarked = await this.#context.claims.rejected(entries.map((entry) => entry.reminder.id));
    if (notMarked) {
      this.#context.log?.error({ webhook: this.webhook, error: describeError(notMarked) }, "refused reminder not recorded");
      return this.#fail(entries, error);
    }
    for (const entry of entries) entry.settle({ kind: "failed", error });
  }

  /** Settles entries as failed, giving their claims back: their message did not reach Slack. */
  async #fail(entries: Entry[], error: Error): Promise<void> {
    const claimed = entries.filter((entry) => entry.claimed).map((entry) => entry.reminder.id);
    const notReleased = await this.#context.claims.release(claimed);
    if (notReleased) this.#context.log?.error({ webhook: this.webhook, error: describeError(notReleased) }, "claims not released");
    for (const entry of entries) entry.settle({ kind: "failed", error });
  }

  #outOfTime(last?: SlackDeliveryError): SlackDeliveryError {
    const why = last ? ` (last attempt: ${last.message})` : "";
    return new SlackDeliveryError(
      this.webhook,
      `webhook "${this.webhook}": not delivered before the run's time ran out${why}; with a ledger the next run catches up`,
      { transient: true, ...(last ? { cause: last } : {}) },
    );
  }
}

/** The outcome of a reminder the ledger did not give this run, from what the ledger holds. */
function outcomeOf(state: LedgerState | undefined, earlierPost: () => SlackDeliveryError): Outcome {
  switch (state?.state) {
    case "sending":
      // Still within the sending run's time: its post may be in flight; that run reports it.
      if (state.until !== undefined && state.until > Date.now()) return { kind: "held", until: state.until, sending: true };
      return { kind: "unknown", error: earlierPost() };
    case "claimed":
      return { kind: "held", until: state.until };
    case "free":
      // Released between our claim and this read: its holder gave up; a later run catches it up.
      return { kind: "held", until: undefined };
    // Posted, refused, or (unanswered) maybe posted and reported by the run that posted it.
    default:
      return { kind: "duplicate" };
  }
}

function earlierPostUnknown(webhook: string): SlackDeliveryError {
  return new SlackDeliveryError(
    webhook,
    `webhook "${webhook}": an earlier run was posting these reminders and stopped before Slack's answer; they may have been posted, so they are not sent again`,
    { outcomeUnknown: true },
  );
}

function afterAttempts(error: SlackDeliveryError, attempts: number): SlackDeliveryError {
  return new SlackDeliveryError(error.webhook, `${error.message} (after ${attempts} attempts)`, {
    cause: error,
    transient: error.transient,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}
