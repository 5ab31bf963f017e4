import { describe, expect, it } from "vitest";
import { LedgerError, SlackDeliveryError } from "../../src/errors.ts";
import type { Ledger } from "../../src/ledger/ledger.ts";
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { runReminders } from "../../src/run/run.ts";
import type { SlackPoster } from "../../src/slack/webhook.ts";
import { calendarDueNow, controlledFetcher, driveToEnd, fakeEdges, planFor, recordingPoster } from "../support/run-fakes.ts";

describe("what one failure does to the rest of a run", () => {
  it.each(["serial", "pipelined"] as const)(
    "delivers the other feeds' reminders to a webhook that rejected one malformed message (%s)",
    async (strategy) => {
      // Prepare: Slack rejects f0's message as malformed (400 invalid_blocks), which is about that
      // message, not the webhook
      const posted: string[] = [];
      const poster: SlackPoster = {
        async post(webhook, message) {
          if (message.text.includes("Meeting of f0")) {
            throw new SlackDeliveryError(webhook, `webhook "${webhook}": HTTP 400 invalid_blocks`, { status: 400 });
          }
          posted.push(message.text);
        },
      };
      const control = controlledFetcher(calendarDueNow);

      // Act: f0 answers first
      const result = await driveToEnd(
        runReminders(planFor(2, { strategy, webhooks: 1 }), fakeEdges({ fetcher: control.fetcher, poster })),
        control,
        () => 0,
      );

      // Assess
      expect(posted.join()).toContain("Meeting of f1");
      expect(result.reminders).toMatchObject({ sent: 1, failed: 1 });
    },
  );

  it("names a webhook once when it failed transiently, then refused", async () => {
    // Prepare: 500 first, then 404 no_service for every post
    let calls = 0;
    const poster: SlackPoster = {
      async post(webhook) {
        calls += 1;
        if (calls === 1) throw new SlackDeliveryError(webhook, "HTTP 500", { status: 500, transient: true });
        throw new SlackDeliveryError(webhook, `webhook "${webhook}": HTTP 404 no_service`, { status: 404 });
      },
    };
    const control = controlledFetcher();

    // Act
    const result = await driveToEnd(
      runReminders(
        planFor(2, { strategy: "serial", webhooks: 1 }),
        fakeEdges({ fetcher: control.fetcher, poster, delivery: { sleep: async () => {}, random: () => 0 } }),
      ),
      control,
    );

    // Assess
    expect(result.reminders.failed).toBe(2);
    expect(result.errors.filter((e) => "webhook" in e)).toHaveLength(1);
  });

  it("does not count catch-up reminders as failed while the ledger cannot be reached", async () => {
    // Prepare: a run at 14:50 delivers the 15:00 event's reminder
    const memory = createMemoryLedger();
    const plan = (reference: string) => ({ ...planFor(1, { strategy: "serial" }), reference: new Date(reference) });
    const run = async (reference: string, store: Ledger) => {
      const control = controlledFetcher();
      const edges = fakeEdges({
        fetcher: control.fetcher,
        poster: recordingPoster().poster,
        clock: () => new Date(reference),
        ledger: { store, catchUpMinutes: 15 },
      });
      return driveToEnd(runReminders(plan(reference), edges), control);
    };
    const first = await run("2026-03-12T14:50:00Z", memory);
    const down: Ledger = {
      ...memory,
      claim: async () => {
        throw new LedgerError("t", 'could not claim reminders in the ledger table "t"');
      },
    };

    // Act: at 14:55 nothing is due in [14:55, 15:00) and the ledger is down
    const second = await run("2026-03-12T14:55:00Z", down);

    // Assess: the outage is reported, the already-delivered reminder is not counted again
    expect(first.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
    expect(second.reminders).toEqual({ due: 0, sent: 0, duplicate: 0, failed: 0, unknown: 0 });
    expect(second.errors).toEqual([{ webhook: expect.any(String), message: expect.stringMatching(/ledger table/) }]);
  });
});
