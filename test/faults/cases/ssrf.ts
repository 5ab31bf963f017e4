import { describe, expect, it } from "vitest";
import { createFeedFetcher } from "../../../src/feeds/fetch.ts";
import { calendarServer } from "../../support/hostile.ts";
import { reminderKey } from "../support/account.ts";
import type { ChildRun } from "../support/child.ts";
import { calendarOf, eventAt, WINDOW_START } from "../support/ics.ts";
import type { FaultSuite } from "../support/suite.ts";
import { type CaseMode, childRun, FUNCTION_TIMEOUT_MS, runInProcess } from "./common.ts";
import { FIRST } from "./team-week.ts";

// Issue 11, "Why" 7: a feed could redirect into the function's own network — loopback in any
// spelling, other ports, 169.254.169.254, private ranges, Lambda's runtime API — and an internal
// answer that looked like a calendar was posted to Slack. A redirect from a public feed may now
// lead only to public addresses, and from any feed never to the metadata service or the runtime
// API. The suite's calendar server is on loopback, so the fetcher is told its configured hosts
// are public (as test/feeds/redirect-guard.test.ts does): a redirect back to loopback is then a
// redirect from a public address into the network.

/** Where the hostile feeds redirect, by feed id; `{port}` is the suite calendar server's. */
const TARGETS: Record<string, string> = {
  localhost: "http://localhost:{port}/ssrf/internal.ics",
  "loopback-other-port": "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
  decimal: "http://2130706433:{port}/ssrf/internal.ics",
  octal: "http://0177.0.0.1:{port}/ssrf/internal.ics",
  "ipv6-loopback": "http://[::1]:{port}/ssrf/internal.ics",
  "ipv4-mapped": "http://[::ffff:127.0.0.1]:{port}/ssrf/internal.ics",
  metadata: "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
  "metadata-ipv6": "http://[fd00:ec2::254]/latest/meta-data/",
  "private-10": "http://10.0.0.7/team.ics",
  "private-172": "http://172.16.0.1/team.ics",
  "private-192": "http://192.168.1.1/team.ics",
  "unique-local": "http://[fd12:3456::1]/team.ics",
};

/** A calendar inside the network: its reminder must never reach Slack (the account has no place for it). */
const INTERNAL = calendarOf([eventAt("secret@internal", "Internal only", 0)]);

/** Serves the internal calendar and a redirector per target; returns the feeds of a configuration. */
function hostileFeeds(suite: FaultSuite, channel: string) {
  const { feeds } = suite;
  feeds.serve("/ssrf/internal.ics", { body: INTERNAL });
  const port = new URL(feeds.url).port;
  return Object.entries(TARGETS).map(([id, target]) => ({
    id,
    url: feeds.serve(`/${channel}/${id}.ics`, (_request, response) => {
      response.writeHead(302, { location: target.replace("{port}", port) }).end();
    }),
    webhook: "team",
  }));
}

export function ssrfRuns(suite: FaultSuite, _mode: CaseMode): ChildRun[] {
  const channel = "ssrf/bench";
  const healthy = suite.feeds.serve(`/${channel}/healthy.ics`, { body: calendarOf([eventAt("standup@ssrf", "Standup", 0)]) });
  return [
    childRun(
      {
        webhooks: { team: suite.slack.webhook(channel) },
        feeds: [...hostileFeeds(suite, channel), { id: "healthy", url: healthy, webhook: "team" }],
      },
      { publicFeeds: true },
    ),
  ];
}

export function ssrf(suite: FaultSuite): void {
  describe("7. redirects into the network", () => {
    it("refuses every redirect from a public feed into loopback, link-local, private or unique-local addresses, and delivers the healthy feed", async () => {
      // Prepare
      const channel = "ssrf/public";
      const healthy = suite.feeds.serve(`/${channel}/healthy.ics`, { body: calendarOf([eventAt("standup@ssrf", "Standup", 0)]) });
      const config = JSON.stringify({
        webhooks: { team: suite.slack.webhook(channel) },
        feeds: [...hostileFeeds(suite, channel), { id: "healthy", url: healthy, webhook: "team" }],
      });
      const fetcher = createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1 << 20, attempts: 1, resolve: async () => ["93.184.215.14"] });
      suite.account.deliverable("SSRF", [reminderKey(channel, "healthy", "Standup", WINDOW_START)]);

      // Act
      const result = await runInProcess({ config, reference: FIRST, fetcher });

      // Assess: each redirect named and refused, nothing internal requested, the healthy feed delivered
      const ids = Object.keys(TARGETS);
      expect(result.feeds).toEqual({ total: ids.length + 1, ok: 1, failed: ids.length, unchanged: 0, skipped: 0 });
      expect(result.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
      expect(Object.fromEntries(result.errors.map((e) => ["feed" in e ? e.feed : e.webhook, e.message]))).toEqual(
        Object.fromEntries(
          ids.map((id) => [
            id,
            expect.stringMatching(
              /^127\.0\.0\.1:\d+ redirected to .+, an internal address; refused: a calendar server's redirect may not lead into the network/,
            ),
          ]),
        ),
      );
      expect(suite.feeds.requests("/ssrf/internal.ics")).toBe(0);
      expect(result.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    });

    it("lets a feed configured on an internal address redirect inside the network, but never to the metadata service or the runtime API", async () => {
      // Prepare: the owner configured a loopback (VPC) calendar server; the runtime API answers on a port of its own
      const channel = "ssrf/internal";
      const { feeds } = suite;
      const runtime = await calendarServer(INTERNAL);
      const runtimeApi = `127.0.0.1:${new URL(runtime.url).port}`;
      const moved = feeds.serve(`/${channel}/moved.ics`, { body: calendarOf([eventAt("standup@moved", "Standup", 0)]) });
      const redirect = (id: string, location: string) => ({
        id,
        url: feeds.serve(`/${channel}/${id}.ics`, (_request, response) => void response.writeHead(302, { location }).end()),
        webhook: "team",
      });
      const config = JSON.stringify({
        webhooks: { team: suite.slack.webhook(channel) },
        feeds: [
          redirect("inside", moved),
          redirect("runtime-api", `http://${runtimeApi}/2018-06-01/runtime/invocation/next`),
          redirect("metadata", "http://169.254.169.254/latest/api/token"),
        ],
      });
      suite.account.deliverable("SSRF, internal feed", [reminderKey(channel, "inside", "Standup", WINDOW_START)]);

      // Act
      const fetcher = createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1 << 20, attempts: 1, runtimeApi });
      const result = await runInProcess({ config, reference: FIRST, fetcher }).finally(() => runtime.close());

      // Assess
      expect(result.reminders).toEqual({ due: 1, sent: 1, duplicate: 0, failed: 0, unknown: 0 });
      expect(Object.fromEntries(result.errors.map((e) => ["feed" in e ? e.feed : e.webhook, e.message]))).toEqual({
        "runtime-api": expect.stringMatching(/an internal address; refused/),
        metadata: expect.stringMatching(/redirected to 169\.254\.169\.254, an internal address; refused/),
      });
      expect(runtime.requests).toHaveLength(0);
      expect(result.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    });
  });
}
