import { describe, expect, it } from "vitest";
import { amplification } from "./cases/amplification.ts";
import { atMostOnce } from "./cases/at-most-once.ts";
import { deliveryAtScale } from "./cases/delivery-at-scale.ts";
import { expansion } from "./cases/expansion.ts";
import { hostileFeeds } from "./cases/hostile-feeds.ts";
import { hostileText } from "./cases/hostile-text.ts";
import { messageLimits } from "./cases/message-limits.ts";
import { redos } from "./cases/redos.ts";
import { slowSlackCase } from "./cases/slow-slack.ts";
import { ssrf } from "./cases/ssrf.ts";
import { faultSuite } from "./support/suite.ts";

// The fault-injection suite of issue 11 ("Hostile calendars, slow Slack and crashes"): every case
// of its list against one loopback Slack, one calendar server and one dynalite, the memory-heavy
// runs and the crash in child processes limited as a 256 MB function. One file, so that one
// account sees every post of every case: vitest runs each file in a worker of its own, and the
// final check must see them all. Each case is a module of cases/, in the order.

const suite = faultSuite();

hostileFeeds(suite);
deliveryAtScale(suite);
expansion(suite);
slowSlackCase(suite);
atMostOnce(suite);
messageLimits(suite);
redos(suite);
ssrf(suite);
amplification(suite);
hostileText(suite);

describe("across the whole suite", () => {
  it("posted no reminder twice, lost none that could be delivered, and posted none that no case expected", () => {
    // Assess
    const totals = suite.account.totals();
    expect(suite.account.check()).toEqual({ twice: [], lost: [], unexpected: [], miscounted: [] });
    expect(totals.posted).toBe(totals.deliverable);
  });
});
