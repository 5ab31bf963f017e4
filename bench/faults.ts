// npm run -s bench:faults
// The hostile calendar servers of the fault suite (test/faults/cases/hostile-feeds.ts), run with the
// DEFAULT limits (fetch.timeoutSeconds 10 → a per-feed deadline of 20 s, 3 attempts, 500 ms first
// backoff) and real waits, to measure how long a run beside hostile feeds takes; then every other
// case of the suite (bench/fault-suite.ts). Loopback only.
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { configOf } from "../src/config/schema.ts";
import { createFeedFetcher } from "../src/feeds/fetch.ts";
import { createLogger } from "../src/log.ts";
import { runReminders } from "../src/run/run.ts";
import { createSlackPoster } from "../src/slack/webhook.ts";
import { noTracer } from "../src/tracing/tracer.ts";
import * as hostile from "../test/support/hostile.ts";
import { startSlack } from "../test/support/loopback.ts";

const fixture = (name: string) => readFileSync(`test/fixtures/${name}`, "utf8");

async function startServers() {
  const plain = await hostile.calendarServer(fixture("standup-at-1500z.ics"));
  const servers: Record<string, hostile.Hostile> = {
    healthy: await hostile.calendarServer(fixture("standup-at-1500z.ics"), "gzip"),
    "healthy-br": await hostile.calendarServer(fixture("retro-at-1502z.ics"), "br"),
    malformed: await hostile.calendarServer(fixture("one-event-without-dtstart.ics")),
    flaky: await hostile.flakyServer([[500], [503]], fixture("standup-at-1500z.ics")),
    "rate-limited": await hostile.flakyServer([[429, { "retry-after": "1" }]], fixture("retro-at-1502z.ics")),
    login: await hostile.loginPageServer(),
    huge: await hostile.hugeServer(30),
    silent: await hostile.silentServer(),
    trickle: await hostile.tricklingServer(1000),
    loop: await hostile.redirectLoopServer(),
    downgrade: await hostile.httpsRedirectServer(`${plain.url}/standup.ics`),
    unauthorized: await hostile.statusServer(401),
    forbidden: await hostile.statusServer(403),
    gone: await hostile.statusServer(404),
  };
  return { servers, close: () => Promise.all([plain.close(), ...Object.values(servers).map((s) => s.close())]) };
}

const rows: string[][] = [["strategy", "wall s", "ok", "failed", "sent", "slowest feed", "its s"]];
for (const strategy of ["pipelined", "serial"] as const) {
  const { servers, close } = await startServers();
  const slack = await startSlack();
  const config = configOf({
    webhooks: { team: `${slack.url}/services/T0/B0/x` },
    feeds: [
      ...Object.entries(servers).map(([id, s]) => ({ id, url: `${s.url}/${id}.ics`, webhook: "team" })),
      { id: "unresolvable", url: "http://calendar.invalid/team.ics", webhook: "team" },
    ],
  });
  const lines: { feed?: string; ms?: number }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  process.stderr.write(`running ${strategy} with default limits…\n`);
  const started = performance.now();
  const result = await runReminders(
    { config, reference: new Date("2026-03-12T14:50:00Z"), strategy, dryRun: false },
    {
      fetcher: createFeedFetcher({
        timeoutMs: config.fetch.timeoutSeconds * 1000,
        maxBytes: config.fetch.maxBytes,
        attempts: config.fetch.attempts,
        ca: hostile.loopbackCertificate,
      }),
      poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 10_000 }),
      tracer: noTracer,
      log: createLogger("info", undefined, sink),
      clock: () => new Date("2026-03-12T14:50:00Z"),
    },
  );
  const wall = (performance.now() - started) / 1000;
  const slowest = lines.filter((l) => l.feed && typeof l.ms === "number").sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0))[0];
  rows.push([
    strategy,
    wall.toFixed(1),
    String(result.feeds.ok),
    String(result.feeds.failed),
    String(result.reminders.sent),
    slowest?.feed ?? "",
    ((slowest?.ms ?? 0) / 1000).toFixed(1),
  ]);
  await Promise.all([close(), slack.close()]);
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join("  ")}\n`);
await import("./fault-suite.ts");
