import type { TraceNode } from "./documents.ts";
import { figuresOf } from "./figures.ts";

const COLOURS: Record<string, string> = { fetch: "#4e79a7", parse: "#59a14f", notify: "#f28e2b" };
const ROW = 14;
const LABEL = 170;
const WIDTH = 1100;
const RIGHT = 70;
const PLOT = WIDTH - LABEL - RIGHT;

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Round tick values for an axis from 0 to `seconds`: a step of 1, 2 or 5 times a power of ten,
 * giving four to ten ticks.
 */
export function ticks(seconds: number): number[] {
  const span = Math.max(seconds, 1e-3);
  const raw = span / 8;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => span / s <= 10) ?? 10 * power;
  const count = Math.floor(span / step + 1e-9);
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

const label = (seconds: number, step: number) => `${seconds.toFixed(Math.max(0, -Math.floor(Math.log10(step))))} s`;

/**
 * Rows of one run: a row per feed (its fetch and parse), then a row per post (each `notify:` span
 * on its own row, in start order), so a post that waited for its webhook's pace shows its wait as
 * the gap before its bar.
 */
export function rowsOf(run: TraceNode): { label: string; spans: TraceNode[] }[] {
  const feeds = new Map<string, TraceNode[]>();
  const posts: TraceNode[] = [];
  for (const span of run.children) {
    const [kind, id = ""] = span.name.split(/:(.*)/s);
    if (kind === "notify") posts.push(span);
    else feeds.set(id, [...(feeds.get(id) ?? []), span]);
  }
  const first = (spans: TraceNode[]) => Math.min(...spans.map((s) => s.start));
  const feedRows = [...feeds.entries()].sort((a, b) => first(a[1]) - first(b[1])).map(([id, spans]) => ({ label: id, spans }));
  const count = new Map<string, number>();
  const postRows = [...posts]
    .sort((a, b) => a.start - b.start)
    .map((span) => {
      const hook = span.name.slice("notify:".length);
      const n = (count.get(hook) ?? 0) + 1;
      count.set(hook, n);
      return { label: `→ ${hook} post ${n}`, spans: [span] };
    });
  return [...feedRows, ...postRows];
}

function panel(run: TraceNode, top: number, axisSeconds: number, shared: boolean): { svg: string; height: number } {
  const figures = figuresOf(run);
  const rows = rowsOf(run);
  const x = (t: number) => LABEL + ((t - run.start) / axisSeconds) * PLOT;
  const header = 44;
  const bottom = top + header + rows.length * ROW;
  const parts: string[] = [
    `<text x="0" y="${top + 16}" font-size="13" font-weight="bold">${escape(run.name)} — wall ${(figures.wallMs / 1000).toFixed(3)} s, ` +
      `Σ fetch ${(figures.fetchSumMs / 1000).toFixed(3)} s, critical-path bound ${(figures.boundMs / 1000).toFixed(3)} s ` +
      `(wall ÷ bound ${(figures.wallMs / figures.boundMs).toFixed(2)}×)</text>`,
    `<text x="0" y="${top + 31}" font-size="11" fill="#555">${
      shared
        ? "time axis shared by every run below"
        : `time axis of this run only: 0–${label(axisSeconds, axisSeconds / 10)}, not the scale of the other runs`
    }</text>`,
  ];
  const marks = ticks(axisSeconds);
  const step = marks[1] ?? axisSeconds;
  for (const tick of marks) {
    const tx = LABEL + (tick / axisSeconds) * PLOT;
    parts.push(
      `<line x1="${tx.toFixed(1)}" y1="${top + header - 4}" x2="${tx.toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`,
      `<text x="${tx.toFixed(1)}" y="${top + header - 7}" font-size="11" text-anchor="middle">${label(tick, step)}</text>`,
    );
  }
  rows.forEach((row, index) => {
    const y = top + header + index * ROW;
    if (index % 2 === 1) parts.push(`<rect x="0" y="${y}" width="${WIDTH}" height="${ROW}" fill="#f6f6f6"/>`);
    parts.push(`<text x="${LABEL - 6}" y="${y + 11}" font-size="11" text-anchor="end">${escape(row.label)}</text>`);
    for (const s of row.spans) {
      const kind = s.name.split(":")[0] ?? "";
      const failed = s.error || s.fault || s.throttle;
      const width = Math.max(1, x(s.end) - x(s.start));
      parts.push(
        `<rect x="${x(s.start).toFixed(1)}" y="${y + 2}" width="${width.toFixed(1)}" height="${ROW - 4}" fill="${COLOURS[kind] ?? "#999"}"` +
          `${failed ? ' stroke="#e15759" stroke-width="2"' : ""}><title>${escape(s.name)}: ${((s.start - run.start) * 1000).toFixed(0)}–` +
          `${((s.end - run.start) * 1000).toFixed(0)} ms, ${((s.end - s.start) * 1000).toFixed(1)} ms${failed ? " (failed)" : ""}</title></rect>`,
      );
    }
  });
  return { svg: parts.join("\n"), height: header + rows.length * ROW + 30 };
}

