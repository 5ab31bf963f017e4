// The workload of `npm run compare` in a process of its own, so the benchmark's memory figures are
// those of the run alone. Reads a WorkloadSpec as JSON from argv[2], prints WorkloadAddresses as one
// JSON line, and serves until its standard input closes.
import { serveFeeds, serveSlack, spreadLatencies, syntheticCalendar, type WorkloadSpec } from "./workload.ts";

const spec = JSON.parse(process.argv[2] ?? "{}") as WorkloadSpec;
const latencies = spreadLatencies(spec.feeds, spec.minLatencyMs, spec.maxLatencyMs);
const calendars = latencies.map((latencyMs, i) => ({
  body: syntheticCalendar(`feed-${i}`, new Date(spec.dueAt), spec.series, spec.pastEvents),
  latencyMs,
}));
const feeds = await serveFeeds(calendars, spec.hosts);
const slack = await serveSlack(spec.slackLatencyMs);
process.stdout.write(
  `${JSON.stringify({
    feeds: feeds.urls,
    slack: slack.url,
    calendarBytes: Math.round(calendars.reduce((n, c) => n + c.body.length, 0) / Math.max(1, spec.feeds)),
  })}\n`,
);
process.stdin.resume();
process.stdin.on("end", () => {
  void Promise.all([feeds.close(), slack.close()]).then(() => process.exit(0));
});
