import { describe, expect, it } from "vitest";
import { retryAfterMs } from "../../src/http/retry-after.ts";

const now = Date.parse("2026-03-12T14:50:00Z");

describe("retryAfterMs", () => {
  it.each([
    ["7", 7000],
    [" 120 ", 120_000],
    ["Thu, 12 Mar 2026 14:50:30 GMT", 30_000],
    ["Thu, 12 Mar 2026 14:00:00 GMT", 0],
  ])("reads %j as %i ms", (value, ms) => {
    expect(retryAfterMs(value, now)).toBe(ms);
  });

  it.each([[null], [undefined], [""], ["soon"]])("says nothing for %j", (value) => {
    expect(retryAfterMs(value, now)).toBeUndefined();
  });
});