function legend(top: number): string {
  const items = [
    ...Object.entries(COLOURS).map(([kind, colour]) => ({
      text: kind === "notify" ? "notify (one row per post)" : kind,
      fill: colour,
      stroke: "",
    })),
    { text: "failed", fill: "white", stroke: ' stroke="#e15759" stroke-width="2"' },
  ];
  let x = 0;
  return items
    .map((item) => {
      const drawn = `<rect x="${x}" y="${top}" width="14" height="12" fill="${item.fill}"${item.stroke}/><text x="${x + 19}" y="${top + 10}" font-size="12">${escape(item.text)}</text>`;
      x += 40 + item.text.length * 7;
      return drawn;
    })
    .join("");
}

/**
 * A waterfall chart of runs drawn from their `strategy:<name>` spans, one panel each, as a
 * self-contained SVG that scales to the browser window: a legend at the top, a row per feed
 * (fetch in blue, parse in green), a row per post (orange), failures outlined in red; hover a bar
 * for its span, offsets and duration. Runs share one time axis when the longest is at most five
 * times the shortest; otherwise each panel has its own, and says so, and an overview at the top
 * draws every run's wall time on one scale.
 */
export function waterfallSvg(runs: readonly TraceNode[], title: string): string {
  const walls = runs.map((run) => Math.max(run.end - run.start, 1e-3));
  const longest = Math.max(...walls, 1e-3);
  const shared = runs.length > 0 && longest <= 5 * Math.min(...walls);
  const parts: string[] = [`<text x="0" y="18" font-size="15" font-weight="bold">${escape(title)}</text>`, legend(30)];
  let top = 56;
  if (!shared && runs.length > 1) {
    parts.push(`<text x="0" y="${top + 12}" font-size="12" font-weight="bold">wall time of each run, on one scale</text>`);
    const marks = ticks(longest);
    runs.forEach((run, i) => {
      const y = top + 20 + i * 18;
      const width = Math.max(1, (walls[i]! / longest) * PLOT);
      parts.push(
        `<text x="${LABEL - 6}" y="${y + 12}" font-size="11" text-anchor="end">${escape(run.name)}</text>`,
        `<rect x="${LABEL}" y="${y + 2}" width="${width.toFixed(1)}" height="12" fill="#76b7b2"/>`,
        `<text x="${(LABEL + width + 6).toFixed(1)}" y="${y + 12}" font-size="11">${walls[i]!.toFixed(3)} s</text>`,
      );
    });
    const axis = top + 20 + runs.length * 18 + 12;
    for (const tick of marks) {
      const tx = LABEL + (tick / longest) * PLOT;
      parts.push(
        `<text x="${tx.toFixed(1)}" y="${axis}" font-size="10" text-anchor="middle" fill="#555">${label(tick, marks[1] ?? longest)}</text>`,
      );
    }
    top = axis + 20;
  }
  runs.forEach((run, i) => {
    const drawn = panel(run, top, shared ? longest : walls[i]!, shared);
    parts.push(drawn.svg);
    top += drawn.height;
  });
  const height = top + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" style="max-width:${WIDTH * 1.5}px" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
