import { afterEach, describe, expect, it, vi } from "vitest";
import { createDynamoLedger } from "../../../src/ledger/dynamodb.ts";
import type { Ledger } from "../../../src/ledger/ledger.ts";
import { startChild } from "../support/child.ts";
import type { FaultSuite } from "../support/suite.ts";
import { FUNCTION_TIMEOUT_MS, runInProcess } from "./common.ts";
import { FIRST, NEXT, teamWeekConfig, teamWeekCopies, teamWeekKeys } from "./team-week.ts";

// Issue 11, "Why" 4: a crash or a ledger outage mid-post made duplicates. After `kill -9` during
// a post Slack received, the next window posted nothing and counted those reminders nowhere, and
// once the claims lapsed catch-up posted them all again; with the ledger failing between the
// claim and "delivered", the result said sent with `errors: []` and later everything went out
// twice. Now a reminder is marked "sending" just before its post: what may have been posted is
// never sent again, counted `unknown`, and named in `errors`.

export function atMostOnce(suite: FaultSuite): void {
  describe("4. at most once when the outcome is unknown (dynalite, a process killed with SIGKILL)", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** A ledger table and a team-week feed of its own for one test, posting to `channel`. */
    async function setup(channel: string) {
      const table = await suite.dynamo.createLedgerTable();
      suite.account.deliverable(`at most once, ${channel}`, teamWeekKeys(channel));
      return { table, config: teamWeekConfig(suite, channel, table), store: createDynamoLedger({ table, client: suite.dynamo.client }) };
    }

    it("sends a post whose answer never came neither again in the run nor by catch-up, and counts it unknown once", async () => {
      // Prepare: the first post's answer never comes within the attempt's time
      const channel = "once/unanswered";
      const { config, store } = await setup(channel);
      suite.slack.behave(channel, (_post, index) => (index === 0 ? { hold: true } : { status: 200, body: "ok" }));

      // Act
      const first = await runInProcess({ config, reference: FIRST, ledger: store, attemptTimeoutMs: 200 });
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + 16 * 60_000); // every claim of the first run has lapsed
      const next = await runInProcess({ config, reference: NEXT, ledger: store });

      // Assess
      expect(suite.slack.posts(channel)).toHaveLength(2);
      expect(teamWeekCopies(suite, channel).sort()).toEqual(["Due in the next run", "Platform sync", "Standup"]);
      expect(first.reminders).toEqual({ due: 2, sent: 0, duplicate: 0, failed: 0, unknown: 2 });
      expect(first.errors).toEqual([
        {
          webhook: "team",
          message: expect.stringMatching(
            /^2 reminders: webhook "team": Slack did not answer within 0\.20 s; the message may have been posted, so it is not sent again/,
          ),
        },
      ]);
      // The first run reported them: the next, whose catch-up span holds them, says nothing more
      expect(next.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
      expect(next.errors).toEqual([]);
    });

    it("never posts twice what a process killed with SIGKILL mid-post may have sent", async () => {
      // Prepare: Slack receives the post, and the process posting it dies before the answer
      const channel = "once/killed";
      const { table, config, store } = await setup(channel);
      const ledger = { endpoint: suite.dynamo.endpoint, table, catchUpMinutes: 15 };
      const child = startChild({ runs: [{ config, reference: FIRST.toISOString(), timeoutMs: FUNCTION_TIMEOUT_MS, ledger }] });
      suite.slack.behave(channel, () => {
        child.process.kill("SIGKILL");
        return { hold: true };
      });

      // Act
      const { signal, stdout, overran } = await child.outcome;
      for (const response of suite.slack.held(channel).splice(0)) response.destroy();
      suite.slack.behave(channel, () => ({ status: 200, body: "ok" }));
      const whileHeld = await runInProcess({ config, reference: NEXT, ledger: store });
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + FUNCTION_TIMEOUT_MS + 30_000); // the dead run's time is over
      const afterLapse = await runInProcess({ config, reference: NEXT, ledger: store });

      // Assess
      expect(signal).toBe("SIGKILL");
      expect(overran).toBe(false);
      expect(stdout).toBe("");
      expect(teamWeekCopies(suite, channel).sort()).toEqual(["Due in the next run", "Platform sync", "Standup"]);
      expect(whileHeld.reminders).toMatchObject({ sent: 1, unknown: 0 });
      expect(whileHeld.errors).toEqual([
        {
          webhook: "team",
          message: expect.stringMatching(
            /^2 reminders are being posted by another run, whose time has not ended: .*none sends them again$/,
          ),
        },
      ]);
      expect(afterLapse.reminders).toEqual({ due: 1, sent: 0, duplicate: 1, failed: 0, unknown: 2 });
      expect(afterLapse.errors).toEqual([
        { webhook: "team", message: expect.stringMatching(/^2 reminders: .*may have been posted, so they are not sent again/) },
      ]);
      for (const run of [whileHeld, afterLapse]) expect(run.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    }, 30_000);

    it("reports a failed 'delivered' write and never posts those reminders again", async () => {
      // Prepare: the ledger takes claims, then cannot be written when the post has gone out
      const channel = "once/unrecorded";
      const { config, store } = await setup(channel);
      const missing = createDynamoLedger({ table: "ledger-gone", client: suite.dynamo.client });
      const failingDone: Ledger = { ...store, done: (ids) => missing.done(ids) };

      // Act
      const first = await runInProcess({ config, reference: FIRST, ledger: failingDone });
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(Date.now() + 16 * 60_000);
      const next = await runInProcess({ config, reference: NEXT, ledger: store });

      // Assess
      expect(first.reminders).toEqual({ due: 2, sent: 2, duplicate: 0, failed: 0, unknown: 0 });
      expect(first.errors).toEqual([
        {
          webhook: "team",
          message: expect.stringMatching(
            /^2 reminders were posted, but could not mark reminders delivered in the ledger table "ledger-gone".*no run sends them again/,
          ),
        },
      ]);
      expect(teamWeekCopies(suite, channel).sort()).toEqual(["Due in the next run", "Platform sync", "Standup"]);
      expect(next.reminders).toMatchObject({ sent: 1, unknown: 2 });
    });
  });
}
