import { describe, expect, it } from "vitest";
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { createDelivery } from "../../src/slack/delivery.ts";
import { reminders } from "../support/reminders.ts";

const START = new Date("2026-03-12T15:00:00Z");

describe("a webhook's queue", () => {
  it.each([
    [false, 0],
    [false, 1],
    [false, 2],
    [false, 5],
    [true, 0],
    [true, 1],
    [true, 2],
    [true, 5],
  ])("settles a delivery that arrives just as the previous one finished (ledger %s, %i microtasks later)", async (withLedger, ticks) => {
    // Prepare
    const delivery = createDelivery({
      poster: { async post() {} },
      clock: () => START,
      pace: { burst: 100, intervalMs: 1 },
      ledger: withLedger ? createMemoryLedger() : undefined,
    });
    await delivery.deliver("team", reminders(1, START, { id: "a" }));
    for (let i = 0; i < ticks; i += 1) await Promise.resolve();

    // Act
    const second = delivery.deliver("team", reminders(1, START, { id: "b" }));

    // Assess: it settles rather than waiting on a queue no loop serves
    const hung = new Promise((resolve) => setTimeout(() => resolve("hung"), 300));
    expect(await Promise.race([second, hung])).toEqual([expect.objectContaining({ kind: "sent" })]);
  });
});
