/**
 * Drains `count` reminders for one webhook in a process of its own, so a test can run it with V8's
 * heap limited as Lambda limits it and read its peak memory. Arguments: the count, and the webhook
 * URL to post to (default: a loopback Slack of its own). Prints one JSON line:
 * `{ sent, peakRssMb }`, the peak being the process's own (`process.resourceUsage().maxRSS`).
 */
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { createDelivery } from "../../src/slack/delivery.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { startSlack } from "./loopback.ts";
import { reminders } from "./reminders.ts";

const count = Number(process.argv[2] ?? "1000");
const start = new Date("2026-03-12T15:00:00Z");
const own = process.argv[3] ? undefined : await startSlack();
const webhook = process.argv[3] ?? `${own?.url}/services/T/B/x`;
const delivery = createDelivery({
  poster: createSlackPoster({ webhooks: { team: webhook }, timeoutMs: 15_000 }),
  clock: () => new Date("2026-03-12T14:50:00Z"),
  ledger: createMemoryLedger(),
  pace: { burst: 100_000, intervalMs: 1 },
});
const outcomes = await delivery.deliver("team", reminders(count, start));
process.stdout.write(
  `${JSON.stringify({
    sent: outcomes.filter((o) => o.kind === "sent").length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
await own?.close();
