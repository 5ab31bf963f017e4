// The delivery and redirect cases of the fault-injection suite (test/faults/, test/feeds/
// redirect-guard.test.ts) with real waits and the default limits, timed: a Slack that answers
// 200 after 6 s, 1,000 reminders for one webhook, 400 feeds with one reminder each on one webhook,
// and redirects into the function's network. Loopback only. Printed by `npm run -s bench:faults`.
import { createMemoryLedger } from "../src/ledger/memory.ts";
import { createFeedFetcher } from "../src/feeds/fetch.ts";
import { configOf } from "../src/config/schema.ts";
import { silentLogger } from "../src/log.ts";
import { runReminders } from "../src/run/run.ts";
import { createDelivery } from "../src/slack/delivery.ts";
import { createSlackPoster } from "../src/slack/webhook.ts";
import { noTracer } from "../src/tracing/tracer.ts";
import * as hostile from "../test/support/hostile.ts";
import { startLoopback, startSlack } from "../test/support/loopback.ts";
import { calendarDueNow, REFERENCE } from "../test/support/run-fakes.ts";
import { reminders } from "../test/support/reminders.ts";

type Row = [string, string, string, string, string];
const rows: Row[] = [["case", "wall s", "posts", "outcome", "peak RSS MB"]];
let peak = 0;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20);
const rss = () => (Math.max(peak, process.memoryUsage.rss()) / 2 ** 20).toFixed(0);

async function timed<T>(run: () => Promise<T>): Promise<[T, string]> {
  const started = performance.now();
  const value = await run();
  return [value, ((performance.now() - started) / 1000).toFixed(1)];
}

// 1. Slack answers 200 after 6 s, twice over: one copy, no retry.
{
  let posts = 0;
  const slack = await startLoopback((_request, response) => {
    posts += 1;
    setTimeout(() => response.writeHead(200).end("ok"), 6_000);
  });
  const delivery = createDelivery({
    poster: createSlackPoster({ webhooks: { team: `${slack.url}/services/T/B/x` }, timeoutMs: 15_000 }),
    clock: () => REFERENCE,
    ledger: createMemoryLedger(),
  });
  const [outcomes, wall] = await timed(() => delivery.deliver("team", reminders(20, REFERENCE)));
  rows.push(["Slack answers 200 after 6 s (20 reminders)", wall, String(posts), `${outcomes.filter((o) => o.kind === "sent").length} sent`, rss()]);
  await slack.close();
}

// 2. 1,000 reminders for one webhook in one run.
{
  const slack = await startSlack();
  const delivery = createDelivery({
    poster: createSlackPoster({ webhooks: { team: `${slack.url}/services/T/B/x` }, timeoutMs: 15_000 }),
    clock: () => REFERENCE,
    pace: { burst: 1_000, intervalMs: 1 },
  });
  const [outcomes, wall] = await timed(() => delivery.deliver("team", reminders(1_000, REFERENCE)));
  rows.push(["1,000 reminders, one webhook (pace lifted)", wall, String(slack.posts.length), `${outcomes.filter((o) => o.kind === "sent").length} sent`, rss()]);
  await slack.close();
}

// 3. 400 feeds with one due reminder each, one webhook, real pace (2 posts a second).
{
  const feeds = await startLoopback((request, response) => {
    response.writeHead(200, { "content-type": "text/calendar" }).end(calendarDueNow((request.url ?? "/x").slice(1, -4)));
  });
  const slack = await startSlack();
  const config = configOf({
    webhooks: { team: `${slack.url}/services/T/B/x` },
    feeds: Array.from({ length: 400 }, (_, i) => ({ id: `f${i}`, url: `${feeds.url}/f${i}.ics`, webhook: "team" })),
  });
  const [result, wall] = await timed(() =>
    runReminders(
      { config, reference: REFERENCE, strategy: "pipelined", dryRun: false },
      {
        fetcher: createFeedFetcher({ timeoutMs: 10_000, maxBytes: 1 << 20, attempts: 3 }),
        poster: createSlackPoster({ webhooks: config.webhooks, timeoutMs: 15_000 }),
        tracer: noTracer,
        log: silentLogger(),
        clock: () => REFERENCE,
      },
    ),
  );
  rows.push(["400 feeds, 1 reminder each, one webhook", wall, String(slack.posts.length), `${result.reminders.sent} sent`, rss()]);
  await Promise.all([feeds.close(), slack.close()]);
}

// 4. Redirects from a "public" feed into the function's network, each spelling once.
{
  const internal = await hostile.calendarServer(calendarDueNow("x"));
  const port = new URL(internal.url).port;
  const targets = ["localhost", "2130706433", "0177.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "169.254.169.254", "[fd00:ec2::254]", "10.0.0.1"];
  const redirectors = await Promise.all(targets.map((t) => hostile.redirectServer(`http://${t}:${port}/x.ics`)));
  const fetcher = createFeedFetcher({ timeoutMs: 2_000, maxBytes: 1 << 20, attempts: 1, resolve: async () => ["93.184.215.14"] });
  const [refused, wall] = await timed(async () => {
    let count = 0;
    for (const server of redirectors) {
      await fetcher.fetchFeed({ id: "r", url: `${server.url}/r.ics` }).catch((error: Error) => {
        if (/an internal address; refused/.test(error.message)) count += 1;
      });
    }
    return count;
  });
  rows.push([`redirects into the network (${targets.length} spellings)`, wall, String(internal.requests.length), `${refused} refused`, rss()]);
  await Promise.all([internal.close(), ...redirectors.map((s) => s.close())]);
}

clearInterval(sample);
process.stdout.write("\ndelivery and redirect faults (default limits, real waits):\n");
const widths = (rows[0] as Row).map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join("  ")}\n`);
