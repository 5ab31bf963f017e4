import { describe, expect, it } from "vitest";
import { createDynamoLedger } from "../../../src/ledger/dynamodb.ts";
import { reminderKey } from "../support/account.ts";
import type { ChildRun } from "../support/child.ts";
import { calendarOf, eventAt, windowTime } from "../support/ics.ts";
import type { FaultSuite } from "../support/suite.ts";
import { type CaseMode, childRun, FUNCTION_TIMEOUT_MS, runInProcess } from "./common.ts";
import { FIRST, NEXT } from "./team-week.ts";

// Issue 11, "Why" 5: one event sank its message. Fields were cut before escaping (`&` becomes
// `&amp;`) and a join URL of up to 3,000 characters sat inside the section, so the section grew
// past Slack's 3,000 characters; Slack answered 400 invalid_blocks and all 17 reminders of the
// message failed, and with a ledger catch-up sent the same failing message again every run. The
// suite's Slack refuses what Slack would (see support/slack.ts), so each post here is checked.

/** A Teams join link of exactly 3,000 characters: the longest a button may carry. */
export const LONG_JOIN_URL = `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${"x".repeat(3_000 - 55)}`;

/** 17 events starting in the window, the first with the long link and `&` in every field; 17 entries fill 50 blocks. */
export function seventeenCalendar(heavy: { summary: string; uid: string }): string {
  const amps = "&".repeat(400);
  return calendarOf([
    eventAt(heavy.uid, heavy.summary, 0, [`LOCATION:${amps}`, `DESCRIPTION:${"&".repeat(600)} ${LONG_JOIN_URL}`]),
    ...Array.from({ length: 16 }, (_, i) => eventAt(`m${i}@seventeen`, `Meeting ${i + 1}`, (i + 1) * 15)),
  ]);
}

const HEAVY = { summary: "Q&A & R&D <all hands>", uid: "heavy@seventeen" };
const HEAVY_SHOWN = "Q&amp;A &amp; R&amp;D &lt;all hands&gt;";

/** The 16 ordinary reminders of `seventeenCalendar` as Slack shows them. */
const ordinary = (channel: string, feed: string) =>
  Array.from({ length: 16 }, (_, i) => reminderKey(channel, feed, `Meeting ${i + 1}`, windowTime((i + 1) * 15)));

export function messageLimitsRuns(suite: FaultSuite, _mode: CaseMode): ChildRun[] {
  const channel = "message/bench";
  const url = suite.feeds.serve("/message/bench.ics", { body: seventeenCalendar(HEAVY) });
  return [childRun({ webhooks: { team: suite.slack.webhook(channel) }, feeds: [{ id: "seventeen", url, webhook: "team" }] })];
}

export function messageLimits(suite: FaultSuite): void {
  describe("5. messages Slack accepts by construction", () => {
    it("posts 17 reminders in one message that Slack accepts, the one with a 3,000-character join link and `&` everywhere among them", async () => {
      // Prepare
      const channel = "message/seventeen";
      const url = suite.feeds.serve("/message/seventeen.ics", { body: seventeenCalendar(HEAVY) });
      const config = JSON.stringify({
        webhooks: { team: suite.slack.webhook(channel) },
        feeds: [{ id: "seventeen", url, webhook: "team" }],
      });
      suite.account.deliverable("17 reminders in one message", [
        reminderKey(channel, "seventeen", HEAVY_SHOWN, windowTime(0)),
        ...ordinary(channel, "seventeen"),
      ]);

      // Act
      const result = await runInProcess({ config, reference: FIRST });

      // Assess
      expect(result.reminders).toEqual({ due: 17, sent: 17, duplicate: 0, failed: 0, unknown: 0 });
      expect(result.errors).toEqual([]);
      const posts = suite.slack.posts(channel);
      expect(posts.map((p) => [p.posted, p.entries.length, p.payload.blocks?.length])).toEqual([[true, 17, 50]]);
      const [heavy] = (posts[0]?.payload.blocks ?? []) as { text: { text: string }; accessory?: { url: string } }[];
      expect(heavy?.accessory?.url).toBe(LONG_JOIN_URL);
      expect(heavy?.text.text).not.toContain(LONG_JOIN_URL);
      expect(heavy?.text.text.length).toBeLessThanOrEqual(3_000);
      expect(result.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    });

    it("splits a message Slack refuses as invalid_blocks until the one bad reminder fails alone, and no later run sends it again", async () => {
      // Prepare: this Slack refuses any message that shows "Broken block"
      const channel = "message/split";
      const url = suite.feeds.serve("/message/split.ics", {
        body: seventeenCalendar({ summary: "Broken block", uid: "broken@seventeen" }),
      });
      const table = await suite.dynamo.createLedgerTable();
      const store = createDynamoLedger({ table, client: suite.dynamo.client });
      const config = JSON.stringify({
        webhooks: { team: suite.slack.webhook(channel) },
        feeds: [{ id: "split", url, webhook: "team" }],
        ledger: { table, catchUpMinutes: 15 },
      });
      suite.slack.behave(channel, (post) =>
        post.entries.some((key) => key.includes("Broken block")) ? { status: 400, body: "invalid_blocks" } : { status: 200, body: "ok" },
      );
      suite.account.deliverable("invalid_blocks split", ordinary(channel, "split"));

      // Act
      const first = await runInProcess({ config, reference: FIRST, ledger: store });
      const refusedBefore = suite.slack.posts(channel).filter((p) => !p.posted).length;
      const next = await runInProcess({ config, reference: NEXT, ledger: store });

      // Assess: the 16 others delivered, the bad one failed alone and named
      expect(first.reminders).toEqual({ due: 17, sent: 16, duplicate: 0, failed: 1, unknown: 0 });
      expect(first.errors).toEqual([{ webhook: "team", message: expect.stringMatching(/HTTP 400 invalid_blocks/) }]);
      expect(
        suite.slack
          .posts(channel)
          .filter((p) => p.posted)
          .flatMap((p) => p.entries),
      ).toHaveLength(16);

      // Assess: catch-up does not send the refused reminder again
      expect(refusedBefore).toBeGreaterThan(0);
      expect(suite.slack.posts(channel).filter((p) => !p.posted)).toHaveLength(refusedBefore);
      expect(next.reminders).toMatchObject({ sent: 0, failed: 0 });
      for (const run of [first, next]) expect(run.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    });
  });
}
