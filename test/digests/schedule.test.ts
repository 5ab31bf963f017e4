import { describe, expect, it } from "vitest";
import { configOf } from "../../src/config/schema.ts";
import { digestsOf } from "../../src/digests/digest.ts";
import { dueDigests } from "../../src/digests/schedule.ts";
import { dueWindow } from "../../src/reminders/window.ts";

function digests(entries: Record<string, unknown>[], timezone = "UTC") {
  const config = configOf({
    timezone,
    webhooks: { team: "http://127.0.0.1:9/services/T/B/secret" },
    feeds: [{ id: "team", url: "http://127.0.0.1:9/team.ics", webhook: "team" }],
    digests: entries,
  });
  return digestsOf(config, config.feeds);
}

/** Every post that a week (or `days`) of consecutive scheduled runs, `minutes` apart, makes. */
function tile(list: ReturnType<typeof digests>, fromIso: string, days = 7, minutes = 5) {
  const posts = [];
  const start = new Date(fromIso).getTime();
  for (let t = start; t < start + days * 86_400_000; t += minutes * 60_000) {
    posts.push(...dueDigests(list, dueWindow(new Date(t), minutes)));
  }
  return posts;
}

function localTime(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    instant,
  );
}

describe("when a digest is due", () => {
  const weeks = [
    { zone: "Europe/Berlin", change: "spring forward", from: "2026-03-25T00:00:00Z", offsets: ["+01:00", "+02:00"] },
    { zone: "Europe/Berlin", change: "fall back", from: "2026-10-21T00:00:00Z", offsets: ["+02:00", "+01:00"] },
    { zone: "America/New_York", change: "spring forward", from: "2026-03-04T00:00:00Z", offsets: ["-05:00", "-04:00"] },
    { zone: "America/New_York", change: "fall back", from: "2026-10-28T00:00:00Z", offsets: ["-04:00", "-05:00"] },
  ];

  for (const week of weeks) {
    it(`posts a daily 08:30 digest at 08:30 local each day, once, over the ${week.change} week in ${week.zone}`, () => {
      // Prepare
      const list = digests([{ webhook: "team", daily: "08:30", timezone: week.zone }]);

      // Act: a week of runs every five minutes
      const posts = tile(list, week.from);

      // Assess
      expect(posts).toHaveLength(7);
      expect(new Set(posts.map((p) => p.day)).size).toBe(7);
      expect(new Set(posts.map((p) => p.id)).size).toBe(7);
      for (const post of posts) expect(localTime(post.dueAt, week.zone)).toMatch(/ 08:30$/);
      // The same local time is a different UTC time on either side of the change.
      expect(new Set(posts.map((p) => p.dueAt.toISOString().slice(11, 16))).size).toBe(2);
    });
  }

  it("posts once a day whatever the schedule, even one that does not divide the day", () => {
    // Prepare
    const list = digests([{ webhook: "team", daily: "08:30", timezone: "America/New_York" }]);

    // Act
    const posts = tile(list, "2026-10-28T00:03:00Z", 7, 7);

    // Assess
    expect(posts.map((p) => p.day)).toEqual([
      "2026-10-28",
      "2026-10-29",
      "2026-10-30",
      "2026-10-31",
      "2026-11-01",
      "2026-11-02",
      "2026-11-03",
    ]);
  });

  it("posts only on the chosen days", () => {
    // Prepare
    const list = digests([{ webhook: "team", daily: "08:30", timezone: "Europe/Berlin", days: ["MO", "TU", "WE", "TH", "FR"] }]);

    // Act: Wednesday 25 March to Tuesday 31 March 2026
    const posts = tile(list, "2026-03-25T00:00:00Z");

    // Assess
    expect(posts.map((p) => p.day)).toEqual(["2026-03-25", "2026-03-26", "2026-03-27", "2026-03-30", "2026-03-31"]);
  });

  it("posts a time the spring-forward gap skips just after the gap, and a repeated time at its first occurrence", () => {
    // Prepare
    const list = digests([{ webhook: "team", daily: "02:30", timezone: "Europe/Berlin" }]);

    // Act
    const spring = tile(list, "2026-03-29T00:00:00Z", 1);
    const autumn = tile(list, "2026-10-25T00:00:00Z", 1);

    // Assess: 02:30 does not exist on 29 March (clocks go 02:00 → 03:00); on 25 October it is there twice
    expect(spring.map((p) => p.dueAt.toISOString())).toEqual(["2026-03-29T01:30:00.000Z"]);
    expect(autumn.map((p) => p.dueAt.toISOString())).toEqual(["2026-10-25T00:30:00.000Z"]);
  });

  it("posts a weekly digest on its weekday, covering seven local days from its time", () => {
    // Prepare
    const list = digests([{ webhook: "team", weekly: "MO 08:00", timezone: "Europe/Berlin" }]);

    // Act: two weeks of runs around the October change
    const posts = tile(list, "2026-10-21T00:00:00Z", 14);

    // Assess
    expect(posts.map((p) => p.day)).toEqual(["2026-10-26", "2026-11-02"]);
    const [first] = posts;
    expect(first?.dueAt.toISOString()).toBe("2026-10-26T07:00:00.000Z");
    expect(first?.span).toEqual({ from: new Date("2026-10-26T07:00:00Z"), to: new Date("2026-11-02T07:00:00Z") });
    expect(first?.days).toEqual(["2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31", "2026-11-01"]);
  });

  it("covers the whole local day with a daily digest, 23 hours on the spring-forward day", () => {
    // Prepare
    const list = digests([{ webhook: "team", daily: "08:30", timezone: "Europe/Berlin" }]);

    // Act
    const [post] = tile(list, "2026-03-29T00:00:00Z", 1);

    // Assess
    expect(post?.span).toEqual({ from: new Date("2026-03-28T23:00:00Z"), to: new Date("2026-03-29T22:00:00Z") });
  });
});
