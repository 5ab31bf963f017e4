// npm run -s occurrences -- <file-or-url> --from <ISO> --to <ISO> [--tz <IANA>]
// Prints one JSON line per occurrence starting in [from, to), sorted by start: how a user finds out
// why a reminder did or did not come. With --tz, a timed occurrence also carries its start and end
// on that zone's clocks (`localStart`, `localEnd`), so "why did this come at 9?" reads at a glance.
import { readFile } from "node:fs/promises";
import { Temporal } from "temporal-polyfill";
import { expandCalendar } from "../calendar/expand.ts";
import { type Occurrence, occurrenceRecord } from "../calendar/occurrence.ts";
import type { FeedInput } from "../calendar/octets.ts";
import { isRealWallClock, isTimeZone, wallClockToInstant } from "../calendar/wall-clock.ts";
import { CalendarError } from "../errors.ts";
import { isoInstant } from "../event.ts";
import { decodeFeed } from "../feeds/decode.ts";
import { hostOf } from "../feeds/failures.ts";
import { createFeedFetcher } from "../feeds/fetch.ts";
import { readCommandLine, usageError } from "./command-line.ts";

const USAGE =
  "usage: npm run -s occurrences -- <file-or-url> --from <ISO> --to <ISO> [--tz <IANA>]\n" +
  "  --from/--to: 2026-03-12, 2026-03-12T09:00 (both read in --tz) or 2026-03-12T09:00:00Z / +09:00";

const fail: (message: string) => never = (message) => usageError(USAGE, message);

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 date or date-time; without an offset it is read on the clocks of `timeZone`. */
function instant(value: string | undefined, flag: string, timeZone: string): Date {
  if (value === undefined) fail(`${flag} is required`);
  const wall = WALL_CLOCK.exec(value);
  const fields = wall && {
    year: Number(wall[1]),
    month: Number(wall[2]),
    day: Number(wall[3]),
    hour: Number(wall[4] ?? 0),
    minute: Number(wall[5] ?? 0),
    second: Number(wall[6] ?? 0),
  };
  // A day or time that does not exist (2026-02-30, 25:99) is refused, not rolled over.
  const date = fields
    ? isRealWallClock(fields)
      ? wallClockToInstant(fields, timeZone)
      : undefined
    : WITH_OFFSET.test(value)
      ? isoInstant(value)
      : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    fail(`${flag} "${value}" is not an ISO 8601 date or date-time, e.g. 2026-03-12 or 2026-03-12T09:00:00Z`);
  }
  return date;
}

/** An instant on the clocks of `timeZone`, with its offset: `2026-03-10T09:00:00-04:00`. */
function onClocksOf(instant: Date, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime())
    .toZonedDateTimeISO(timeZone)
    .toString({ timeZoneName: "never", fractionalSecondDigits: 0 });
}

/**
 * The line of `occurrence`; with a zone asked for, a timed one also gives its times there. All-day
 * ones need nothing more: their days are already that zone's.
 */
function lineOf(occurrence: Occurrence, timeZone: string | undefined): string {
  const record = occurrenceRecord(occurrence);
  if (timeZone === undefined || occurrence.allDay) return JSON.stringify(record);
  return JSON.stringify({ ...record, localStart: onClocksOf(occurrence.start, timeZone), localEnd: onClocksOf(occurrence.end, timeZone) });
}

async function read(source: string): Promise<FeedInput> {
  if (/^webcal:\/\//i.test(source)) {
    fail(`"webcal://" is how calendar apps subscribe; use the same address with https:// instead`);
  }
  if (/^https?:\/\//i.test(source)) {
    const fetcher = createFeedFetcher({ timeoutMs: 15_000, maxBytes: 50 * 1024 * 1024, attempts: 2 });
    // No cache is given to this fetcher, so the feed is always downloaded, never `unchanged`.
    const body = await fetcher.fetchFeed({ id: "calendar", url: source });
    return body.unchanged ? "" : body.text;
  }
  // A file is read as a feed is downloaded: UTF-8 unless a byte order mark says otherwise.
  return decodeFeed(await readFile(source), undefined);
}

async function main(): Promise<void> {
  const { values, positionals } = readCommandLine(USAGE, {
    from: { type: "string" },
    to: { type: "string" },
    tz: { type: "string" },
  });
  const source = positionals[0];
  if (!source) fail("a calendar file or URL is required");
  const timezone = values.tz ?? "UTC";
  if (!isTimeZone(timezone)) fail(`--tz "${timezone}" is not an IANA time zone, e.g. Europe/Berlin`);
  const from = instant(values.from, "--from", timezone);
  const to = instant(values.to, "--to", timezone);
  if (from >= to) fail("--from must be before --to");
  // `head` and friends close the pipe early; that is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const text = await read(source);
  let expansion: ReturnType<typeof expandCalendar>;
  try {
    expansion = expandCalendar(text, { from, to, timezone });
  } catch (error) {
    // The engine's messages are written to follow the feed's name. A URL is named by its host:
    // a private feed's address (Google's private-… path, a ?token=, user:password@) is a secret,
    // and this output is what people paste into issues.
    const name = /^https?:\/\//i.test(source) ? `the calendar at ${hostOf(source)}` : source;
    if (error instanceof CalendarError) throw new Error(`${name} ${error.message}`, { cause: error });
    throw error;
  }
  for (const warning of expansion.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(expansion.occurrences.map((o) => `${lineOf(o, values.tz)}\n`).join(""));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
