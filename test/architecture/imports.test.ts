import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The pure core: iCalendar text → occurrences → due reminders → the Slack message. It reads no
 * network, clock or environment, so it imports only itself: the message's own helpers (escaping,
 * join links), the errors it throws (`errors.ts`) and its bounded memo (`bounded-map.ts`), both
 * importing nothing, are part of it.
 */
const CORE = [/^calendar\//, /^reminders\//, /^slack\/(message|escape|join-link)\.ts$/, /^errors\.ts$/, /^bounded-map\.ts$/, /^cut\.ts$/];

/**
 * What reads traces back (`npm run compare`, `npm run traces`): only the traces command imports it,
 * so nothing of it reaches the function's bundle.
 */
const ANALYSIS = /^traces\//;
const ANALYSIS_USERS = [ANALYSIS, /^cli\/traces\.ts$/];

/** Libraries the core may use: pure computation on what it is handed. */
const CORE_PACKAGES = new Set(["node-ical", "rrule-temporal", "temporal-polyfill", "cldr-core", "entities"]);
/** Libraries the core may name types from, and nothing else. */
const CORE_TYPE_PACKAGES = new Set(["@slack/webhook"]);

interface Import {
  /** The importing file, relative to src/. */
  from: string;
  specifier: string;
  /** The imported file relative to src/, for a relative import. */
  target: string | undefined;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every import, re-export and dynamic import of src/, as TypeScript reads them. */
function importsOf(root: string): Import[] {
  return sourceFiles(root).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    const from = relative(root, file);
    return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName: specifier }) => {
      const escaped = specifier.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const typeOnly = new RegExp(`^\\s*(import|export)\\s+type\\s[^;]*?from\\s+["']${escaped}["']`, "m").test(text);
      const target = specifier.startsWith(".") ? relative(root, resolve(dirname(file), specifier)) : undefined;
      return { from, specifier, target, typeOnly };
    });
  });
}

const isCore = (path: string) => CORE.some((pattern) => pattern.test(path));

/** A package's name from an import specifier: `cldr-core/supplemental/…` → `cldr-core`. */
const packageOf = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

/** The folder a file of src/ belongs to; a file at the top is a unit of its own. */
const folderOf = (path: string) => path.split("/")[0] ?? path;

/** Imports of the core that leave it. */
function coreViolations(imports: readonly Import[]): string[] {
  return imports
    .filter((i) => isCore(i.from))
    .filter((i) => {
      if (i.target !== undefined) return !isCore(i.target);
      const name = packageOf(i.specifier);
      if (CORE_PACKAGES.has(name)) return false;
      return !(CORE_TYPE_PACKAGES.has(name) && i.typeOnly);
    })
    .map((i) => `${i.from} imports ${i.specifier}`);
}

/** Imports of the trace-analysis tools from outside them and their command. */
function analysisViolations(imports: readonly Import[]): string[] {
  return imports
    .filter((i) => i.target !== undefined && ANALYSIS.test(i.target))
    .filter((i) => !ANALYSIS_USERS.some((pattern) => pattern.test(i.from)))
    .map((i) => `${i.from} imports ${i.specifier}`);
}

/** The cycles among folders of src/, each as the folders it runs through: `a → b → a`. */
function folderCycles(imports: readonly Import[]): string[] {
  const edges = new Map<string, Set<string>>();
  for (const i of imports) {
    if (i.target === undefined) continue;
    const [a, b] = [folderOf(i.from), folderOf(i.target)];
    if (a === b) continue;
    if (!edges.has(a)) edges.set(a, new Set());
    edges.get(a)?.add(b);
  }
  const cycles = new Set<string>();
  const visit = (node: string, path: string[]) => {
    const at = path.indexOf(node);
    if (at >= 0) {
      const cycle = path.slice(at);
      // The same cycle found from another of its folders is reported once, from its least name.
      const start = cycle.indexOf([...cycle].sort()[0] as string);
      const turned = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.add([...turned, turned[0]].join(" → "));
      return;
    }
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
  };
  for (const node of edges.keys()) visit(node, []);
  return [...cycles].sort();
}

describe("the import graph of src/", () => {
  const imports = importsOf("src");

  it("is read: every module's imports are found", () => {
    // Assess: a parser that found nothing would let every check below pass
    expect(imports.length).toBeGreaterThan(300);
    expect(imports).toContainEqual(expect.objectContaining({ from: "handler.ts", target: "run/run.ts" }));
  });

  it("keeps the core pure: calendar, reminders and the Slack message import nothing outside them", () => {
    expect(coreViolations(imports)).toEqual([]);
  });

  it("keeps the trace-analysis tools to their command: only cli/traces.ts imports traces/", () => {
    // Assess: the tools are there and used, by their command alone
    expect(imports).toContainEqual(expect.objectContaining({ from: "cli/traces.ts", target: "traces/figures.ts" }));
    expect(analysisViolations(imports)).toEqual([]);
  });

  it("has no cycle between folders", () => {
    expect(folderCycles(imports)).toEqual([]);
  });

  it("would catch the core reaching an edge, or a folder cycle", () => {
    // Prepare: the arrows the checks are there to refuse
    const from = (file: string, specifier: string, target?: string, typeOnly = false): Import => ({
      from: file,
      specifier,
      target,
      typeOnly,
    });
    const broken = [
      from("reminders/due.ts", "../config/schema.ts", "config/schema.ts", true),
      from("calendar/expand.ts", "node:fs/promises"),
      from("slack/message.ts", "undici"),
      from("slack/message.ts", "@slack/webhook"),
      from("ledger/snapshots.ts", "../notices/snapshot.ts", "notices/snapshot.ts", true),
      from("notices/stage.ts", "../ledger/ledger.ts", "ledger/ledger.ts", true),
    ];

    // Act / Assess
    expect(coreViolations(broken)).toEqual([
      "reminders/due.ts imports ../config/schema.ts",
      "calendar/expand.ts imports node:fs/promises",
      "slack/message.ts imports undici",
      "slack/message.ts imports @slack/webhook",
    ]);
    expect(folderCycles(broken)).toEqual(["ledger → notices → ledger"]);
  });

  it("would catch the function reaching the trace-analysis tools", () => {
    // Prepare
    const from = (file: string, target: string): Import => ({ from: file, specifier: `../${target}`, target, typeOnly: false });
    const arrows = [
      from("tracing/xray.ts", "traces/daemon.ts"),
      from("handler.ts", "traces/figures.ts"),
      from("cli/invoke.ts", "traces/otlp.ts"),
      from("cli/traces.ts", "traces/xray-api.ts"),
      from("traces/waterfall.ts", "traces/figures.ts"),
      from("traces/figures.ts", "tracing/documents.ts"),
    ];

    // Act / Assess
    expect(analysisViolations(arrows)).toEqual([
      "tracing/xray.ts imports ../traces/daemon.ts",
      "handler.ts imports ../traces/figures.ts",
      "cli/invoke.ts imports ../traces/otlp.ts",
    ]);
  });
});
