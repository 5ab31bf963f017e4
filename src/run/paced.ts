import { setImmediate as nextTurn } from "node:timers/promises";
import { CalendarTimeError, type Steps, type WorkBudget } from "../calendar/work.ts";

/**
 * The event loop is given back after this much work: deadlines, sockets and other feeds' timers
 * run between the steps of a long calendar, instead of waiting for it to end.
 */
export const SLICE_MS = 10;

/** One feed's calendar work in a run: its budget of instances, and of time spent on it. */
export interface CalendarBudget {
  work: WorkBudget;
  /** Milliseconds of its own processing the feed may still take. */
  remainingMs: number;
  /** The limit, as configured, for the error. */
  seconds: number;
}

/**
 * Runs work done in steps in slices of SLICE_MS, yielding to the event loop between slices, and
 * charges the time to the feed's budget.
 *
 * @throws CalendarTimeError when the feed's time runs out (the work is abandoned where it stands).
 * @throws the reason of `signal` when the run is aborted between two slices.
 */
export async function paced<T>(steps: Steps<T>, budget: CalendarBudget, signal?: AbortSignal, sliceMs = SLICE_MS): Promise<T> {
  for (;;) {
    const started = performance.now();
    let step = steps.next();
    while (!step.done && performance.now() - started < sliceMs) step = steps.next();
    budget.remainingMs -= performance.now() - started;
    if (step.done) return step.value;
    if (budget.remainingMs <= 0) {
      steps.return(undefined as T);
      throw new CalendarTimeError(budget.seconds, budget.work.costliest());
    }
    await nextTurn();
    signal?.throwIfAborted();
  }
}
