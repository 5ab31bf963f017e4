import type { TraceNode } from "./documents.ts";
import { figuresOf } from "./figures.ts";

const COLOURS: Record<string, string> = { fetch: "#4e79a7", parse: "#59a14f", notify: "#f28e2b" };
const ROW = 12;
const LABEL = 130;
const WIDTH = 1100;

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Rows of one run: a row per feed (its fetch and parse), then a row per webhook (its posts). */
function rowsOf(run: TraceNode): { label: string; spans: TraceNode[] }[] {
  const feeds = new Map<string, TraceNode[]>();
  const hooks = new Map<string, TraceNode[]>();
  for (const span of run.children) {
    const [kind, id = ""] = span.name.split(/:(.*)/s);
    const into = kind === "notify" ? hooks : feeds;
    into.set(id, [...(into.get(id) ?? []), span]);
  }
  const first = (spans: TraceNode[]) => Math.min(...spans.map((s) => s.start));
  const sorted = (map: Map<string, TraceNode[]>, prefix: string) =>
    [...map.entries()].sort((a, b) => first(a[1]) - first(b[1])).map(([id, spans]) => ({ label: `${prefix}${id}`, spans }));
  return [...sorted(feeds, ""), ...sorted(hooks, "→ ")];
}

function panel(run: TraceNode, top: number): { svg: string; height: number } {
  const figures = figuresOf(run);
  const rows = rowsOf(run);
  const span = Math.max(run.end - run.start, 1e-6);
  const x = (t: number) => LABEL + ((t - run.start) / span) * (WIDTH - LABEL - 20);
  const header = 34;
  const parts: string[] = [
    `<text x="0" y="${top + 16}" font-weight="bold">${escape(run.name)} — wall ${(figures.wallMs / 1000).toFixed(3)} s, ` +
      `Σ fetch ${(figures.fetchSumMs / 1000).toFixed(3)} s, critical-path bound ${(figures.boundMs / 1000).toFixed(3)} s ` +
      `(wall ÷ bound ${(figures.wallMs / figures.boundMs).toFixed(2)}×)</text>`,
  ];
  for (let tick = 0; tick <= 10; tick += 1) {
    const tx = LABEL + (tick / 10) * (WIDTH - LABEL - 20);
    parts.push(
      `<line x1="${tx}" y1="${top + header - 6}" x2="${tx}" y2="${top + header + rows.length * ROW}" stroke="#ddd"/>`,
      `<text x="${tx}" y="${top + header - 8}" font-size="9" text-anchor="middle">${((span * tick) / 10).toFixed(span < 2 ? 2 : 1)} s</text>`,
    );
  }
  rows.forEach((row, index) => {
    const y = top + header + index * ROW;
    parts.push(`<text x="${LABEL - 4}" y="${y + 9}" font-size="9" text-anchor="end">${escape(row.label)}</text>`);
    for (const s of row.spans) {
      const kind = s.name.split(":")[0] ?? "";
      const failed = s.error || s.fault || s.throttle;
      const width = Math.max(1, x(s.end) - x(s.start));
      parts.push(
        `<rect x="${x(s.start).toFixed(1)}" y="${y + 1}" width="${width.toFixed(1)}" height="${ROW - 2}" fill="${COLOURS[kind] ?? "#999"}"` +
          `${failed ? ' stroke="#e15759" stroke-width="2"' : ""}><title>${escape(s.name)}: ${((s.end - s.start) * 1000).toFixed(1)} ms` +
          `${failed ? " (failed)" : ""}</title></rect>`,
      );
    }
  });
  return { svg: parts.join("\n"), height: header + rows.length * ROW + 24 };
}

/**
 * A waterfall chart of runs drawn from their `strategy:<name>` spans, one panel each, as a
 * self-contained SVG: a row per feed (fetch in blue, parse in green), a row per webhook (posts in
 * orange), failures outlined in red; hover a bar for its span and duration. Each panel has its own
 * time axis; the first line of each says how long the run took.
 */
export function waterfallSvg(runs: readonly TraceNode[], title: string): string {
  let top = 30;
  const panels: string[] = [];
  for (const run of runs) {
    const drawn = panel(run, top);
    panels.push(drawn.svg);
    top += drawn.height;
  }
  const legend = Object.entries(COLOURS)
    .map(([kind, colour], i) => `<rect x="${LABEL + i * 90}" y="${top}" width="10" height="10" fill="${colour}"/><text x="${LABEL + i * 90 + 14}" y="${top + 9}" font-size="10">${kind}</text>`)
    .join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${top + 24}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="0" y="16" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...panels,
    legend,
    "</svg>",
    "",
  ].join("\n");
}
