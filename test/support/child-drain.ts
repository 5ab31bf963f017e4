/**
 * Drains `count` reminders for one webhook to a loopback Slack in a process of its own, so a test
 * can run it with V8's heap limited as Lambda limits it and read its peak memory. Prints one JSON
 * line: `{ sent, posts, distinct, peakRssMb }`.
 */
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { createDelivery } from "../../src/slack/delivery.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { startSlack } from "./loopback.ts";
import { reminders } from "./reminders.ts";

const count = Number(process.argv[2] ?? "1000");
const start = new Date("2026-03-12T15:00:00Z");
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 10);
const slack = await startSlack();
const delivery = createDelivery({
  poster: createSlackPoster({ webhooks: { team: `${slack.url}/services/T/B/x` }, timeoutMs: 15_000 }),
  clock: () => new Date("2026-03-12T14:50:00Z"),
  ledger: createMemoryLedger(),
  pace: { burst: 100_000, intervalMs: 1 },
});
const outcomes = await delivery.deliver("team", reminders(count, start));
clearInterval(sampler);
const shown = slack.posts.flatMap((p) => p.payload.text.match(/Meeting \d+ —/g) ?? []);
process.stdout.write(
  `${JSON.stringify({
    sent: outcomes.filter((o) => o.kind === "sent").length,
    posts: slack.posts.length,
    shown: shown.length,
    distinct: new Set(shown).size,
    peakRssMb: Math.round(Math.max(peak, process.memoryUsage.rss()) / 2 ** 20),
  })}\n`,
);
await slack.close();
