// npm start — the whole reminder path on demo calendars served on loopback. Each reminder is shown
// as the Slack message it would be; with SLACK_WEBHOOK_URL set, it is posted there for real.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoCalendars } from "../demo/calendars.ts";
import { fakeSlack, serveCalendars } from "../demo/servers.ts";
import { messageToTerminal } from "../demo/terminal.ts";
import { IcalSlackReminderError } from "../errors.ts";
import { IN_PROCESS_LEDGER } from "../ledger/select.ts";
import { readCommandLine } from "./command-line.ts";
import { lambdaContext, lambdaEnvironment } from "./lambda-context.ts";

const USAGE =
  "usage: npm start\n" +
  "  runs the job on two demo calendars served on 127.0.0.1 and shows the Slack messages it would post;\n" +
  "  with SLACK_WEBHOOK_URL set, posts them there instead";

async function main(): Promise<void> {
  readCommandLine(USAGE, {});
  const now = new Date();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const realSlack = process.env.SLACK_WEBHOOK_URL?.trim() || undefined;
  if (realSlack && !/^https?:\/\/[^/]+\/.+/i.test(realSlack)) {
    process.stderr.write(
      "SLACK_WEBHOOK_URL must be a Slack incoming-webhook URL, https://hooks.slack.com/services/…; unset it to see the messages here\n",
    );
    process.exitCode = 2;
    return;
  }
  let shown = 0;
  // Served as they were before the planning series changed: the first read is the baseline that
  // change notices compare the second with.
  const served = demoCalendars(now, zone, { changed: false });
  const calendars = await serveCalendars(served);
  const slack = await fakeSlack((payload) => {
    shown += 1;
    process.stdout.write(`\n── Slack message ${shown} ${"─".repeat(40)}\n`);
    process.stdout.write(`${messageToTerminal(payload as Parameters<typeof messageToTerminal>[0])}\n`);
  });
  const dir = await mkdtemp(join(tmpdir(), "ical-slack-reminder-demo-"));
  try {
    const hhmm = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(now);
    const config = {
      scheduleMinutes: 5,
      leadMinutes: [10],
      timezone: zone,
      allDay: { remind: true, at: hhmm },
      webhooks: { team: realSlack ?? `${slack.url}/services/T0DEMO/B0DEMO/demo` },
      feeds: [
        { id: "team", name: "Team calendar", url: `${calendars.url}/team.ics`, webhook: "team" },
        { id: "planning", name: "Planning", url: `${calendars.url}/planning.ics`, webhook: "team" },
      ],
      // Next week's cancelled planning is eight days ahead; the demo's two reads are minutes apart.
      notices: { horizonDays: 8, quietMinutes: 0 },
      // Due in this very run, so the demo shows today's agenda beside the reminders.
      digests: [{ webhook: "team", daily: hhmm, title: "Today" }],
    };
    const configFile = join(dir, "config.json");
    await writeFile(configFile, JSON.stringify(config, null, 2));

    const fn = { functionName: "ical-slack-reminder-demo", memoryMB: 512, timeoutSeconds: 60, region: "us-east-1" };
    Object.assign(process.env, lambdaEnvironment(fn), {
      CONFIG_FILE: configFile,
      // Exactly-once and catch-up as deployed, with the ledger kept in this process.
      LEDGER_TABLE: process.env.LEDGER_TABLE ?? IN_PROCESS_LEDGER,
      // The demo's own schedule: a SCHEDULE_MINUTES left in the shell for the function is not its.
      SCHEDULE_MINUTES: String(config.scheduleMinutes),
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    });
    process.stdout.write(
      `ical-slack-reminder demo — ${now.toISOString()} (${zone})\n` +
        `Two demo calendars on ${calendars.url}; reminders due in the next 5 minutes, 10 minutes ahead.\n` +
        (realSlack ? "Posting to SLACK_WEBHOOK_URL.\n" : "Messages go to a local stand-in for Slack and are shown here.\n"),
    );
    const { handler } = await import("../local.ts");
    // The run before, on the calendars as they were: it sets the change notices' baseline.
    await handler({ now: new Date(now.getTime() - 5 * 60_000).toISOString() }, lambdaContext(fn));
    Object.assign(served, demoCalendars(now, zone));
    const result = await handler({ now: now.toISOString() }, lambdaContext(fn));
    process.stdout.write(
      `\n${result.reminders.sent} of ${result.reminders.due} reminders sent from ${result.feeds.ok}/${result.feeds.total} feeds ` +
        `in ${result.durationMs} ms (${result.strategy}); ${result.digests?.sent ?? 0} daily digest posted. ` +
        "The cancelled Sprint planning next week is never reminded.\n" +
        `${result.notices?.sent ?? 0} change notices sent: the feeds changed since the run five minutes before.\n`,
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.errors.length > 0) process.exitCode = 1;
  } finally {
    await Promise.all([calendars.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  }
}

main().catch((error: unknown) => {
  // The product's own errors say what to fix; anything else is a bug, shown with its stack.
  process.stderr.write(`${error instanceof IcalSlackReminderError ? error.message : ((error as Error).stack ?? String(error))}\n`);
  process.exitCode = 1;
});
