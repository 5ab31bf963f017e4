import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expandCalendar } from "../../src/calendar/expand.ts";
import { formatInstant } from "../../src/calendar/wall-clock.ts";

/** One case of the shared corpus: a calendar, a window, a zone, and the reference's lines. */
export interface CorpusCase {
  file: string;
  from: string;
  to: string;
  tz: string;
  expected: string;
  count: number;
}

export interface CorpusManifest {
  cases: CorpusCase[];
  skipped: Array<[string, string]>;
}

export function readManifest(root: string): CorpusManifest {
  return JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as CorpusManifest;
}

/** The comparable line of an occurrence: what the reference prints. */
export interface Line {
  uid: string;
  start: string;
  allDay: boolean;
  summary: string;
}

const key = (l: Line) => JSON.stringify([l.start, l.uid, l.allDay, l.summary]);

export function ourLines(root: string, c: CorpusCase): Line[] {
  const ics = readFileSync(join(root, c.file), "utf8");
  const { occurrences } = expandCalendar(ics, { from: new Date(c.from), to: new Date(c.to), timezone: c.tz });
  return occurrences.map((o) => ({
    uid: o.uid,
    start: o.allDay && o.day ? o.day : formatInstant(o.start),
    allDay: o.allDay,
    summary: o.summary,
  }));
}

export function expectedLines(root: string, c: CorpusCase): Line[] {
  return readFileSync(join(root, c.expected), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Line);
}

/** Lines only we produce and lines only the reference produces, each sorted. */
export function difference(ours: Line[], theirs: Line[]): { extra: string[]; missing: string[] } {
  const count = new Map<string, number>();
  for (const l of theirs) count.set(key(l), (count.get(key(l)) ?? 0) + 1);
  const extra: string[] = [];
  for (const l of ours) {
    const k = key(l);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1);
    else extra.push(k);
  }
  const missing = [...count.entries()].flatMap(([k, n]) => Array<string>(n).fill(k));
  return { extra: extra.sort(), missing: missing.sort() };
}
