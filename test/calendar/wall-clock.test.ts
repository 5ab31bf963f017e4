import { describe, expect, it } from "vitest";
import { formatInstant } from "../../src/calendar/wall-clock.ts";

describe("formatInstant", () => {
  it.each([
    ["2026-03-12T14:50:00.000Z", "2026-03-12T14:50:00Z"],
    ["2026-03-12T14:50:07.999Z", "2026-03-12T14:50:07Z"],
    ["0001-01-01T00:00:00.000Z", "0001-01-01T00:00:00Z"],
    ["+012345-06-07T08:09:10.000Z", "+012345-06-07T08:09:10Z"],
    ["-000001-12-31T23:59:59.000Z", "-000001-12-31T23:59:59Z"],
  ])("writes %s to the second, in UTC", (iso, expected) => {
    expect(formatInstant(new Date(iso))).toBe(expected);
  });
});
