import { describe, expect, it } from "vitest";
import { MAX_LOG_LINE } from "../../../src/log.ts";
import { fixedZoneBlock } from "../../support/calendar.ts";
import { reminderKey } from "../support/account.ts";
import { type ChildRun, FUNCTION_MEMORY_MB, runInChild } from "../support/child.ts";
import { calendarOf, eventAt, vevent, windowTime } from "../support/ics.ts";
import type { FaultSuite } from "../support/suite.ts";
import { type CaseMode, childRun, FUNCTION_TIMEOUT_MS } from "./common.ts";

// Issue 11, "Why" 8: amplification. 100,000 unterminated BEGIN:VEVENT made 100,000 warning lines
// (17 MB of log) per run; a 10 MB single line made a 20.8 MB log line, both feeds reported ok; a
// 9 MB feed of custom VTIMEZONE blocks reached 1 GB. Warnings are aggregated per feed now (a
// count and the first few), no log line is longer than a few KB, and zone blocks are read only
// for zones that surviving events use. The run goes in a process limited as a 256 MB function.

const CHANNEL = "amplification/team";

/** 100,000 `BEGIN:VEVENT` that never end. */
function unterminated(): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0"];
  for (let i = 0; i < 100_000; i++) lines.push("BEGIN:VEVENT", `UID:open-${i}`);
  return [...lines, "END:VCALENDAR", ""].join("\r\n");
}

/** A DTSTART that is one 10 MB line, beside a good event due in the run. */
function longLine(): string {
  return calendarOf([
    vevent(["UID:long@amplification", "SUMMARY:Long line", `DTSTART:${"9".repeat(10_000_000)}`]),
    eventAt("beside@long", "Beside the long line", 30),
  ]);
}

/** 9 MB of custom VTIMEZONE blocks, one of them used by the one event due in the run (16:00 at +01:00). */
function zones(): string {
  const blocks: string[][] = [];
  for (let i = 0; i < 62_000; i++) {
    blocks.push(fixedZoneBlock(`Custom zone ${i}`));
  }
  blocks.push(
    vevent(["UID:zoned@amplification", "SUMMARY:In a custom zone", "DTSTART;TZID=Custom zone 7:20260312T160100", "DURATION:PT30M"]),
  );
  return calendarOf(blocks);
}

/** The hostile feeds of the case, by id, as served. */
export function amplificationCalendars(): Record<string, string> {
  return { unterminated: unterminated(), "long-line": longLine(), zones: zones() };
}

export function amplificationRuns(suite: FaultSuite, _mode: CaseMode): ChildRun[] {
  const feeds = Object.entries(amplificationCalendars()).map(([id, body]) => ({
    id,
    url: suite.feeds.serve(`/amplification/${id}.ics`, { body }),
    webhook: "team",
  }));
  const healthy = suite.feeds.serve("/amplification/healthy.ics", { body: calendarOf([eventAt("standup@amplification", "Standup", 0)]) });
  return [
    childRun({ webhooks: { team: suite.slack.webhook(CHANNEL) }, feeds: [...feeds, { id: "healthy", url: healthy, webhook: "team" }] }),
  ];
}

export function amplification(suite: FaultSuite): void {
  describe("8. amplification, in a process limited as a 256 MB function", () => {
    it("reads 100,000 unterminated events, a 10 MB line and 9 MB of zone blocks in bounded memory and bounded logs, delivering what they hold", async () => {
      // Prepare
      const calendars = amplificationCalendars();
      const runs = amplificationRuns(suite, "test");
      suite.account.deliverable("amplification", [
        reminderKey(CHANNEL, "healthy", "Standup", windowTime(0)),
        reminderKey(CHANNEL, "long-line", "Beside the long line", windowTime(30)),
        reminderKey(CHANNEL, "zones", "In a custom zone", windowTime(60)),
      ]);

      // Act
      const [report] = await runInChild({ runs });

      // Assess: the feeds are as big as the issue's
      expect(calendars["long-line"]?.length).toBeGreaterThan(10_000_000);
      expect(calendars.zones?.length).toBeGreaterThan(9_000_000);

      // Assess: every feed read, every good reminder delivered
      expect(report?.result.feeds).toEqual({ total: 4, ok: 4, failed: 0, unchanged: 0, skipped: 0 });
      expect(report?.result.reminders).toEqual({ due: 3, sent: 3, duplicate: 0, failed: 0, unknown: 0 });
      expect(report?.result.errors).toEqual([]);

      // Assess: one warning line per feed, its warnings aggregated and cut; no line over 8 KB
      const warned = report?.logs.problems.filter((p) => p.message === "calendar components skipped") ?? [];
      expect(warned.map((p) => p.feed).sort()).toEqual(["long-line", "unterminated"]);
      const byFeed = Object.fromEntries(warned.map((p) => [p.feed, p.warnings ?? []]));
      expect(byFeed.unterminated).toHaveLength(21);
      expect(byFeed.unterminated?.[20]).toBe("…and 99980 more warnings like these");
      expect(byFeed["long-line"]).toEqual([expect.stringMatching(/^skipped event long@amplification: "9{10}/)]);
      expect(byFeed["long-line"]?.[0]?.length).toBeLessThanOrEqual(301);
      expect(report?.logs.lines).toBeLessThan(20);
      expect(report?.logs.longest).toBeLessThanOrEqual(MAX_LOG_LINE);

      // Assess: bounded
      expect(report?.result.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(report?.peakRssMb).toBeLessThan(FUNCTION_MEMORY_MB);
    }, 90_000);
  });
}
