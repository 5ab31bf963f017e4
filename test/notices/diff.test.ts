import { describe, expect, it } from "vitest";
import type { Occurrence } from "../../src/calendar/occurrence.ts";
import { configSchema } from "../../src/config/schema.ts";
import { planNotices, type Reading, rollForward } from "../../src/notices/diff.ts";
import type { NoticePolicy } from "../../src/reminders/feed.ts";
import { occurrence } from "../support/builders.ts";

const policy: NoticePolicy = { horizonDays: 7, added: true, moved: true, retitled: true, cancelled: true, quietMinutes: 0 };
const DAY = 24 * 60 * 60_000;
const monday = new Date("2026-03-09T09:00:00Z");
const later = (days: number) => new Date(monday.getTime() + days * DAY);
const options = (now: Date, overrides: Partial<NoticePolicy> = {}) => ({
  feedId: "team",
  now,
  policy: { ...policy, ...overrides },
  wanted: (title: string) => !/^private/i.test(title),
});
const reading = (occurrences: Occurrence[], textHash = "t1", skipped: string[] = []): Reading => ({
  occurrences,
  eventCount: Math.max(4, occurrences.length),
  textHash,
  cutShort: false,
  skipped,
});
const weekly = (weeks: number, summary = "Sprint demo") =>
  Array.from({ length: weeks }, (_, i) =>
    occurrence({ uid: "demo@test", summary, start: later(4 + 7 * i), recurrenceId: later(4 + 7 * i).toISOString() }),
  );

