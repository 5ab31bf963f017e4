import { describe, expect, it } from "vitest";
import { dueReminders, occurrenceRange } from "../../src/reminders/due.ts";
import { dueWindow } from "../../src/reminders/window.ts";
import { occurrence, rules } from "../support/builders.ts";

const at = (iso: string) => new Date(iso);
const window = dueWindow(at("2026-03-12T14:50:00Z"), 5);

describe("dueReminders", () => {
  it("sends a reminder lead minutes before the start when that falls in the window", () => {
    // Prepare
    const meeting = occurrence({ uid: "m", start: at("2026-03-12T15:00:00Z") });

    // Act
    const due = dueReminders([meeting], rules({ leadMinutes: [10] }), window);

    // Assess
    expect(due).toHaveLength(1);
    expect(due[0]?.dueAt.toISOString()).toBe("2026-03-12T14:50:00.000Z");
    expect(due[0]?.id).toBe("team#m#2026-03-12T15:00:00.000Z#10m");
  });

  it("carries the feed's zone, the one its start is shown in, whatever the event's own zone", () => {
    // Prepare
    const meeting = occurrence({ start: at("2026-03-12T15:00:00Z"), timezone: "UTC" });

    // Act
    const due = dueReminders([meeting], rules({ timezone: "Europe/Berlin" }), window);

    // Assess
    expect(due.map((r) => r.timezone)).toEqual(["Europe/Berlin"]);
  });

  it("leaves out a reminder due exactly at the window's end: the next run sends it", () => {
    const meeting = occurrence({ start: at("2026-03-12T15:05:00Z") });
    expect(dueReminders([meeting], rules(), window)).toEqual([]);
    const next = dueWindow(at("2026-03-12T14:55:00Z"), 5);
    expect(dueReminders([meeting], rules(), next)).toHaveLength(1);
  });

  it("makes one reminder per lead time, each in the run where it falls due", () => {
    // Prepare: leads 10 and 1 for a 15:00 start
    const meeting = occurrence({ start: at("2026-03-12T15:00:00Z") });
    const feed = rules({ leadMinutes: [10, 1] });

    // Act
    const first = dueReminders([meeting], feed, dueWindow(at("2026-03-12T14:50:00Z"), 5));
    const second = dueReminders([meeting], feed, dueWindow(at("2026-03-12T14:55:00Z"), 5));

    // Assess
    expect(first.map((r) => r.leadMinutes)).toEqual([10]);
    expect(second.map((r) => r.leadMinutes)).toEqual([1]);
  });

  it("reminds of an all-day occurrence at allDay.at local time on its first day", () => {
    // Prepare: 2026-03-12 in Tokyo starts at 2026-03-11T15:00Z; 09:00 JST is 00:00Z
    const offsite = occurrence({
      start: at("2026-03-11T15:00:00Z"),
      allDay: true,
      day: "2026-03-12",
      timezone: "Asia/Tokyo",
    });
    const feed = rules({ timezone: "Asia/Tokyo", allDay: { remind: true, at: "09:00" } });

    // Act
    const due = dueReminders([offsite], feed, dueWindow(at("2026-03-12T00:00:00Z"), 5));

    // Assess
    expect(due).toHaveLength(1);
    expect(due[0]?.dueAt.toISOString()).toBe("2026-03-12T00:00:00.000Z");
    expect(due[0]?.leadMinutes).toBeUndefined();
    expect(dueReminders([offsite], { ...feed, allDay: { remind: false, at: "09:00" } }, dueWindow(at("2026-03-12T00:00:00Z"), 5))).toEqual(
      [],
    );
  });

  it("applies include and exclude to the title", () => {
    // Prepare
    const start = at("2026-03-12T15:00:00Z");
    const list = [
      occurrence({ uid: "a", summary: "Daily Standup", start }),
      occurrence({ uid: "b", summary: "Canceled: Standup", start }),
      occurrence({ uid: "c", summary: "Lunch", start }),
    ];

    // Act
    const due = dueReminders(list, rules({ include: /standup|retro/iu, exclude: /^Canceled/iu }), window);

    // Assess
    expect(due.map((r) => r.occurrence.uid)).toEqual(["a"]);
  });

  it("leaves out a catch-up reminder whose event has already started", () => {
    const late = occurrence({ start: at("2026-03-12T14:52:00Z") });
    const earlier = dueWindow(at("2026-03-12T14:40:00Z"), 15);
    expect(dueReminders([late], rules(), earlier)).toHaveLength(1);
    expect(dueReminders([late], rules(), earlier, { notStartedBy: at("2026-03-12T14:52:00Z") })).toEqual([]);
  });
});

describe("occurrenceRange", () => {
  it("covers every start whose reminder can fall in the window", () => {
    const range = occurrenceRange(window, rules({ leadMinutes: [60, 5] }));
    expect(range.to.toISOString()).toBe("2026-03-12T15:55:00.000Z");
    expect(range.from.getTime()).toBeLessThanOrEqual(at("2026-03-11T13:50:00Z").getTime());
  });
});
