import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { lambdaHeapFlags } from "../../../src/cli/lambda-context.ts";
import { calendarDueNow } from "../../support/run-fakes.ts";
import { reminderKey } from "../support/account.ts";
import { type ChildRun, FUNCTION_MEMORY_MB, runInChild } from "../support/child.ts";
import { calendarOf, eventAt, icsTime, vevent, WINDOW_START, windowTime } from "../support/ics.ts";
import type { FaultSuite } from "../support/suite.ts";
import { type CaseMode, childRun, LIFTED_PACE } from "./common.ts";

// Issue 11, "Why" 1: delivery that packed its whole queue again before every post grew with the
// square of the queue (1,000 reminders for one webhook took 75 s and 1.9 GB), and nothing bounded
// reminders per feed (four FREQ=SECONDLY events posted 720 reminders). The runs go out in a
// process limited as a 256 MB function is, so their memory is Lambda's, not the test runner's.

const THOUSAND = { channel: "scale/thousand", feeds: 20, events: 50 };
const MANY = { channel: "scale/many", feeds: 400 };
const SECONDLY = { channel: "scale/secondly", events: ["Tick A", "Tick B", "Tick C", "Tick D"] };
const DRAIN = { channel: "scale/drain", reminders: 2_000 };

/** The four FREQ=SECONDLY events starting in the window: about 600 bytes, 1,200 reminders due. */
export function secondlyCalendar(): string {
  return calendarOf(
    SECONDLY.events.map((summary, i) => vevent([`UID:tick-${i}`, `DTSTART:${icsTime(0)}`, "RRULE:FREQ=SECONDLY", `SUMMARY:${summary}`])),
  );
}

/** The three runs of the case: 1,000 reminders for one webhook, 400 feeds on one webhook, the SECONDLY feed. */
export function deliveryAtScaleRuns(suite: FaultSuite, mode: CaseMode): ChildRun[] {
  const { feeds, slack } = suite;
  const thousand = Array.from({ length: THOUSAND.feeds }, (_, f) => ({
    id: `s${f}`,
    url: feeds.serve(`/scale/thousand/s${f}.ics`, {
      body: calendarOf(Array.from({ length: THOUSAND.events }, (_, e) => eventAt(`m${e}@s${f}`, `Meeting ${f}.${e}`, e * 6))),
    }),
    webhook: "team",
  }));
  const many = Array.from({ length: MANY.feeds }, (_, f) => ({
    id: `f${f}`,
    url: feeds.serve(`/scale/many/f${f}.ics`, { body: calendarDueNow(`f${f}`) }),
    webhook: "team",
  }));
  const secondly = [{ id: "ticks", url: feeds.serve("/scale/secondly/ticks.ics", { body: secondlyCalendar() }), webhook: "team" }];
  const run = (channel: string, feedList: object[]): ChildRun =>
    childRun({ webhooks: { team: slack.webhook(channel) }, feeds: feedList }, mode === "test" ? { delivery: { pace: LIFTED_PACE } } : {});
  return [run(THOUSAND.channel, thousand), run(MANY.channel, many), run(SECONDLY.channel, secondly)];
}

export function deliveryAtScale(suite: FaultSuite): void {
  describe("1. delivery at scale, in a process limited as a 256 MB function", () => {
    it("delivers 1,000 reminders for one webhook, 400 feeds on one webhook, and caps a SECONDLY feed at remindersPerFeed, naming the excess", async () => {
      // Prepare
      const { account } = suite;
      const runs = deliveryAtScaleRuns(suite, "test");
      account.deliverable(
        "1,000 reminders for one webhook",
        Array.from({ length: THOUSAND.feeds }, (_, f) =>
          Array.from({ length: THOUSAND.events }, (_, e) => reminderKey(THOUSAND.channel, `s${f}`, `Meeting ${f}.${e}`, windowTime(e * 6))),
        ).flat(),
      );
      account.deliverable(
        "400 feeds on one webhook",
        Array.from({ length: MANY.feeds }, (_, f) => reminderKey(MANY.channel, `f${f}`, `Meeting of f${f}`, WINDOW_START)),
      );
      // Which 50 of the 1,200 are kept is the limit's choice (the earliest); 50 of them, each once.
      const ticks = SECONDLY.events.flatMap((summary) =>
        Array.from({ length: 300 }, (_, s) => reminderKey(SECONDLY.channel, "ticks", summary, windowTime(s))),
      );
      account.deliverableSomeOf("four SECONDLY events", ticks, 50);

      // Act
      const [thousand, many, secondly] = await runInChild({ runs });

      // Assess: every good reminder delivered, each run within its time and the function's memory
      expect(thousand?.result.reminders).toEqual({ due: 1_000, sent: 1_000, duplicate: 0, failed: 0, unknown: 0 });
      expect(thousand?.result.errors).toEqual([]);
      expect(many?.result.feeds).toEqual({ total: 400, ok: 400, failed: 0, unchanged: 0, skipped: 0 });
      expect(many?.result.reminders).toEqual({ due: 400, sent: 400, duplicate: 0, failed: 0, unknown: 0 });
      expect(many?.result.errors).toEqual([]);
      for (const report of [thousand, many, secondly]) {
        expect(report?.result.durationMs).toBeLessThan(runs[0]?.timeoutMs ?? 0);
        expect(report?.peakRssMb).toBeLessThan(FUNCTION_MEMORY_MB);
      }

      // Assess: the SECONDLY feed is capped at 50, the excess counted and named once by feed and event
      expect(Buffer.byteLength(secondlyCalendar())).toBeLessThan(700);
      expect(secondly?.result.reminders).toEqual({ due: 1_200, sent: 50, duplicate: 0, failed: 1_150, unknown: 0 });
      expect(secondly?.result.errors).toEqual([
        {
          feed: "ticks",
          message: expect.stringMatching(
            /^feed "ticks": 1200 reminders due, more than the limit of 50 per feed: 1150 not sent \(most of them from "Tick [A-D]", \d+\); .*raise limits\.remindersPerFeed$/,
          ),
        },
      ]);
      expect(suite.slack.posts(SECONDLY.channel).flatMap((p) => p.entries)).toHaveLength(50);
    }, 120_000);

    it("drains 2,000 reminders for one webhook through the delivery lane alone, each posted once, in well under 256 MB", async () => {
      // Prepare
      const { account, slack } = suite;
      const start = new Date("2026-03-12T15:00:00Z");
      account.deliverable(
        "2,000 reminders drained",
        Array.from({ length: DRAIN.reminders }, (_, i) =>
          reminderKey(DRAIN.channel, "Team", `Meeting ${i + 1}`, new Date(start.getTime() + i * 60_000)),
        ),
      );

      // Act
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...lambdaHeapFlags(FUNCTION_MEMORY_MB), "test/support/child-drain.ts", String(DRAIN.reminders), slack.webhook(DRAIN.channel)],
        { timeout: 60_000 },
      );

      // Assess
      const result = JSON.parse(stdout.trim()) as { sent: number; peakRssMb: number };
      const shown = slack.posts(DRAIN.channel).flatMap((p) => p.payload.text.match(/Meeting \d+ —/g) ?? []);
      expect(result.sent).toBe(DRAIN.reminders);
      expect(shown).toHaveLength(DRAIN.reminders);
      expect(new Set(shown).size).toBe(DRAIN.reminders);
      expect(slack.posts(DRAIN.channel).length).toBeLessThanOrEqual(DRAIN.reminders / 16 + 1);
      expect(result.peakRssMb).toBeLessThan(FUNCTION_MEMORY_MB);
    }, 60_000);
  });
}
