// One measured process of `npm run bench:calendar`: `node bench/calendar-run.ts <reader> <file>`
// reads the file once with one reader and prints, as one JSON line, what the reading took inside
// the process and what the process as a whole used by then. Each reader imports only what it needs,
// so the process of one reader carries no other's modules.
import { readFileSync } from "node:fs";
import { EXPORT_WINDOW } from "./google-export.ts";

/** What one process reports. */
export interface RunFigures {
  reader: string;
  /** The reading itself (parse, and expand where the reader expands), inside the process. */
  readMs: number;
  /** Occurrences in the window for readers that expand; events read for those that only parse. */
  count: number;
  /** The process's user + system CPU time since it started, in ms. */
  cpuMs: number;
  /** The process's peak resident set size, in MB. */
  peakRssMb: number;
}

const DAY_MS = 86_400_000;
/** What a run reads a feed for (src/run/stages.ts): the window, a day before it and eight after. */
const RUN_HORIZON = { from: new Date(EXPORT_WINDOW.from.getTime() - DAY_MS), to: new Date(EXPORT_WINDOW.to.getTime() + 8 * DAY_MS) };

/** Loads a reader's modules (not timed), then hands back the reading itself (timed). */
type Reader = () => Promise<(file: string) => number>;

export const READERS: Record<string, Reader> = {
  /**
   * Our engine through its public API as a run uses it: the feed's bytes, as downloaded, parsed for
   * the run's horizon (a day before the window to eight days after it), then the occurrences of one day.
   */
  ours: async () => {
    const { occurrencesOf, parseCalendar } = await import("../src/calendar/expand.ts");
    // A run checks its configured zone before it reads any feed (src/config/schema.ts): the first
    // Intl formatter, which loads ICU's zone data, is made then, not in the middle of a reading.
    const { isTimeZone } = await import("../src/calendar/wall-clock.ts");
    isTimeZone("Europe/Berlin");
    return (file) =>
      occurrencesOf(parseCalendar(readFileSync(file), { horizon: RUN_HORIZON }), { ...EXPORT_WINDOW, timezone: "Europe/Berlin" })
        .occurrences.length;
  },
  /** node-ical's own synchronous parse of the file, no expansion. */
  "node-ical parse": async () => {
    const { default: ical } = await import("node-ical");
    return (file) => Object.values(ical.sync.parseFile(file)).filter((c) => c?.type === "VEVENT").length;
  },
  /** ical.js: parse, relate exceptions, expand one day (bench/ical-js.ts). */
  "ical.js": async () => {
    const { icalJs } = await import("./ical-js.ts");
    return (file) => icalJs.expand(icalJs.parse(readFileSync(file, "utf8")), EXPORT_WINDOW.from, EXPORT_WINDOW.to).length;
  },
  /** The floor any reader pays: read the file and split it into lines. */
  "read + split lines": async () => (file) => readFileSync(file, "utf8").split(/\r?\n/).length,
};

/** Milliseconds our engine takes to expand a calendar it keeps, per later window (the warm path). */
export interface KeptFigures {
  windows: { label: string; ms: number; occurrences: number }[];
}

/**
 * The warm path: a warm Lambda keeps the parsed calendar of a feed that answered 304 Not Modified
 * and expands it again for each later run. Medians of `runs` expansions per window.
 */
async function kept(file: string, runs: number): Promise<KeptFigures> {
  const { occurrencesOf, parseCalendar } = await import("../src/calendar/expand.ts");
  const calendar = parseCalendar(readFileSync(file), { horizon: RUN_HORIZON });
  occurrencesOf(calendar, { ...EXPORT_WINDOW, timezone: "Europe/Berlin" });
  const later = (label: string, days: number) => ({ label, from: new Date(EXPORT_WINDOW.from.getTime() + days * 86_400_000) });
  const windows = [later("five minutes later", 5 / 1440), later("the next day", 1), later("a week later", 7), later("a month later", 30)];
  return {
    windows: windows.map(({ label, from }) => {
      const times: number[] = [];
      let occurrences = 0;
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        occurrences = occurrencesOf(calendar, { from, to: new Date(from.getTime() + 86_400_000), timezone: "Europe/Berlin" }).occurrences
          .length;
        times.push(performance.now() - started);
      }
      return { label, ms: times.sort((x, y) => x - y)[Math.floor(runs / 2)] as number, occurrences };
    }),
  };
}

async function main(): Promise<void> {
  const [name, file] = process.argv.slice(2);
  if (name === "--kept" && file) {
    process.stdout.write(`${JSON.stringify(await kept(file, 5))}\n`);
    return;
  }
  const reader = name === undefined ? undefined : READERS[name];
  if (!reader || !file) throw new Error(`usage: node bench/calendar-run.ts <${Object.keys(READERS).join("|")}> <file.ics>`);
  const read = await reader();
  const started = performance.now();
  const count = read(file);
  const readMs = performance.now() - started;
  const usage = process.resourceUsage();
  const figures: RunFigures = {
    reader: name as string,
    readMs,
    count,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    peakRssMb: usage.maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

if (process.argv[1] === new URL(import.meta.url).pathname) await main();
