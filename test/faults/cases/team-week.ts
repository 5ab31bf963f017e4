import { readFileSync } from "node:fs";
import { reminderKey } from "../support/account.ts";
import type { FaultSuite } from "../support/suite.ts";

/** The runs of the at-most-once cases: reminders due in [14:50, 14:55), then in the next window. */
export const FIRST = new Date("2026-03-12T14:50:00Z");
export const NEXT = new Date("2026-03-12T14:55:00Z");

/**
 * test/fixtures/team-week.ics: "Platform sync" at 15:00Z and "Standup <!channel>" at 15:02Z are
 * due in the first run, "Due in the next run" (15:05Z) in the next; a cancelled meeting in neither.
 */
export const TEAM_WEEK = readFileSync("test/fixtures/team-week.ics", "utf8");

/** The three reminders of team-week.ics as Slack shows them on `channel` (feed "team"). */
export function teamWeekKeys(channel: string): string[] {
  return [
    reminderKey(channel, "team", "Platform sync", "2026-03-12T15:00:00Z"),
    reminderKey(channel, "team", "Standup &lt;!channel&gt;", "2026-03-12T15:02:00Z"),
    reminderKey(channel, "team", "Due in the next run", "2026-03-12T15:05:00Z"),
  ];
}

/** Titles Slack received on `channel`, each once per copy posted. */
export function teamWeekCopies(suite: FaultSuite, channel: string): string[] {
  return suite.slack.posts(channel).flatMap((p) => p.payload.text.match(/Platform sync|Standup|Due in the next run/g) ?? []);
}

/** The configuration of one team-week feed posting to `channel`, with the ledger `table`. */
export function teamWeekConfig(suite: FaultSuite, channel: string, table: string): string {
  return JSON.stringify({
    webhooks: { team: suite.slack.webhook(channel) },
    feeds: [{ id: "team", url: suite.feeds.serve(`/${channel}/team.ics`, { body: TEAM_WEEK }), webhook: "team" }],
    ledger: { table, catchUpMinutes: 15 },
  });
}
