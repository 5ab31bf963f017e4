import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../src/aws-on-first-use.ts";
import { readSettings } from "../src/config/settings.ts";
import { createHandler } from "../src/handler.ts";
import { type Loopback, type SlackPost, startFeedHost, startLoopback, startSlack } from "./support/loopback.ts";
import { runCli } from "./support/run-cli.ts";
import { type FakeSsm, startSsm, stubAwsEnvironment } from "./support/ssm.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures", name), "utf8");
const event = (name: string) => JSON.parse(readFileSync(join("events", name), "utf8")) as unknown;

/** A port on 127.0.0.1 that nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("handler with its configuration in SSM Parameter Store", () => {
  let ssm: FakeSsm;
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };

  beforeEach(async () => {
    feeds = await startFeedHost({ "/private/feedtoken-0a1b2c3d4e5f/team.ics": fixture("team-week.ics") });
    slack = await startSlack();
    const config = {
      webhooks: { team: "ssm:/reminder/webhooks/team" },
      feeds: [{ id: "team", url: "ssm:/reminder/feeds/team", webhook: "team", include: "sync" }],
    };
    ssm = await startSsm(
      new Map([
        ["/reminder/config", JSON.stringify(config)],
        ["/reminder/webhooks/team", `${slack.url}/services/T0AAAA1111/B0BBBB2222/hooktoken-first`],
        ["/reminder/feeds/team", `${feeds.url}/private/feedtoken-0a1b2c3d4e5f/team.ics`],
      ]),
    );
    stubAwsEnvironment(vi.stubEnv, ssm.url);
    vi.stubEnv("CONFIG_PARAMETER", "/reminder/config");
    vi.stubEnv("CONFIG_FILE", "");
    vi.stubEnv("LOG_LEVEL", "silent");
  });

  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all([ssm.close(), feeds.close(), slack.close()]);
  });

  async function coldStart() {
    return createHandler(readSettings(process.env), AWS_ON_FIRST_USE);
  }

  it("reads SSM on the cold start only: a warm invocation makes no SSM call", async () => {
    // Prepare
    const handler = await coldStart();
    await handler(event("scheduled.json"));
    const callsAfterColdStart = ssm.calls.length;

    // Act
    const warm = await handler(event("scheduled.json"));

    // Assess
    expect(callsAfterColdStart).toBe(2); // the configuration, then one batch of secrets
    expect(ssm.calls.length).toBe(callsAfterColdStart);
    expect(warm.reminders.sent).toBe(1);
    expect(slack.posts.map((p) => p.path)).toEqual([
      "/services/T0AAAA1111/B0BBBB2222/hooktoken-first",
      "/services/T0AAAA1111/B0BBBB2222/hooktoken-first",
    ]);
  });

  it("posts to a rotated webhook once the cached value has expired", async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-12T14:50:05Z"));
    const handler = await coldStart();
    await handler(event("scheduled.json"));
    ssm.parameters.set("/reminder/webhooks/team", `${slack.url}/services/T0AAAA1111/B0BBBB2222/hooktoken-rotated`);

    // Act: four minutes later the cache still holds; six minutes later it has expired
    vi.setSystemTime(new Date("2026-03-12T14:54:05Z"));
    await handler(event("scheduled.json"));
    vi.setSystemTime(new Date("2026-03-12T14:56:05Z"));
    await handler(event("scheduled.json"));

    // Assess
    expect(slack.posts.map((p) => p.path.split("/").pop())).toEqual(["hooktoken-first", "hooktoken-first", "hooktoken-rotated"]);
  });

  it("fails before fetching anything when the configuration in SSM is invalid, naming the field", async () => {
    // Prepare
    ssm.parameters.set(
      "/reminder/config",
      JSON.stringify({
        webhooks: { team: "ssm:/reminder/webhooks/team" },
        feeds: [{ id: "team", url: "ssm:/reminder/feeds/team", webhook: "tema" }],
      }),
    );
    const handler = await coldStart();

    // Act
    const error = await handler(event("scheduled.json")).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toMatch(/^feeds\[0\]\.webhook: names webhook "tema"/);
    expect((error as Error).message).not.toMatch(/hooktoken|feedtoken/);
    expect(slack.posts).toHaveLength(0);
  });
});

describe("a run with secrets, through npm run invoke", () => {
  it("keeps every webhook URL, private feed URL and token out of the logs and the result", async () => {
    // Prepare: one good feed, one gone (404), one redirecting forever, one on a port that refuses;
    // one good webhook, one revoked (404 no_service), one that refuses connections
    const refused = await closedPort();
    const calendar = fixture("team-week.ics");
    const host = await startLoopback((request, response) => {
      const path = request.url ?? "";
      if (path.startsWith("/private/feedtoken-0a1b2c3d4e5f/")) {
        response.writeHead(200, { "content-type": "text/calendar" }).end(calendar);
      } else if (path.startsWith("/loop/looptoken-9z8y7x6w5v/")) {
        response.writeHead(302, { location: `${path}x` }).end();
      } else {
        response.writeHead(404).end(`no calendar at ${path}`);
      }
    });
    const slack = await startSlack((post) =>
      post.path.includes("revoked") ? { status: 404, body: "no_service" } : { status: 200, body: "ok" },
    );
    const secrets = {
      "/reminder/webhooks/team": `${slack.url}/services/T0AAAA1111/B0BBBB2222/hooktoken-good0001`,
      "/reminder/webhooks/revoked": `${slack.url}/services/T0AAAA1111/B0CCCC3333/revoked-hooktoken-0002`,
      "/reminder/webhooks/down": `http://127.0.0.1:${refused}/services/T0AAAA1111/B0DDDD4444/hooktoken-down0003`,
      "/reminder/feeds/team": `${host.url}/private/feedtoken-0a1b2c3d4e5f/team.ics`,
      "/reminder/feeds/gone": `${host.url}/private/gonetoken-1234abcd/missing.ics?key=querysecret42`,
      "/reminder/feeds/loop": `${host.url}/loop/looptoken-9z8y7x6w5v/a.ics`,
      "/reminder/feeds/refused": `http://127.0.0.1:${refused}/private/refusedtoken-5678efgh/x.ics`,
    };
    const ref = (name: string) => `ssm:/reminder/${name}`;
    const config = {
      fetch: { attempts: 1, timeoutSeconds: 5 },
      webhooks: { team: ref("webhooks/team"), revoked: ref("webhooks/revoked"), down: ref("webhooks/down") },
      feeds: [
        { id: "team", url: ref("feeds/team"), webhook: "team" },
        { id: "team-revoked", url: ref("feeds/team"), webhook: "revoked" },
        { id: "team-down", url: ref("feeds/team"), webhook: "down" },
        { id: "gone", url: ref("feeds/gone"), webhook: "team" },
        { id: "loop", url: ref("feeds/loop"), webhook: "team" },
        { id: "refused", url: ref("feeds/refused"), webhook: "team" },
      ],
    };
    const ssm = await startSsm(new Map([["/reminder/config", JSON.stringify(config)], ...Object.entries(secrets)]));

    try {
      // Act
      const run = await runCli("src/cli/invoke.ts", ["events/scheduled.json"], {
        CONFIG_PARAMETER: "/reminder/config",
        CONFIG_FILE: "",
        LOG_LEVEL: "debug",
        AWS_ENDPOINT_URL_SSM: ssm.url,
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AKIDLOOPBACK",
        AWS_SECRET_ACCESS_KEY: "loopback-secret",
      });

      // Assess: the run happened and named what failed…
      const lines = run.stdout.trim().split("\n");
      const result = JSON.parse(lines[lines.length - 1] ?? "{}");
      expect(result.feeds).toEqual({ total: 6, ok: 3, failed: 3, unchanged: 0, skipped: 0 });
      expect(result.reminders).toMatchObject({ sent: 2, failed: 4 });
      const named = (result.errors as { feed?: string; webhook?: string }[]).map((e) => e.feed ?? e.webhook).sort();
      expect(named).toEqual(["down", "gone", "loop", "refused", "revoked"]);
      expect(run.stderr).toMatch(/"feed failed"/);
      expect(run.stderr).toMatch(/"delivery failed"/);
      // …and nothing secret is in the logs or the result
      const output = run.stdout + run.stderr;
      for (const url of Object.values(secrets)) {
        expect(output).not.toContain(url);
        expect(output).not.toContain(new URL(url).pathname);
      }
      expect(output).not.toMatch(/hooktoken|feedtoken|gonetoken|looptoken|refusedtoken|querysecret42|B0BBBB2222/);
    } finally {
      await Promise.all([ssm.close(), host.close(), slack.close()]);
    }
  });
});
