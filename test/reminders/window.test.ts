import { describe, expect, it } from "vitest";
import { dueWindow, inWindow } from "../../src/reminders/window.ts";

const at = (iso: string) => new Date(iso);

describe("dueWindow", () => {
  it("starts at the reference time floored to the minute and spans scheduleMinutes", () => {
    // Act
    const window = dueWindow(at("2026-03-12T14:50:42.999Z"), 5);

    // Assess
    expect(window.from.toISOString()).toBe("2026-03-12T14:50:00.000Z");
    expect(window.to.toISOString()).toBe("2026-03-12T14:55:00.000Z");
  });

  it("includes a reminder due exactly at t and excludes one due exactly at t + scheduleMinutes", () => {
    // Prepare
    const window = dueWindow(at("2026-03-12T14:50:00Z"), 5);

    // Assess
    expect(inWindow(at("2026-03-12T14:50:00Z"), window)).toBe(true);
    expect(inWindow(at("2026-03-12T14:54:59.999Z"), window)).toBe(true);
    expect(inWindow(at("2026-03-12T14:55:00Z"), window)).toBe(false);
    expect(inWindow(at("2026-03-12T14:49:59.999Z"), window)).toBe(false);
  });

  it("tiles time: every instant of a day belongs to exactly one of consecutive runs", () => {
    // Prepare: a schedule every 7 minutes, with invocations up to 40 s late
    const start = at("2026-03-12T00:00:00Z").getTime();
    const windows = Array.from({ length: 220 }, (_, i) => dueWindow(new Date(start + i * 7 * 60_000 + ((i * 13) % 40) * 1000), 7));

    // Act + Assess: every tenth second is covered by exactly one window
    for (let s = 0; s < 219 * 7 * 60; s += 10) {
      const instant = new Date(start + s * 1000);
      expect(windows.filter((w) => inWindow(instant, w))).toHaveLength(1);
    }
  });
});
