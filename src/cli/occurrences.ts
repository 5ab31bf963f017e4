// npm run -s occurrences -- <file-or-url> --from <ISO> --to <ISO> [--tz <IANA>]
// Prints one JSON line per occurrence starting in [from, to), sorted by start: how a user finds out
// why a reminder did or did not come.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { expandCalendar } from "../calendar/expand.ts";
import { occurrenceLine } from "../calendar/occurrence.ts";
import { isTimeZone } from "../calendar/zones.ts";
import { createFeedFetcher } from "../feeds/fetch.ts";

const USAGE = "usage: npm run -s occurrences -- <file-or-url> --from <ISO> --to <ISO> [--tz <IANA>]";

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function instant(value: string | undefined, flag: string): Date {
  if (value === undefined) fail(`${flag} is required`);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) fail(`${flag} "${value}" is not an ISO 8601 date or date-time`);
  return date;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { from: { type: "string" }, to: { type: "string" }, tz: { type: "string" } },
    allowPositionals: true,
  });
  const source = positionals[0];
  if (!source) fail("a calendar file or URL is required");
  const from = instant(values.from, "--from");
  const to = instant(values.to, "--to");
  const timezone = values.tz ?? "UTC";
  if (!isTimeZone(timezone)) fail(`--tz "${timezone}" is not an IANA time zone`);
  let text: string;
  if (/^https?:\/\//i.test(source)) {
    const fetcher = createFeedFetcher({ timeoutMs: 15_000, maxBytes: 50 * 1024 * 1024, attempts: 2 });
    const body = await fetcher.fetchFeed({ id: "calendar", url: source });
    text = body.unchanged ? "" : body.text;
  } else {
    text = await readFile(source, "utf8");
  }
  const { occurrences, warnings } = expandCalendar(text, { from, to, timezone });
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(occurrences.map((o) => `${occurrenceLine(o)}\n`).join(""));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
