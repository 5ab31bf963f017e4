import { describe, expect, it } from "vitest";
import { configOf } from "../../src/config/schema.ts";
import type { FeedFetcher } from "../../src/feeds/fetch.ts";
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { runReminders } from "../../src/run/run.ts";
import { controlledFetcher, driveToEnd, fakeEdges, planFor, recordingPoster } from "../support/run-fakes.ts";
import { virtualTime } from "../support/virtual-time.ts";

/** A feed with `count` events due in the run: one runaway "Tick" series and a few real meetings. */
function busyCalendar(feedId: string, ticks: number, meetings = 2): string {
  const event = (uid: string, summary: string, minute: number) =>
    [
      "BEGIN:VEVENT",
      `UID:${uid}`,
      "DTSTAMP:20260301T000000Z",
      `DTSTART:20260312T1500${String(minute % 5).padStart(2, "0")}Z`,
      "DURATION:PT1M",
      `SUMMARY:${summary}`,
      "END:VEVENT",
    ].join("\r\n");
  const rows = [
    ...Array.from({ length: meetings }, (_, i) => event(`meeting-${i}@${feedId}`, `Meeting ${i}`, i)),
    ...Array.from({ length: ticks }, (_, i) => event(`tick-${i}@${feedId}`, "Tick", i)),
  ];
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//caps//EN", ...rows, "END:VCALENDAR", ""].join("\r\n");
}

describe("reminder limits", () => {
  it("sends at most remindersPerFeed of one feed, and names the feed and the event the excess came from, once", async () => {
    // Prepare
    const plan = planFor(2, { strategy: "pipelined", webhooks: 1 });
    plan.config.limits = { ...plan.config.limits, remindersPerFeed: 50, remindersPerRun: 2_000 };
    const control = controlledFetcher((id) => busyCalendar(id, id === "f0" ? 98 : 0));
    const slack = recordingPoster();

    // Act
    const result = await driveToEnd(runReminders(plan, fakeEdges({ fetcher: control.fetcher, poster: slack.poster })), control);

    // Assess
    expect(result.reminders).toEqual({ due: 102, sent: 52, duplicate: 0, failed: 50, unknown: 0 });
    expect(result.errors).toEqual([
      {
        feed: "f0",
        message: expect.stringMatching(
          /^feed "f0": 100 reminders due, more than the limit of 50 per feed: 50 not sent \(most of them from "Tick", 50\); .*raise limits\.remindersPerFeed$/,
        ),
      },
    ]);
    const texts = slack.posts.map((p) => p.message.text).join(" ");
    expect(texts).toContain("Meeting 0");
  });

  it("stops at remindersPerRun across feeds, reporting each feed that lost reminders", async () => {
    // Prepare
    const plan = planFor(3, { strategy: "serial", webhooks: 1 });
    plan.config.limits = { ...plan.config.limits, remindersPerFeed: 50, remindersPerRun: 5 };
    const control = controlledFetcher((id) => busyCalendar(id, 0, 3));
    const slack = recordingPoster();

    // Act
    const result = await driveToEnd(runReminders(plan, fakeEdges({ fetcher: control.fetcher, poster: slack.poster })), control);

    // Assess
    expect(result.reminders).toMatchObject({ due: 9, sent: 5, failed: 4 });
    expect(result.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/3 reminders due, more than the limit of 5 for the whole run: 1 not sent .*limits\.remindersPerRun/),
      expect.stringMatching(/3 reminders due, more than the limit of 5 for the whole run: 3 not sent/),
    ]);
  });

  it("does not count catch-up candidates that earlier runs delivered against a busy feed's own reminders", async () => {
    // Prepare: one event a minute from 15:00, each reminded 20 and 1 minutes before. Every run's
    // own window holds 10 reminders, the limit; its catch-up span (15 minutes) 16 more candidates,
    // all of them delivered by the runs before it.
    const rows = Array.from({ length: 90 }, (_, minute) => {
      const start = new Date(Date.parse("2026-03-12T15:00:00Z") + minute * 60_000).toISOString().replace(/[-:]|\.\d{3}/g, "");
      return [
        "BEGIN:VEVENT",
        `UID:e${minute}`,
        "DTSTAMP:20260301T000000Z",
        `DTSTART:${start}`,
        "DURATION:PT5M",
        `SUMMARY:Event ${minute}`,
        "END:VEVENT",
      ];
    });
    const text = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//caps//EN", ...rows.flat(), "END:VCALENDAR", ""].join("\r\n");
    const fetcher: FeedFetcher = { fetchFeed: async () => ({ text, bytes: text.length, status: 200 }) };
    const config = configOf({
      leadMinutes: [20, 1],
      limits: { remindersPerFeed: 10 },
      webhooks: { team: "http://127.0.0.1:9/services/T/B/secret" },
      feeds: [{ id: "busy", url: "http://127.0.0.1:9/busy.ics", webhook: "team" }],
      ledger: { table: "ical-slack-reminder-ledger", catchUpMinutes: 15 },
    });
    const ledger = { store: createMemoryLedger(), catchUpMinutes: 15 };
    const slack = recordingPoster();
    const time = virtualTime();

    // Act: runs every five minutes from 15:00 to 16:00
    const results = [];
    for (let run = 0; run < 12; run++) {
      const reference = new Date(Date.parse("2026-03-12T15:00:00Z") + run * 5 * 60_000);
      const edges = fakeEdges({
        fetcher,
        poster: slack.poster,
        ledger,
        clock: () => reference,
        delivery: { now: time.now, sleep: time.sleep },
      });
      results.push(await runReminders({ config, reference, strategy: "pipelined", dryRun: false }, edges));
    }

    // Assess: no run fails a reminder; the first two also send what the first run's catch-up
    // (capped at ten candidates) left for the second; from then on each run sends its own ten
    expect(results.map((result) => result.reminders.failed)).toEqual(Array(12).fill(0));
    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expect(results.map((result) => result.reminders.sent)).toEqual([20, 15, ...Array(10).fill(10)]);
  });
});
