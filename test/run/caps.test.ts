import { describe, expect, it } from "vitest";
import { runReminders } from "../../src/run/run.ts";
import { controlledFetcher, driveToEnd, fakeEdges, planFor, recordingPoster } from "../support/run-fakes.ts";

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
});
