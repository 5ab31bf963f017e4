import { afterEach, describe, expect, it, vi } from "vitest";
import { Deadline, safetyMarginMs } from "../../src/run/deadline.ts";
import { runReminders } from "../../src/run/run.ts";
import { POST_TIMEOUT_MS } from "../../src/slack/delivery.ts";
import { controlledFetcher, driveToEnd, fakeEdges, planFor, recordingPoster, settle } from "../support/run-fakes.ts";

/** Default limits: a feed may take 2 × 10 s, a post 15 s, plus 1 s. */
const MARGIN = safetyMarginMs(20_000, POST_TIMEOUT_MS);

describe("deadline", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(["serial", "pipelined"] as const)(
    "%s: starts no feed once less than the safety margin is left, and reports each one skipped",
    async (strategy) => {
      // Prepare: plenty of time until the first body arrives, then only 15 s
      let remaining = 60_000;
      const control = controlledFetcher();
      const slack = recordingPoster();
      const run = runReminders(
        planFor(5, { strategy, concurrency: 2 }),
        fakeEdges({ fetcher: control.fetcher, poster: slack.poster, remainingMs: () => remaining }),
      );
      await settle();
      const started = control.pending.length;

      // Act
      remaining = 15_000;
      const result = await driveToEnd(run, control);

      // Assess: what had started is finished and posted; the rest never started
      const attempted = strategy === "serial" ? 1 : 2;
      expect(started).toBe(attempted);
      expect(control.log.filter((line) => line.startsWith("fetch"))).toHaveLength(attempted);
      expect(slack.posts).toHaveLength(attempted);
      expect(result.feeds).toEqual({ total: 5, ok: attempted, failed: 0, unchanged: 0, skipped: 5 - attempted });
      expect(result.errors).toHaveLength(5 - attempted);
      expect(result.errors[0]).toEqual({
        feed: `f${attempted}`,
        message: expect.stringMatching(
          /^not attempted: 15 s of the function's time left, less than the 36 s a feed needs; raise the function's Timeout/,
        ),
      });
    },
  );

  it("aborts downloads still running when only the time for posting is left", async () => {
    // Prepare: 40 s left at the start, downloads are aborted with 16 s left
    vi.useFakeTimers();
    const left = 40_000;
    const startedAt = Date.now();
    const control = controlledFetcher();
    const slack = recordingPoster();
    void runReminders(
      planFor(1, { strategy: "pipelined" }),
      fakeEdges({ fetcher: control.fetcher, poster: slack.poster, remainingMs: () => left - (Date.now() - startedAt) }),
    );
    await vi.advanceTimersByTimeAsync(0);
    const signal = control.pending[0]?.signal;

    // Act / Assess
    await vi.advanceTimersByTimeAsync(23_999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal?.aborted).toBe(true);
    control.answer();
  });

  it("admits everything when the run has no deadline", () => {
    // Prepare
    const deadline = Deadline.none();

    // Act / Assess
    const [feed] = planFor(1, { strategy: "serial" }).config.feeds;
    expect(feed && deadline.admit(feed)).toBe(true);
    expect(deadline.signal.aborted).toBe(false);
  });

  it("sizes the margin for one download and one post, plus a second", () => {
    expect(MARGIN).toBe(36_000);
    expect(safetyMarginMs(30_000, 10_000)).toBe(41_000);
  });
});
