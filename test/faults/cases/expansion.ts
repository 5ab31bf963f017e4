import { describe, expect, it } from "vitest";
import { reminderKey } from "../support/account.ts";
import { type ChildRun, FUNCTION_MEMORY_MB, runInChild } from "../support/child.ts";
import { calendarOf, eventAt, vevent, WINDOW_START } from "../support/ics.ts";
import type { FaultSuite } from "../support/suite.ts";
import { type CaseMode, childRun, FUNCTION_TIMEOUT_MS } from "./common.ts";

// Issue 11, "Why" 2: expansion had no budget. One FREQ=SECONDLY event since 1970 cost 312 ms; a
// 25 KB feed of 200 of them ran 64 s in 595 MB with the event loop blocked, so a healthy feed
// beside it failed with a false "did not deliver within 20 s"; 1,000 such rules, or 200
// FREQ=MINUTELY;COUNT=2147483647, never finished. Now each feed has a budget of instances and of
// time: a feed over it fails alone, named with its costliest event, and a healthy feed beside it,
// answering slowly, is delivered.

const WORK = "expansion/work";
const TIME = "expansion/time";

/** `count` events repeating by `rule` since 1970, titled `Tick <i>`. */
function flood(count: number, rule: string): string {
  return calendarOf(
    Array.from({ length: count }, (_, i) =>
      vevent([`UID:tick-${i}`, "DTSTAMP:20260301T000000Z", `SUMMARY:Tick ${i}`, "DTSTART:19700101T000000Z", `RRULE:${rule}`]),
    ),
  );
}

/** The hostile feeds of the case, by id: the one rule, the 25 KB feed, the thousand rules, the huge COUNTs. */
export function expansionCalendars(): Record<string, string> {
  return {
    "secondly-1970": flood(1, "FREQ=SECONDLY"),
    "secondly-200": flood(200, "FREQ=SECONDLY"),
    "secondly-1000": flood(1_000, "FREQ=SECONDLY"),
    "minutely-count": flood(200, "FREQ=MINUTELY;COUNT=2147483647"),
  };
}

/** A stand-up due in the run, served after 150 ms as a busy calendar server would. */
function slowStandup(suite: FaultSuite, path: string): string {
  const standup = calendarOf([eventAt("standup@expansion", "Standup", 0)]);
  return suite.feeds.serve(path, (_request, response) => {
    setTimeout(() => response.writeHead(200, { "content-type": "text/calendar" }).end(standup), 150);
  });
}

/**
 * The case's runs: the four hostile feeds beside a slow healthy one, on the default instance
 * budget (the test lifts the time budget, so which one trips does not depend on the machine);
 * and, in the test, the 200 rules on a time budget of a second with the instance budget lifted.
 */
export function expansionRuns(suite: FaultSuite, mode: CaseMode): ChildRun[] {
  const { feeds, slack } = suite;
  const hostile = Object.entries(expansionCalendars()).map(([id, body]) => ({
    id,
    url: feeds.serve(`/expansion/${id}.ics`, { body }),
    webhook: "team",
  }));
  // A short fetch timeout in the test: the healthy feed's answer, 150 ms late, is read in time
  // only if the event loop keeps turning while the others are expanded. Unpaced, each hostile
  // feed would hold the loop for 0.4–1.9 s (5.3 s for the four) on this machine, the flood of
  // the time run for its whole second: 800 ms catches either, and leaves a paced run 650 ms of
  // slack on a busy machine.
  const fetch = mode === "test" ? { fetch: { timeoutMs: 800, deadlineMs: 2_000, attempts: 1 } } : {};
  const work = childRun(
    {
      webhooks: { team: slack.webhook(WORK) },
      feeds: [...hostile, { id: "healthy", url: slowStandup(suite, "/expansion/work/healthy.ics"), webhook: "team" }],
      ...(mode === "test" ? { limits: { calendarSecondsPerFeed: 60 } } : {}),
    },
    fetch,
  );
  if (mode === "bench") return [work];
  const time = childRun(
    {
      webhooks: { team: slack.webhook(TIME) },
      feeds: [
        {
          id: "flood",
          url: feeds.serve("/expansion/time/flood.ics", { body: expansionCalendars()["secondly-200"] ?? "" }),
          webhook: "team",
        },
        { id: "standup", url: slowStandup(suite, "/expansion/time/standup.ics"), webhook: "team" },
      ],
      limits: { instancesPerFeed: 10_000_000, calendarSecondsPerFeed: 1 },
    },
    fetch,
  );
  return [work, time];
}

/** What a feed over its instance budget is told. */
const overWork = (feed: string) =>
  new RegExp(
    `^feed "${feed}" generates more than 50000 recurrence instances while expanding; the most, \\d+, come from "Tick \\d+" \\(UID tick-\\d+\\): .*raise limits\\.instancesPerFeed$`,
  );

export function expansion(suite: FaultSuite): void {
  describe("2. expansion, in a process limited as a 256 MB function", () => {
    it("fails each feed over its work or time budget alone, named with its costliest event, and delivers the slow healthy feed beside them", async () => {
      // Prepare
      const runs = expansionRuns(suite, "test");
      suite.account.deliverable("expansion, work budget", [reminderKey(WORK, "healthy", "Standup", WINDOW_START)]);
      suite.account.deliverable("expansion, time budget", [reminderKey(TIME, "standup", "Standup", WINDOW_START)]);

      // Act: each run in a process of its own, as two cold functions
      const [work] = await runInChild({ runs: runs.slice(0, 1) });
      const [time] = await runInChild({ runs: runs.slice(1) });

      // Assess: over the instance budget, each of the three fails alone, named with its costliest event
      expect(Buffer.byteLength(expansionCalendars()["secondly-200"] ?? "")).toBeGreaterThan(24_000);
      expect(work?.result.feeds).toEqual({ total: 5, ok: 2, failed: 3, unchanged: 0, skipped: 0 });
      expect(work?.result.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
      expect(Object.fromEntries(work?.result.errors.map((e) => ["feed" in e ? e.feed : e.webhook, e.message]) ?? [])).toEqual({
        "secondly-200": expect.stringMatching(overWork("secondly-200")),
        "secondly-1000": expect.stringMatching(overWork("secondly-1000")),
        "minutely-count": expect.stringMatching(overWork("minutely-count")),
      });
      // The one rule since 1970 stays within the budget: read, its series cut, the cut named by event
      expect(work?.logs.problems).toContainEqual({
        level: "warn",
        message: "calendar components skipped",
        feed: "secondly-1970",
        warnings: [expect.stringMatching(/^event tick-0: more than 1000 occurrences in the window; only the first 1000 are kept/)],
      });

      // Assess: on its time budget the 200 rules fail alone too, while the slow feed beside them is delivered
      expect(time?.result.errors).toEqual([
        {
          feed: "flood",
          message: expect.stringMatching(
            /^feed "flood" took more than 1 s of processing to read and expand; the most recurrence instances, \d+, come from "Tick \d+" \(UID tick-\d+\): .*raise limits\.calendarSecondsPerFeed$/,
          ),
        },
      ]);
      expect(time?.result.feeds).toEqual({ total: 2, ok: 1, failed: 1, unchanged: 0, skipped: 0 });
      expect(time?.result.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
      expect(suite.slack.posts(TIME)).toHaveLength(1);

      // Assess: bounded
      for (const report of [work, time]) {
        expect(report?.result.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
        expect(report?.peakRssMb).toBeLessThan(FUNCTION_MEMORY_MB);
      }
    }, 90_000);
  });
}
