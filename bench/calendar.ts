// npm run bench:calendar
// Parses and expands a ~5 MB feed (10,000 events, 300 recurring series) over a one-day window with
// our engine (node-ical + src/calendar) and with ical.js, side by side in one run. Each library runs
// in its own child process, so peak memory is its own; times are medians of repeated runs in it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchmarkFeed } from "./calendar-feed.ts";
import { LIBRARIES } from "./calendar-libraries.ts";

const FROM = new Date("2026-03-12T00:00:00Z");
const TO = new Date("2026-03-13T00:00:00Z");
const RUNS = 5;

interface Figures {
  library: string;
  parseMs: number;
  expandMs: number;
  reexpandMs: number;
  peakRssMb: number;
  baseRssMb: number;
  retainedMb: number;
  occurrences: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** In the child: one library, one feed; prints its figures as a JSON line. */
function measure(name: string, file: string): Figures {
  const library = LIBRARIES[name];
  if (!library) throw new Error(`no library "${name}"`);
  const ics = readFileSync(file, "utf8");
  gc();
  const baseRssMb = process.resourceUsage().maxRSS / 1024;
  const heapBefore = process.memoryUsage().heapUsed;
  // The first run alone decides peak memory and what the parsed calendar keeps.
  let parsed = library.parse(ics);
  let starts = library.expand(parsed, FROM, TO);
  gc();
  const retainedMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const parseTimes: number[] = [];
  const expandTimes: number[] = [];
  const reexpandTimes: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    parsed = undefined;
    gc();
    const t0 = performance.now();
    parsed = library.parse(ics);
    const t1 = performance.now();
    starts = library.expand(parsed, FROM, TO);
    const t2 = performance.now();
    // A warm Lambda keeps the parsed calendar of an unchanged feed and only expands it again.
    library.expand(parsed, new Date(FROM.getTime() + 300_000), new Date(TO.getTime() + 300_000));
    const t3 = performance.now();
    parseTimes.push(t1 - t0);
    expandTimes.push(t2 - t1);
    reexpandTimes.push(t3 - t2);
  }
  return {
    library: name,
    parseMs: median(parseTimes),
    expandMs: median(expandTimes),
    reexpandMs: median(reexpandTimes),
    peakRssMb,
    baseRssMb,
    retainedMb,
    occurrences: starts.length,
  };
}

function main(): void {
  const [mode, childLibrary, childFile] = process.argv.slice(2);
  if (mode === "--child" && childLibrary && childFile) {
    process.stdout.write(`${JSON.stringify(measure(childLibrary, childFile))}\n`);
    return;
  }
  const feed = benchmarkFeed();
  const dir = mkdtempSync(join(tmpdir(), "calendar-bench-"));
  const file = join(dir, "feed.ics");
  writeFileSync(file, feed.ics);
  const sizeMb = Buffer.byteLength(feed.ics) / 1024 / 1024;
  process.stdout.write(
    `feed: ${sizeMb.toFixed(1)} MB, ${feed.events} events, ${feed.series} recurring series; window ${FROM.toISOString()} – ${TO.toISOString()}; median of ${RUNS} runs\n\n`,
  );
  const figures: Figures[] = [];
  try {
    for (const name of Object.keys(LIBRARIES)) {
      const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child", name, file], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (child.status !== 0) throw new Error(`${name} failed:\n${child.stderr}`);
      figures.push(JSON.parse(child.stdout.trim().split("\n").pop() as string) as Figures);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const f = (n: number, d = 0) => n.toFixed(d);
  const rows = figures.map((r) => [
    r.library,
    f(r.parseMs),
    f(r.expandMs),
    f(r.parseMs + r.expandMs),
    f(r.reexpandMs),
    f(r.peakRssMb),
    f(r.peakRssMb - r.baseRssMb),
    f(r.retainedMb, 1),
    String(r.occurrences),
  ]);
  const header = ["library", "parse ms", "expand ms", "parse+expand ms", "expand again ms", "peak RSS MB", "RSS growth MB", "parsed heap MB", "occurrences"];
  const table = [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
  process.stdout.write(`${table}\n`);
  const [ours, theirs] = figures;
  if (ours && theirs) {
    process.stdout.write(
      `\nical.js / ours: parse+expand ${f((theirs.parseMs + theirs.expandMs) / (ours.parseMs + ours.expandMs), 2)}×, ` +
        `expand again ${f(theirs.reexpandMs / ours.reexpandMs, 2)}×, peak RSS ${f(theirs.peakRssMb / ours.peakRssMb, 2)}×\n`,
    );
  }
}

main();
