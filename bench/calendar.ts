// npm run -s bench:calendar [-- --events 6000 --runs 5]
// Reads a generated Google-like export (bench/google-export.ts, ~6 MB) four ways, each in whole
// processes of its own (bench/calendar-run.ts): our engine (parse + the occurrences of one day,
// through the public API), node-ical's own parse alone, ical.js (parse + expand), and a floor (read
// the file and split its lines). Each is also run on a one-event calendar (its event on the window's
// day, so every reader reads it whole), so "extra" is what the big feed costs over the same process
// reading a calendar that small: wall time, CPU time (user + sys) and peak RSS,
// medians of --runs rounds, each running every reader in turn, big and small. Prints a table, the
// ratios the engine's targets are about (exits 1 when one is missed), and what expanding a kept
// calendar again costs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCommandLine, usageError } from "../src/cli/command-line.ts";
import { type KeptFigures, READERS, type RunFigures } from "./calendar-run.ts";
import { EXPORT_WINDOW, googleExport } from "./google-export.ts";

const USAGE = `npm run -s bench:calendar -- [options]
  --events N   VEVENTs in the generated export (default 6000, about 6 MB)
  --runs N     processes per reader and calendar; medians are shown (default 5)`;

const { values } = readCommandLine(USAGE, { events: { type: "string", default: "6000" }, runs: { type: "string", default: "5" } });
const events = Number(values.events);
const runs = Number(values.runs);
if (!Number.isInteger(events) || events < 1) usageError(USAGE, `--events must be a whole number of at least 1, not "${values.events}"`);
if (!Number.isInteger(runs) || runs < 1) usageError(USAGE, `--runs must be a whole number of at least 1, not "${values.runs}"`);

const RUNNER = fileURLToPath(new URL("./calendar-run.ts", import.meta.url));
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

interface Process extends RunFigures {
  /** Spawn to exit, as the parent saw it. */
  wallMs: number;
}

/** One whole process of `reader` on `file`. */
function runOnce(reader: string, file: string): Process {
  const started = performance.now();
  const child = spawnSync(process.execPath, [RUNNER, reader, file], { encoding: "utf8", maxBuffer: 1 << 20 });
  const wallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`${reader} on ${file} failed (exit ${child.status}):\n${child.stderr}`);
  return { ...(JSON.parse(child.stdout.trim().split("\n").pop() as string) as RunFigures), wallMs };
}

interface Row {
  reader: string;
  count: number;
  readMs: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  extraWallMs: number;
  extraCpuMs: number;
  extraRssMb: number;
}

