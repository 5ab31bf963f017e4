import { cutForLog } from "../cut.ts";
import { CalendarError } from "../errors.ts";

// Reading and expanding a calendar is work in proportion to what its rules generate, and a feed's
// rules are untrusted: one FREQ=SECONDLY event since 1970, or a COUNT of two billion, is as easy
// to write as a weekly stand-up. The engine counts that work against a budget as it goes, and
// does it in steps, so whoever drives it can give the event loop back between them.

/**
 * Work done in steps: each `yield` is a point where the caller may pause (to let timers and other
 * feeds run) or stop (out of time). `finish` runs it through at once.
 */
export type Steps<T> = Generator<undefined, T, undefined>;

/** Runs work done in steps to its end, without pausing. */
export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Recurrence instances a feed's expansion may generate in one run, unless configured otherwise
 * (`limits.instancesPerFeed`). A 6 MB export of a busy shared calendar generates a few hundred for
 * a week; one FREQ=SECONDLY event generates a thousand for a twenty-minute window.
 */
export const DEFAULT_INSTANCES_PER_FEED = 50_000;

/** Seconds of its own processing a feed's reading and expansion may take in one run (`limits.calendarSecondsPerFeed`). */
export const DEFAULT_CALENDAR_SECONDS_PER_FEED = 5;

/** What one event cost. */
export interface EventCost {
  uid: string;
  summary: string | undefined;
  instances: number;
}

/** An event's cost as it is counted: its title not read yet. */
type Spent = Omit<EventCost, "summary"> & { summary: () => string | undefined };

/**
 * The work budget of one feed: recurrence instances generated (in the window or not, while walking
 * a COUNT from DTSTART too), counted by event so the one that cost the most can be named.
 */
export class WorkBudget {
  readonly limit: number;
  #spent = 0;
  /** What each event cost, its title read only when it is named (`costliest`). */
  readonly #byEvent = new Map<string, Spent>();

  constructor(limit = DEFAULT_INSTANCES_PER_FEED) {
    this.limit = limit;
  }

  get spent(): number {
    return this.#spent;
  }

  /**
   * Counts `instances` generated for the event `uid`.
   *
   * @throws CalendarWorkError once the feed's work passes the limit.
   */
  spend(uid: string, summary: () => string | undefined, instances: number): void {
    if (instances <= 0) return;
    this.#spent += instances;
    const cost = this.#byEvent.get(uid);
    if (cost) cost.instances += instances;
    else this.#byEvent.set(uid, { uid, summary, instances });
    if (this.#spent > this.limit) throw new CalendarWorkError(this.costliest() as EventCost, this.limit);
  }

  /** The budget as the event `uid` spends it. */
  forEvent(uid: string, summary: () => string | undefined): SeriesWork {
    return { spend: (instances) => this.spend(uid, summary, instances) };
  }

  /** The event that cost the most so far. */
  costliest(): EventCost | undefined {
    let most: Spent | undefined;
    for (const cost of this.#byEvent.values()) if (!most || cost.instances > most.instances) most = cost;
    return most && { uid: most.uid, summary: most.summary(), instances: most.instances };
  }
}

/** The work budget as one event spends it. */
export interface SeriesWork {
  /** @throws CalendarWorkError once the feed's work passes its limit. */
  spend(instances: number): void;
}

/** How an event is named in an error: its title (cut short) and UID. */
export function eventName(cost: Pick<EventCost, "uid" | "summary">): string {
  const uid = cutForLog(cost.uid, 80) || "(no UID)";
  const title = cost.summary?.trim();
  if (!title) return `UID ${uid}`;
  return `"${cutForLog(title, 60)}" (UID ${uid})`;
}

/** A feed whose rules generate more instances than its budget: the feed fails alone, named with the costliest event. */
export class CalendarWorkError extends CalendarError {
  static override readonly errorName: string = "CalendarWorkError";
  readonly costliest: EventCost;

  constructor(costliest: EventCost, limit: number) {
    super(
      `generates more than ${limit} recurrence instances while expanding; the most, ${costliest.instances}, come from ${eventName(costliest)}: check that event for a runaway rule (FREQ=SECONDLY or MINUTELY since long ago, a huge COUNT), or raise limits.instancesPerFeed`,
    );
    this.costliest = costliest;
  }
}

/** A feed whose reading and expansion took more of the run's time than its budget: the feed fails alone. */
export class CalendarTimeError extends CalendarError {
  static override readonly errorName: string = "CalendarTimeError";

  constructor(seconds: number, costliest: EventCost | undefined) {
    const most = costliest ? `; the most recurrence instances, ${costliest.instances}, come from ${eventName(costliest)}` : "";
    super(
      `took more than ${seconds} s of processing to read and expand${most}: the feed is too large or its rules too costly; check it for runaway repeating events, or raise limits.calendarSecondsPerFeed`,
    );
  }
}
