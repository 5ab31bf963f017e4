import {
  type ExpandOptions,
  type Expansion,
  occurrenceSteps,
  type ParsedCalendar,
  type ParseOptions,
  parseSteps,
} from "../calendar/expand.ts";
import type { FeedInput } from "../calendar/octets.ts";
import { DEFAULT_CALENDAR_SECONDS_PER_FEED, DEFAULT_INSTANCES_PER_FEED, type Steps, WorkBudget } from "../calendar/work.ts";
import { CalendarError, FeedParseError } from "../errors.ts";
import { type CalendarBudget, paced } from "./paced.ts";

/** The calendar work one feed may cost in a run. */
export interface CalendarLimits {
  instancesPerFeed: number;
  calendarSecondsPerFeed: number;
}

export const DEFAULT_CALENDAR_LIMITS: CalendarLimits = {
  instancesPerFeed: DEFAULT_INSTANCES_PER_FEED,
  calendarSecondsPerFeed: DEFAULT_CALENDAR_SECONDS_PER_FEED,
};

/**
 * Reads and expands the run's calendars in slices (see `paced`), each feed within its own budget
 * of instances and time for the whole run: its reminders, its digests' agendas and its change
 * notices draw on the same budget. A calendar that is no iCalendar, or over budget, fails as the
 * feed's FeedParseError.
 *
 * One feed's calendar work at a time, in the order asked: the work is CPU-bound on the one thread,
 * so running two side by side finishes neither sooner, but holds both in memory. Four hostile
 * feeds expanded side by side (each up to its 50,000 instances, about 45 MB of heap) took a
 * 256 MB function to its limit; one after another they take one feed's share. Downloads, posts
 * and timers still run between the slices.
 */
export class RunCalendars {
  readonly #limits: CalendarLimits;
  readonly #signal: AbortSignal | undefined;
  readonly #budgets = new Map<string, CalendarBudget>();
  /** Settles when the last work asked for has ended: the next one starts after it. */
  #last: Promise<void> = Promise.resolve();

  constructor(limits: CalendarLimits = DEFAULT_CALENDAR_LIMITS, signal?: AbortSignal) {
    this.#limits = limits;
    this.#signal = signal;
  }

  /** Reads a feed's text (see `parseCalendar`). */
  parse(feedId: string, text: FeedInput, options: ParseOptions): Promise<ParsedCalendar> {
    return this.#run(feedId, () => parseSteps(text, options));
  }

  /** The occurrences of a feed's calendar in a window (see `occurrencesOf`). */
  occurrences(feedId: string, calendar: ParsedCalendar, options: ExpandOptions): Promise<Expansion> {
    return this.#run(feedId, (work) => occurrenceSteps(calendar, options, work));
  }

  async #run<T>(feedId: string, steps: (work: WorkBudget) => Steps<T>): Promise<T> {
    const budget = this.#budgetOf(feedId);
    const before = this.#last;
    let done = () => {};
    this.#last = new Promise<void>((resolve) => (done = resolve));
    try {
      await before;
      this.#signal?.throwIfAborted();
      return await paced(steps(budget.work), budget, this.#signal);
    } catch (error) {
      if (error instanceof CalendarError) throw new FeedParseError(feedId, `feed "${feedId}" ${error.message}`, { cause: error });
      throw error;
    } finally {
      done();
    }
  }

  #budgetOf(feedId: string): CalendarBudget {
    let budget = this.#budgets.get(feedId);
    if (!budget) {
      const { instancesPerFeed, calendarSecondsPerFeed } = this.#limits;
      budget = { work: new WorkBudget(instancesPerFeed), remainingMs: calendarSecondsPerFeed * 1000, seconds: calendarSecondsPerFeed };
      this.#budgets.set(feedId, budget);
    }
    return budget;
  }
}
