import type { Feed } from "../reminders/feed.ts";

/** How a run keeps clear of Lambda's timeout. */
export interface DeadlineOptions {
  /** Milliseconds left before Lambda stops the function: `context.getRemainingTimeInMillis`. */
  remainingMs: () => number;
  /** No feed starts with less time than this left. */
  marginMs: number;
  /** Told about each feed that is not started. */
  onSkip: (feed: Feed, message: string) => void;
  /**
   * Downloads still running when only this much time is left are aborted, so the posts of the feeds
   * already read still go out before Lambda stops the function. Default: no abort.
   */
  abortAtMs?: number;
}

/**
 * The safety margin for a run: one whole feed download (its timeout) plus one Slack post (its
 * timeout) plus a second for the result, so a feed started just before the margin can still be read
 * and reminded before Lambda would stop the function.
 */
export function safetyMarginMs(feedMs: number, postTimeoutMs: number): number {
  return feedMs + postTimeoutMs + 1000;
}

/**
 * Admits feed work while enough time is left. Both strategies ask before each feed; a feed refused
 * is reported once (`not attempted: …`) and never started.
 */
export class Deadline {
  readonly #options: DeadlineOptions;
  readonly #abort = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: DeadlineOptions) {
    this.#options = options;
    const abortIn = options.abortAtMs === undefined ? Number.NaN : options.remainingMs() - options.abortAtMs;
    if (Number.isFinite(abortIn)) {
      this.#timer = setTimeout(() => this.#abort.abort(new Error("the function's time is nearly up")), Math.max(0, abortIn));
      this.#timer.unref?.();
    }
  }

  /** Aborted when only `abortAtMs` is left: hand it to downloads. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Stops the abort timer once the run is over. */
  dispose(): void {
    clearTimeout(this.#timer);
  }

  /** No deadline: every feed is admitted (tests, benchmarks, runs outside Lambda). */
  static none(): Deadline {
    return new Deadline({ remainingMs: () => Number.POSITIVE_INFINITY, marginMs: 0, onSkip: () => {} });
  }

  /** Milliseconds left before the function would be stopped. */
  remainingMs(): number {
    return this.#options.remainingMs();
  }

  /** True when `feed` may start; otherwise reports it as skipped and returns false. */
  admit(feed: Feed): boolean {
    const left = this.#options.remainingMs();
    if (left > this.#options.marginMs) return true;
    const seconds = (ms: number) => `${Math.max(0, Math.floor(ms / 1000))} s`;
    this.#options.onSkip(
      feed,
      `not attempted: ${seconds(left)} of the function's time left, less than the ${seconds(this.#options.marginMs)} ` +
        "a feed needs; raise the function's Timeout, lower fetch.timeoutSeconds or split the feeds",
    );
    return false;
  }
}
