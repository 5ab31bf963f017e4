import type { TraceNode } from "./documents.ts";

/** What one run's trace says about where its time went. */
export interface RunFigures {
  strategy: string;
  traceId: string | undefined;
  /** When the run started, seconds since the epoch. */
  start: number;
  feeds: number;
  reminders: number;
  /** The `strategy:<name>` span, start to end. */
  wallMs: number;
  /** The `fetch:` spans added up: what a run spends downloading, if nothing overlaps. */
  fetchSumMs: number;
  /**
   * Critical-path lower bound: the slowest feed's fetch + parse, plus one post. No schedule can end
   * sooner, since that feed's reminders can only go out once it is read. Posts coalesce several feeds,
   * so a post is not one feed's: the quickest post of the run stands for it.
   */
  boundMs: number;
  /** Names of the spans flagged as failed. */
  failed: string[];
}

const ms = (node: TraceNode) => (node.end - node.start) * 1000;

/** Reads the figures of one run from its `strategy:<name>` span. */
export function figuresOf(run: TraceNode): RunFigures {
  const chain = new Map<string, number>();
  let fetchSumMs = 0;
  let quickestPost = Number.POSITIVE_INFINITY;
  for (const span of run.children) {
    const [kind, id = ""] = span.name.split(/:(.*)/s);
    if (kind === "fetch") fetchSumMs += ms(span);
    if (kind === "fetch" || kind === "parse") chain.set(id, (chain.get(id) ?? 0) + ms(span));
    if (kind === "notify") quickestPost = Math.min(quickestPost, ms(span));
  }
  const slowestFeed = Math.max(0, ...chain.values());
  const annotation = (key: string) => Number(run.annotations[key] ?? Number.NaN);
  return {
    strategy: String(run.annotations.strategy ?? run.name.slice("strategy:".length)),
    traceId: run.traceId,
    start: run.start,
    feeds: annotation("feeds"),
    reminders: annotation("reminders"),
    wallMs: ms(run),
    fetchSumMs,
    boundMs: slowestFeed + (Number.isFinite(quickestPost) ? quickestPost : 0),
    failed: run.children.filter((s) => s.error || s.fault || s.throttle).map((s) => s.name),
  };
}

function pad(cells: string[][]): string {
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length))) ?? [];
  return cells
    .map((row) =>
      row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join("  "),
    )
    .join("\n");
}

const seconds = (value: number) => `${(value / 1000).toFixed(3)} s`;
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "–");

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * The comparison as text: one row per run (wall time, summed fetch time, critical-path bound,
 * wall ÷ bound), then the speed-up of pipelined over serial (median wall times).
 */
export function comparisonTable(runs: readonly RunFigures[]): string {
  const rows = [
    ["strategy", "feeds", "reminders", "wall", "Σ fetch", "bound", "wall ÷ bound", "failed spans"],
    ...runs.map((r) => [
      r.strategy,
      String(r.feeds),
      String(r.reminders),
      seconds(r.wallMs),
      seconds(r.fetchSumMs),
      seconds(r.boundMs),
      ratio(r.wallMs / r.boundMs),
      String(r.failed.length),
    ]),
  ];
  const wall = (strategy: string) => median(runs.filter((r) => r.strategy === strategy).map((r) => r.wallMs));
  const speedUp = wall("serial") / wall("pipelined");
  const summary = Number.isNaN(speedUp) ? "" : `\nspeed-up, serial ÷ pipelined wall time: ${ratio(speedUp)}\n`;
  return `${pad(rows)}\n${summary}`;
}
