import { describe, expect, it } from "vitest";
import { reminderKey } from "../support/account.ts";
import { type ChildRun, FUNCTION_MEMORY_MB, runInChild } from "../support/child.ts";
import { calendarOf, eventAt, windowTime } from "../support/ics.ts";
import type { FaultSuite } from "../support/suite.ts";
import { type CaseMode, childRun, FUNCTION_TIMEOUT_MS } from "./common.ts";

// Issue 11, "Why" 6: `include`/`exclude` were checked for syntax only and run by the
// backtracking engine on the whole title: `(a+)+$` against a 41-character title blocked the run
// past 120 s. They run on a linear-time engine now, on a title cut to a sane length. The run goes
// in a child process, so a regression ends as an overrun the guard kills, not a hung suite.

const CHANNEL = "redos/team";

/**
 * Titles on which a backtracking engine explodes: for `(a+)+$` two that it does not match; for the
 * exclude pattern `^(a|aa)+b$` one that passes the include; then a 100,000-character title and a
 * plain one. Only the first 1,000 characters of a title are matched.
 */
const EVENTS = [
  { title: `${"a".repeat(41)}!`, reminded: undefined },
  { title: `${"a".repeat(900)}!`, reminded: undefined },
  { title: "a".repeat(41), reminded: "a".repeat(41) },
  // Shown cut to 200 characters, as every title is.
  { title: `Standup ${"a".repeat(100_000)}`, reminded: `Standup ${"a".repeat(191)}…` },
  { title: "Retro a", reminded: "Retro a" },
];

export function redosRuns(suite: FaultSuite, _mode: CaseMode): ChildRun[] {
  const body = calendarOf(EVENTS.map(({ title }, i) => eventAt(`t${i}@redos`, title, i * 30)));
  const url = suite.feeds.serve("/redos/team.ics", { body });
  return [
    childRun({
      webhooks: { team: suite.slack.webhook(CHANNEL) },
      feeds: [{ id: "team", url, webhook: "team", include: "(a+)+$", exclude: "^(a|aa)+b$" }],
    }),
  ];
}

export function redos(suite: FaultSuite): void {
  describe("6. filters on hostile titles", () => {
    it("runs catastrophic-backtracking include and exclude patterns against long titles within the run's time, reminding exactly the titles they let through", async () => {
      // Prepare
      const runs = redosRuns(suite, "test");
      suite.account.deliverable(
        "ReDoS",
        EVENTS.flatMap(({ reminded }, i) => (reminded ? [reminderKey(CHANNEL, "team", reminded, windowTime(i * 30))] : [])),
      );

      // Act
      const [report] = await runInChild({ runs });

      // Assess
      expect(report?.result.reminders).toEqual({ due: 3, sent: 3, duplicate: 0, failed: 0, unknown: 0 });
      expect(report?.result.errors).toEqual([]);
      expect(report?.result.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
      expect(report?.peakRssMb).toBeLessThan(FUNCTION_MEMORY_MB);
    });
  });
}
