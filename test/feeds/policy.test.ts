import { describe, expect, it } from "vitest";
import { isRetryableStatus, redirectTarget, retryDelayMs } from "../../src/feeds/policy.ts";

describe("retryDelayMs", () => {
  const now = Date.parse("2026-03-12T14:50:00Z");

  it("doubles the wait with each attempt when the server says nothing", () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs(attempt, undefined, now, 500))).toEqual([500, 1000, 2000]);
  });

  it("waits as many seconds as Retry-After says, whatever our own backoff would be", () => {
    expect(retryDelayMs(1, "7", now, 500)).toBe(7000);
  });

  it("waits until the HTTP date Retry-After names", () => {
    expect(retryDelayMs(1, "Thu, 12 Mar 2026 14:50:30 GMT", now, 500)).toBe(30_000);
  });

  it("does not wait for a Retry-After date already past", () => {
    expect(retryDelayMs(1, "Thu, 12 Mar 2026 14:00:00 GMT", now, 500)).toBe(0);
  });

  it.each(["soon", "-5", "0x10", "1e3", "2.5"])(
    "falls back to its own backoff when Retry-After is %j, neither delay-seconds nor a date",
    (value) => {
      expect(retryDelayMs(2, value, now, 500)).toBe(1000);
    },
  );
});

describe("isRetryableStatus", () => {
  it.each([429, 500, 502, 503, 504])("retries HTTP %i", (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([400, 401, 403, 404, 410, 501])("does not retry HTTP %i", (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe("redirectTarget", () => {
  it("follows an upgrade from http to https", () => {
    expect(redirectTarget(new URL("http://cal.test/a.ics"), "https://cal.test/a.ics")).toEqual({
      follow: new URL("https://cal.test/a.ics"),
    });
  });

  it("resolves a relative Location against the current address", () => {
    expect(redirectTarget(new URL("https://cal.test/a/b.ics"), "../c.ics")).toEqual({ follow: new URL("https://cal.test/c.ics") });
  });

  it("refuses a downgrade from https to http, naming only the host", () => {
    const decision = redirectTarget(new URL("https://cal.test/s3cr3t.ics"), "http://other.test/s3cr3t.ics");
    expect(decision).toEqual({ refuse: expect.stringMatching(/https to plain http \(other\.test\)/) });
    expect(JSON.stringify(decision)).not.toContain("s3cr3t");
  });

  it.each([
    [undefined, /without a Location/],
    ["http://[::1", /not a URL/],
    ["file:///etc/passwd", /file: address/],
  ])("refuses the redirect to %s", (location, reason) => {
    expect(redirectTarget(new URL("http://cal.test/a.ics"), location)).toEqual({ refuse: expect.stringMatching(reason) });
  });
});