function main(): void {
  const feed = googleExport({ events });
  const one = googleExport({ events: 1 });
  const dir = mkdtempSync(join(tmpdir(), "calendar-bench-"));
  const big = join(dir, "google-export.ics");
  const small = join(dir, "one-event.ics");
  writeFileSync(big, feed.ics);
  writeFileSync(small, one.ics);
  const sizeMb = Buffer.byteLength(feed.ics) / 1024 / 1024;
  process.stdout.write(
    `feed: ${sizeMb.toFixed(1)} MB, ${feed.events} VEVENTs (${feed.oneOffs} one-off, ${feed.allDay} of them all-day; ` +
      `${feed.series} series, ${feed.endedSeries} ended before 2026; ${feed.overrides} overrides); ` +
      `window ${EXPORT_WINDOW.from.toISOString()} – ${EXPORT_WINDOW.to.toISOString()}; ` +
      `medians of ${runs} rounds of every reader in turn, extra = over the same process reading a calendar of one event in the window\n\n`,
  );
  const rows: Row[] = [];
  /** Per round, node-ical's extra wall over ours, each from that round's own processes. */
  const roundRatios: number[] = [];
  let keptFigures: KeptFigures = { windows: [] };
  try {
    // Round by round, every reader in turn: a machine whose speed drifts over the minutes of a run
    // (a shared host) then slows every reader alike, and the ratios compare like with like.
    const readers = Object.keys(READERS);
    const processes = new Map(readers.map((reader) => [reader, { large: [] as Process[], base: [] as Process[] }]));
    const of = (reader: string) => processes.get(reader) as { large: Process[]; base: Process[] };
    for (let run = 0; run < runs; run++) {
      for (const reader of readers) {
        const mine = of(reader);
        mine.large.push(runOnce(reader, big));
        mine.base.push(runOnce(reader, small));
      }
    }
    for (const reader of readers) {
      const { large, base } = of(reader);
      const m = (list: Process[], key: "wallMs" | "cpuMs" | "peakRssMb" | "readMs") => median(list.map((p) => p[key]));
      rows.push({
        reader,
        count: (large[0] as Process).count,
        readMs: m(large, "readMs"),
        wallMs: m(large, "wallMs"),
        cpuMs: m(large, "cpuMs"),
        peakRssMb: m(large, "peakRssMb"),
        extraWallMs: m(large, "wallMs") - m(base, "wallMs"),
        extraCpuMs: m(large, "cpuMs") - m(base, "cpuMs"),
        extraRssMb: m(large, "peakRssMb") - m(base, "peakRssMb"),
      });
    }
    const extraWall = (reader: string, run: number) => {
      const { large, base } = of(reader);
      return (large[run] as Process).wallMs - (base[run] as Process).wallMs;
    };
    for (let run = 0; run < runs; run++) roundRatios.push(extraWall("node-ical parse", run) / extraWall("ours", run));
    const child = spawnSync(process.execPath, [RUNNER, "--kept", big], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(`the kept-calendar run failed (exit ${child.status}):\n${child.stderr}`);
    keptFigures = JSON.parse(child.stdout.trim().split("\n").pop() as string) as KeptFigures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const f = (n: number, digits = 0) => n.toFixed(digits);
  const header = [
    "reader",
    "read",
    "in-process ms",
    "wall ms",
    "CPU ms",
    "peak RSS MB",
    "extra wall ms",
    "extra CPU ms",
    "extra peak RSS MB",
  ];
  const table = [
    header,
    header.map(() => "---"),
    ...rows.map((r) => [
      r.reader,
      r.reader === "ours" || r.reader === "ical.js"
        ? `${r.count} occurrences`
        : r.reader === "node-ical parse"
          ? `${r.count} events`
          : `${r.count} lines`,
      f(r.readMs),
      f(r.wallMs),
      f(r.cpuMs),
      f(r.peakRssMb),
      f(r.extraWallMs),
      f(r.extraCpuMs),
      f(r.extraRssMb, 1),
    ]),
  ];
  process.stdout.write(`${table.map((cells) => `| ${cells.join(" | ")} |`).join("\n")}\n\n`);

  const by = (name: string) => rows.find((r) => r.reader === name) as Row;
  const ours = by("ours");
  const nodeIcal = by("node-ical parse");
  const floor = by("read + split lines");
  const icalJs = by("ical.js");
  // Extra wall time can come out at or below zero for the floor when the file reads in a few ms.
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.POSITIVE_INFINITY);
  const checks: [string, boolean][] = [
    [
      `ours at least 10× faster than node-ical's parse: extra wall ${f(ratio(nodeIcal.extraWallMs, ours.extraWallMs), 2)}× ` +
        `(CPU ${f(ratio(nodeIcal.extraCpuMs, ours.extraCpuMs), 2)}×, in-process ${f(ratio(nodeIcal.readMs, ours.readMs), 2)}×)`,
      ratio(nodeIcal.extraWallMs, ours.extraWallMs) >= 10,
    ],
    [
      `ours at most 3× the read-and-split floor: extra wall ${f(ratio(ours.extraWallMs, floor.extraWallMs), 2)}× ` +
        `(CPU ${f(ratio(ours.extraCpuMs, floor.extraCpuMs), 2)}×, in-process ${f(ratio(ours.readMs, floor.readMs), 2)}×)`,
      ratio(ours.extraWallMs, floor.extraWallMs) <= 3,
    ],
    [
      `ours at most 32 MB of extra peak RSS (${f(ours.extraRssMb, 1)} MB; node-ical's parse ${f(nodeIcal.extraRssMb, 1)} MB)`,
      ours.extraRssMb <= 32,
    ],
    [`ours and ical.js find the same occurrences in the window (${ours.count} and ${icalJs.count})`, ours.count === icalJs.count],
  ];
  process.stdout.write(`${checks.map(([text, ok]) => `${ok ? "✔" : "✘"} ${text}`).join("\n")}\n`);
  process.stdout.write(
    `\nround by round, node-ical's extra wall over ours from that round's processes alone: median ${f(median(roundRatios), 2)}× ` +
      `(${f(Math.min(...roundRatios), 2)}–${f(Math.max(...roundRatios), 2)}× over ${roundRatios.length} rounds)\n`,
  );
  process.stdout.write(
    `\nours, the parsed calendar kept and expanded again over one day (in-process, median of 5): ` +
      `${keptFigures.windows.map((w) => `${w.label} ${f(w.ms)} ms (${w.occurrences} occurrences)`).join(", ")}\n`,
  );
  process.stdout.write(
    `\nical.js / ours: extra wall ${f(ratio(icalJs.extraWallMs, ours.extraWallMs), 2)}×, extra peak RSS ${f(ratio(icalJs.extraRssMb, ours.extraRssMb), 2)}×\n`,
  );
  if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
}

main();