describe("planNotices", () => {
  it("sets the baseline silently on a first read", () => {
    // Act
    const plan = planNotices(undefined, reading(weekly(3)), options(monday));

    // Assess
    expect(plan.notices).toEqual([]);
    expect(Object.keys(plan.next(new Set())?.entries ?? {})).toHaveLength(1);
  });

  it("does not take an occurrence that entered the horizon as time passed for an added one", () => {
    // Prepare: next week's demo is beyond Monday's horizon
    const first = planNotices(undefined, reading(weekly(3)), options(monday)).next(new Set());

    // Act: a week later it is inside
    const plan = planNotices(first, reading(weekly(3)), options(later(7)));

    // Assess
    expect(plan.notices).toEqual([]);
    expect(Object.values(plan.next(new Set())?.entries ?? {}).map((e) => e.s)).toEqual([later(11).getTime()]);
  });

  it("writes nothing when nothing changed and less than an hour passed", () => {
    // Prepare
    const first = planNotices(undefined, reading(weekly(2)), options(monday)).next(new Set());

    // Act
    const same = planNotices(first, reading(weekly(2)), options(new Date(monday.getTime() + 5 * 60_000)));
    const rolled = rollForward(first as never, [], options(new Date(monday.getTime() + 5 * 60_000)));

    // Assess
    expect(same.next(new Set())).toBeUndefined();
    expect(rolled.next(new Set())).toBeUndefined();
  });

  it("says nothing of kinds turned off or of events the feed's patterns leave out, and takes them in", () => {
    // Prepare
    const base = [occurrence({ uid: "a", summary: "Private dentist", start: later(1) }), ...weekly(1)];
    const first = planNotices(undefined, reading(base), options(monday)).next(new Set());

    // Act
    const plan = planNotices(
      first,
      reading([occurrence({ uid: "a", summary: "Private dentist", start: later(2) }), ...weekly(1, "Demo day")]),
      options(monday, { retitled: false }),
    );

    // Assess
    expect(plan.notices).toEqual([]);
    expect(
      Object.values(plan.next(new Set())?.entries ?? {})
        .map((e) => e.t)
        .sort(),
    ).toEqual(["Demo day", "Private dentist"]);
  });

  it("announces a series moved to another time as each instance moved, not as cancelled and added", () => {
    // Prepare: a daily standup at 10:00, Tuesday to Friday
    const standup = (hour: number) =>
      Array.from({ length: 4 }, (_, i) => {
        const start = new Date(later(1 + i).getTime() + (hour - 9) * 3_600_000);
        return occurrence({ uid: "standup@test", summary: "Standup", start, recurrenceId: start.toISOString() });
      });
    const first = planNotices(undefined, reading(standup(10)), options(monday)).next(new Set());

    // Act: the series' DTSTART moves to 11:00, so every instance has a new RECURRENCE-ID
    const plan = planNotices(first, reading(standup(11), "t2"), options(monday));
    const delivered = new Set(plan.notices.map((n) => n.id));
    const next = planNotices(plan.next(delivered), reading(standup(11), "t2"), options(new Date(monday.getTime() + 5 * 60_000)));

    // Assess
    expect(plan.notices.map((n) => [n.kinds, (n.after?.s ?? 0) - (n.before?.s ?? 0)])).toEqual(Array(4).fill([["moved"], 3_600_000]));
    expect(next.notices).toEqual([]);
  });

  it.each([
    ["later", 10, 11],
    ["earlier", 11, 10],
  ])(
    "pairs each instance of a series moved %s with its own new time, when the run falls between the first one's old and new time",
    (_, from, to) => {
      // Prepare: a daily standup, Monday to Friday; the baseline was read on Sunday
      const standup = (hour: number) =>
        Array.from({ length: 5 }, (_, i) => {
          const start = new Date(Date.parse("2026-03-09T00:00:00Z") + i * DAY + hour * 3_600_000);
          return occurrence({ uid: "standup@test", summary: "Standup", start, recurrenceId: start.toISOString() });
        });
      const sunday = new Date("2026-03-08T12:00:00Z");
      const first = planNotices(undefined, reading(standup(from)), options(sunday)).next(new Set());
      const monday = new Date("2026-03-09T10:30:00Z");
      // What a reading from Monday 10:30 holds: the instances from then on
      const moved = standup(to).filter((o) => o.start.getTime() >= monday.getTime());

      // Act
      const plan = planNotices(first, reading(moved, "t2"), options(monday));

      // Assess: every notice is one instance moved by exactly the hour, nothing cancelled or added
      expect(plan.notices.every((n) => n.kinds.join() === "moved")).toBe(true);
      expect(plan.notices.map((n) => ((n.after?.s ?? 0) - (n.before?.s ?? 0)) / 3_600_000)).toEqual(
        Array(plan.notices.length).fill(to - from),
      );
      expect(plan.notices.length).toBe(to > from ? 5 : 4);
    },
  );

  it("announces a move made just before the old start once the quiet period is over, and never as added later", () => {
    // Prepare: a call at 17:30, moved at 17:22 to 18:00; ten quiet minutes end at 17:32, after the old start
    const call = (hour: number, minute: number) => [
      occurrence({ uid: "call@test", summary: "Client call", start: new Date(Date.UTC(2026, 2, 24, hour, minute)) }),
      ...weekly(1),
    ];
    const at = (hour: number, minute: number) => new Date(Date.UTC(2026, 2, 24, hour, minute));
    const quiet = (now: Date) => options(now, { quietMinutes: 10 });
    let snapshot = planNotices(undefined, reading(call(17, 30)), quiet(at(17, 0))).next(new Set());

    // Act: runs every five minutes from 17:25
    const announced: string[] = [];
    for (const minute of [25, 30, 35, 40, 45, 50, 55]) {
      const plan = planNotices(snapshot, reading(call(18, 0), "t2"), quiet(at(17, minute)));
      announced.push(...plan.notices.map((n) => `${minute} ${n.kinds.join("+")}`));
      snapshot = plan.next(new Set(plan.notices.map((n) => n.id))) ?? snapshot;
    }

    // Assess
    expect(announced).toEqual(["35 moved"]);
  });

  it("does not take the last instance of a series moved past the horizon's end for a cancelled one", () => {
    // Prepare: a daily 10:00 over the week's horizon (seven days from Monday 10:30); moved to 11:00,
    // the last instance's new time (next Monday 11:00) lies past the horizon's end
    const daily = (hour: number) =>
      Array.from({ length: 8 }, (_, i) => {
        const start = new Date(Date.parse("2026-03-09T00:00:00Z") + i * DAY + hour * 3_600_000);
        return occurrence({ uid: "daily@test", summary: "Daily", start, recurrenceId: start.toISOString() });
      });
    const monday = new Date("2026-03-09T10:30:00Z");
    const first = planNotices(
      undefined,
      reading(daily(10).filter((o) => o.start.getTime() < monday.getTime() + 7 * DAY)),
      options(monday),
    ).next(new Set());

    // Act
    const later = new Date(monday.getTime() + 5 * 60_000);
    const plan = planNotices(
      first,
      reading(
        daily(11).filter((o) => o.start.getTime() < later.getTime() + 7 * DAY),
        "t2",
      ),
      options(later),
    );

    // Assess: the instances from Tuesday on moved by the hour, none cancelled (Monday 11:00 is new:
    // its 10:00 had passed before the baseline)
    expect(plan.notices.map((n) => n.kinds.join())).not.toContain("cancelled");
    const moves = plan.notices.filter((n) => n.kinds.join() === "moved");
    expect(moves.map((n) => ((n.after?.s ?? 0) - (n.before?.s ?? 0)) / 3_600_000)).toEqual(Array(6).fill(1));
  });

  it("announces as moved, not added, a change whose quiet period outlasts the occurrence's old start", () => {
    // Prepare: 10:00 moved to 11:00 at 09:55, fifteen quiet minutes
    const event = (hour: number) => [
      occurrence({ uid: "sync@test", summary: "Sync", start: new Date(Date.UTC(2026, 2, 24, hour)) }),
      ...weekly(1),
    ];
    const at = (hour: number, minute: number) => new Date(Date.UTC(2026, 2, 24, hour, minute));
    const quiet = (now: Date) => options(now, { quietMinutes: 15 });
    let snapshot = planNotices(undefined, reading(event(10)), quiet(at(9, 0))).next(new Set());

    // Act
    const announced: string[] = [];
    for (const [hour, minute] of [
      [9, 55],
      [10, 0],
      [10, 5],
      [10, 10],
      [10, 15],
    ] as const) {
      const plan = planNotices(snapshot, reading(event(11), "t2"), quiet(at(hour, minute)));
      announced.push(...plan.notices.map((n) => `${hour}:${minute} ${n.kinds.join("+")}`));
      snapshot = plan.next(new Set(plan.notices.map((n) => n.id))) ?? snapshot;
    }

    // Assess
    expect(announced).toEqual(["10:10 moved"]);
  });

  it("says nothing of an event that could not be read this time: neither cancelled nor, when it is back, added", () => {
    // Prepare
    const base = [occurrence({ uid: "review@test", summary: "Design review", start: later(2) }), ...weekly(1)];
    const first = planNotices(undefined, reading(base), options(monday)).next(new Set());

    // Act: the review's VEVENT cannot be read in the next download, then it can again
    const broken = planNotices(first, reading(weekly(1), "t2", ["review@test"]), options(monday));
    const mended = planNotices(broken.next(new Set()) ?? first, reading(base, "t3"), options(monday));

    // Assess
    expect(broken.notices).toEqual([]);
    expect(mended.notices).toEqual([]);
  });

  it("keeps a notice that was not delivered pending, with the old state, for the next run", () => {
    // Prepare
    const first = planNotices(undefined, reading(weekly(1)), options(monday)).next(new Set());
    const moved = [occurrence({ ...weekly(1)[0], start: later(5) } as Occurrence)];

    // Act
    const plan = planNotices(first, reading(moved), options(monday));
    const kept = plan.next(new Set());
    const retry = planNotices(kept, reading(moved), options(new Date(monday.getTime() + 5 * 60_000)));

    // Assess
    expect(plan.notices.map((n) => n.kinds)).toEqual([["moved"]]);
    expect(retry.notices.map((n) => n.id)).toEqual(plan.notices.map((n) => n.id));
  });
});

describe("notices configuration", () => {
  it("applies the defaults and lets a feed override the top level", () => {
    // Act
    const config = configSchema.parse({
      webhooks: { team: "https://hooks.slack.com/services/T/B/x" },
      feeds: [
        { id: "a", url: "https://example.com/a.ics", webhook: "team" },
        { id: "b", url: "https://example.com/b.ics", webhook: "team", notices: { horizonDays: 2 } },
      ],
      notices: { quietMinutes: 5 },
    });

    // Assess
    expect(config.notices).toEqual({ ...policy, quietMinutes: 5 });
    expect(config.feeds[1]?.notices).toEqual({ ...policy, horizonDays: 2, quietMinutes: 10 });
  });
});
