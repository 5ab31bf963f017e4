import { describe, expect, it } from "vitest";
import { SlackDeliveryError } from "../../src/errors.ts";
import { Pacer } from "../../src/slack/pacer.ts";
import { retryDelay } from "../../src/slack/retry-timing.ts";

const policy = { attempts: 4, baseMs: 500, capMs: 3_000 };
const transient = new SlackDeliveryError("team", "HTTP 503", { transient: true, status: 503 });

describe("retryDelay", () => {
  it("draws the wait uniformly below a bound that doubles per attempt, up to the cap", () => {
    // Act
    const highest = [1, 2, 3].map((attempt) => retryDelay({ ...policy, attempts: 9 }, attempt, transient, () => 0.999));
    const capped = retryDelay({ ...policy, attempts: 9 }, 8, transient, () => 0.999);
    const lowest = retryDelay(policy, 3, transient, () => 0);

    // Assess
    expect(highest).toEqual([499, 999, 1998]);
    expect(capped).toBe(2997);
    expect(lowest).toBe(0);
  });

  it("waits exactly as long as Retry-After says, even beyond the cap", () => {
    // Prepare
    const limited = new SlackDeliveryError("team", "HTTP 429", { transient: true, status: 429, retryAfterSeconds: 30 });

    // Act
    const wait = retryDelay(policy, 1, limited, () => 0.5);

    // Assess
    expect(wait).toBe(30_000);
  });

  it("does not retry a permanent error, nor after the last attempt", () => {
    // Prepare
    const revoked = new SlackDeliveryError("team", "no_service", { status: 404 });

    // Act & Assess
    expect(retryDelay(policy, 1, revoked, () => 0.5)).toBeUndefined();
    expect(retryDelay(policy, 4, transient, () => 0.5)).toBeUndefined();
  });
});

describe("Pacer", () => {
  it("allows a burst of two, then one post a second", () => {
    // Prepare
    const pacer = new Pacer({ burst: 2, intervalMs: 1_000 });

    // Act
    const waits: number[] = [];
    let now = 0;
    for (let i = 0; i < 5; i += 1) {
      const wait = pacer.waitMs(now);
      waits.push(wait);
      now += wait;
      pacer.posted(now);
    }

    // Assess: posts at 0, 0, 2000, 2000, 4000
    expect(waits).toEqual([0, 0, 2_000, 0, 2_000]);
  });

  it("holds posts until a Retry-After has passed", () => {
    // Prepare
    const pacer = new Pacer({ burst: 2, intervalMs: 1_000 });

    // Act
    pacer.pauseUntil(7_000);

    // Assess
    expect(pacer.waitMs(1_000)).toBe(6_000);
    expect(pacer.waitMs(7_000)).toBe(0);
  });
});
