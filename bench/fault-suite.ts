// The cases of the fault-injection suite (test/faults/suite.test.ts, one module each in
// test/faults/cases/) with the product's DEFAULT limits and real waits: Slack's own pace, its
// 15 s attempt timeout, a Slack that really takes 6 s. Each case runs in a child process under
// the V8 limits of a 256 MB function, as the suite runs its memory-heavy cases, and reports its
// own CPU time and peak RSS. Loopback and dynalite only. Printed by `npm run -s bench:faults`.
import { amplificationRuns } from "../test/faults/cases/amplification.ts";
import { childRun } from "../test/faults/cases/common.ts";
import { deliveryAtScaleRuns } from "../test/faults/cases/delivery-at-scale.ts";
import { expansionRuns } from "../test/faults/cases/expansion.ts";
import { hostileTextRuns } from "../test/faults/cases/hostile-text.ts";
import { messageLimitsRuns } from "../test/faults/cases/message-limits.ts";
import { redosRuns } from "../test/faults/cases/redos.ts";
import { slowSlackRuns } from "../test/faults/cases/slow-slack.ts";
import { ssrfRuns } from "../test/faults/cases/ssrf.ts";
import { FIRST, NEXT, teamWeekConfig } from "../test/faults/cases/team-week.ts";
import { type ChildReport, type ChildRun, runInChild, startChild } from "../test/faults/support/child.ts";
import { startSuiteServers } from "../test/faults/support/suite.ts";

const HEADER = ["case", "wall s", "CPU s", "peak RSS MB", "feeds ok/failed", "reminders sent/unknown/failed"];
const rows: string[][] = [HEADER];

function row(name: string, report: ChildReport | undefined): void {
  if (!report) return void rows.push([name, "—", "—", "—", "—", "—"]);
  const { feeds, reminders } = report.result;
  rows.push([
    name,
    (report.wallMs / 1000).toFixed(1),
    (report.cpuMs / 1000).toFixed(1),
    String(report.peakRssMb),
    `${feeds.ok}/${feeds.failed}`,
    `${reminders.sent}/${reminders.unknown}/${reminders.failed}`,
  ]);
}

/** Runs `runs` in one child process each (a cold function per run), one row per run. */
async function measure(names: string[], runs: ChildRun[] | Promise<ChildRun[]>): Promise<void> {
  const list = await runs;
  for (const [i, run] of list.entries()) {
    process.stderr.write(`  ${names[i]}…\n`);
    const [report] = await runInChild({ runs: [run] });
    row(names[i] ?? `run ${i + 1}`, report);
  }
}

const suite = await startSuiteServers();
process.stderr.write("fault suite cases with default limits and real waits…\n");
await measure(
  ["1 1,000 reminders, one webhook (20 feeds)", "1 400 feeds, 1 reminder each, one webhook", "1 four SECONDLY events (600 bytes)"],
  deliveryAtScaleRuns(suite, "bench"),
);
await measure(["2 expansion: 4 runaway feeds + 1 slow healthy"], expansionRuns(suite, "bench"));
await measure(["3 Slack answers 200 after 6 s", "3 the next run"], slowSlackRuns(suite, "bench"));

// 4: SIGKILL while Slack holds the post, then the next window; the ledger failing between claim and delivered.
{
  const channel = "once/bench-killed";
  const table = await suite.dynamo.createLedgerTable();
  const ledger = { endpoint: suite.dynamo.endpoint, table, catchUpMinutes: 15 };
  const config = JSON.parse(teamWeekConfig(suite, channel, table)) as object;
  const killed = startChild({ runs: [childRun(config, { ledger, reference: FIRST.toISOString() })] });
  suite.slack.behave(channel, () => {
    killed.process.kill("SIGKILL");
    return { hold: true };
  });
  process.stderr.write("  4 SIGKILL mid-post…\n");
  const started = performance.now();
  await killed.outcome;
  rows.push([
    "4 SIGKILL during a post Slack received",
    ((performance.now() - started) / 1000).toFixed(1),
    "—",
    "—",
    "—",
    "killed mid-post",
  ]);
  for (const response of suite.slack.held(channel).splice(0)) response.destroy();
  suite.slack.behave(channel, () => ({ status: 200, body: "ok" }));
  await measure(["4 the next run beside the dead run's claims"], [childRun(config, { ledger, reference: NEXT.toISOString() })]);
  const failing = { ...ledger, table: await suite.dynamo.createLedgerTable(), failDelivered: true };
  const unrecorded = JSON.parse(teamWeekConfig(suite, "once/bench-unrecorded", failing.table)) as object;
  await measure(
    ["4 ledger fails between claim and delivered"],
    [childRun(unrecorded, { ledger: failing, reference: FIRST.toISOString() })],
  );
}

await measure(["5 17 reminders, a 3,000-char join link, & everywhere"], messageLimitsRuns(suite, "bench"));
await measure(["6 (a+)+$ and ^(a|aa)+b$ on long titles"], redosRuns(suite, "bench"));
await measure(["7 12 redirects into the network + 1 healthy"], ssrfRuns(suite, "bench"));
await measure(["8 100,000 open VEVENTs, a 10 MB line, 9 MB of zones"], amplificationRuns(suite, "bench"));
await measure(["9 bidi, formatting, user:pass@, Latin-1, UTF-16, HTML"], hostileTextRuns(suite, "bench"));
await suite.close();

process.stdout.write("\nfault suite cases (default limits, real waits; each run a 256 MB function of its own):\n");
const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
for (const r of rows)
  process.stdout.write(
    `${r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd()}\n`,
  );
