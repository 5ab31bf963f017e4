import { readFile } from "node:fs/promises";
import * as z from "zod/mini";
import { ConfigError } from "../errors.ts";
import { type Config, configSchema, finishConfig } from "./schema.ts";

/** Prefix of a configuration value that is read from SSM Parameter Store. */
export const SSM_PREFIX = "ssm:";

/**
 * Resolves SSM parameter names (without the `ssm:` prefix) to their decrypted values. Throws a
 * `ConfigError` naming the parameters it could not read.
 */
export type SecretResolver = (names: readonly string[]) => Promise<ReadonlyMap<string, string>>;

/**
 * Formats a path the way users write it: `feeds[3].webhook`. A key that looks like a URL or a path
 * (one pasted as a webhook's name, with or without its scheme) is shown as `<a URL>`: it may hold a
 * secret. Real keys and names never contain `/`, `:`, `@`, `?` or `#`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    const shown = /[/:@?#]/.test(String(key)) ? "<a URL>" : String(key);
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${shown}` : shown;
  }
  return out;
}

/** An SSM parameter name: letters, digits and `_.-/`, at most 2048 characters (SSM's rule). */
const PARAMETER_NAME = /^[A-Za-z0-9_.\-/]{1,2048}$/;

const BAD_REFERENCE =
  "is not a valid SSM reference; write ssm:/path/to/parameter (letters, digits, '_', '.', '-', '/'; a name with a '/' starts with one)";

/** Whether SSM takes `name` as a parameter's name: its characters, and a hierarchy's leading slash. */
function isParameterName(name: string): boolean {
  return PARAMETER_NAME.test(name) && (!name.includes("/") || name.startsWith("/"));
}

/**
 * V8's JSON error without the excerpt of the text it quotes (`Unexpected token 'x', "…" is …`),
 * which may hold a secret, and with the line and column of the mistake, which V8 gives for some
 * errors only: for the others it is where the shortest failing start of the text ends.
 */
function describeJsonError(error: unknown, text: string): string {
  const message = (error as Error).message;
  if (/ at position \d+/.test(message) && !message.includes('"')) return message;
  const token = /^(Unexpected token '.{1,4}')/su.exec(message)?.[1] ?? "syntax error";
  const at = mistakeAt(text);
  if (at === undefined) return token;
  const before = text.slice(0, at).split("\n");
  return `${token} at line ${before.length} column ${(before[before.length - 1] as string).length + 1}`;
}

/** Where the first character JSON cannot take lies in `text` (a binary search over its starts), if anywhere. */
function mistakeAt(text: string): number | undefined {
  const failsWithin = (length: number) => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      const position = / at position (\d+)/.exec(message);
      return !/Unexpected end of JSON input/.test(message) && !(position && Number(position[1]) >= length);
    }
  };
  if (!failsWithin(text.length)) return undefined;
  let [lo, hi] = [0, text.length];
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (failsWithin(mid)) hi = mid;
    else lo = mid;
  }
  return hi - 1;
}

interface Reference {
  path: (string | number)[];
  name: string;
}

function findReferences(value: unknown, path: (string | number)[], out: Reference[]): void {
  if (typeof value === "string") {
    if (value.startsWith(SSM_PREFIX)) out.push({ path, name: value.slice(SSM_PREFIX.length) });
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) findReferences(item, [...path, index], out);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) findReferences(item, [...path, key], out);
  }
}

function replaceAt(root: unknown, path: readonly (string | number)[], value: string): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

/** The settings a strict object of `schema` accepts at `path`, or none if there is no object there. */
function knownKeysAt(schema: z.ZodMiniType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of [...path, undefined]) {
    while (node instanceof z.ZodMiniOptional || node instanceof z.ZodMiniDefault) node = node._zod.def.innerType;
    if (key === undefined) break;
    if (node instanceof z.ZodMiniObject && typeof key === "string") node = node.shape[key];
    else if (node instanceof z.ZodMiniArray && typeof key === "number") node = node._zod.def.element;
    else return [];
  }
  return node instanceof z.ZodMiniObject ? Object.keys(node.shape) : [];
}

/** Levenshtein distance with adjacent swaps, ignoring case: `webhok` is 1 from `webhook`. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (d[s.length] as number[])[t.length] as number;
}

/** The known setting an unknown key most likely misspells: at most two edits, and fewer than half its length. */
function nearMiss(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key, name);
    if (distance <= 2 && distance * 2 < name.length && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function unknownSetting(key: string, known: readonly string[]): string {
  const guess = nearMiss(key, known);
  return guess === undefined
    ? "is not a known setting; remove it or check its spelling (see the README's Configuration table)"
    : `is not a known setting; did you mean "${guess}"?`;
}

/**
 * Parses and validates configuration text. `origin` names where it came from (a file, a parameter)
 * for error messages. Every `ssm:/name` string is resolved through `resolveSecrets` first.
 *
 * @throws ConfigError naming the first bad field, with every problem found in the message.
 */
export async function parseConfig(text: string, origin: string, resolveSecrets?: SecretResolver): Promise<Config> {
  // A byte-order mark, as some Windows editors write one, is no part of the JSON.
  const json = text.replace(/^\uFEFF/, "");
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    // No `cause`: V8's message quotes the text around the mistake, which may hold a webhook URL.
    throw new ConfigError("", `${origin} is not valid JSON (${describeJsonError(error, json)})`);
  }
  const references: Reference[] = [];
  findReferences(raw, [], references);
  if (references.length > 0) {
    // Mistakes elsewhere, and references no SSM parameter can have as a name, are reported together
    // before SSM is asked: a run without AWS access (or one that fails) must not hide a typo behind
    // an SSM error, nor one bad reference the rest.
    const badNames = references
      .filter((ref) => !isParameterName(ref.name))
      .map((ref) => ({ code: "custom", path: ref.path, message: BAD_REFERENCE }) as z.core.$ZodIssue);
    const early = configSchema.safeParse(raw);
    const referenced = new Set(references.map((ref) => formatPath(ref.path)));
    const others = early.success ? [] : early.error.issues.filter((issue) => !referenced.has(formatPath(issue.path)));
    if (badNames.length > 0 || others.length > 0) throwIssues([...badNames, ...others], origin);
    const first = references[0] as Reference;
    if (!resolveSecrets) {
      throw new ConfigError(
        formatPath(first.path),
        `is an SSM reference (${SSM_PREFIX}${first.name}), but no SSM client is available here`,
      );
    }
    const values = await resolveSecrets([...new Set(references.map((r) => r.name))]);
    for (const ref of references) {
      const value = values.get(ref.name);
      if (value === undefined) {
        throw new ConfigError(formatPath(ref.path), `SSM parameter ${ref.name} was not found; create it or fix the name`);
      }
      replaceAt(raw, ref.path, value);
    }
  }
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return finishConfig(parsed.data);
  throwIssues(parsed.error.issues, origin);
}

/** The configuration's problems as one ConfigError: the first by its path, the others after it. */
function throwIssues(issues: readonly z.core.$ZodIssue[], origin: string): never {
  const [first, ...others] = issues.flatMap((issue) =>
    // Zod reports unknown keys on their parent object; name each key itself, as users look for it.
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          path: formatPath([...issue.path, key]),
          message: unknownSetting(key, knownKeysAt(configSchema, issue.path)),
        }))
      : issue.code === "invalid_key"
        ? [{ path: formatPath(issue.path), message: `is not a valid name: it ${issue.issues[0]?.message ?? "is malformed"}` }]
        : [{ path: formatPath(issue.path), message: issue.message }],
  );
  if (!first) throw new ConfigError("", `invalid configuration in ${origin}`);
  // A configuration generated wrong repeats one mistake thousands of times: the first few say what
  // to fix, and a count says how many more there are, so the message stays a message.
  const also = others.slice(0, MAX_LISTED_MISTAKES - 1).map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  const unlisted = others.length - also.length;
  if (unlisted > 0) also.push(`…and ${unlisted} more mistake${unlisted === 1 ? "" : "s"}`);
  throw new ConfigError(first.path, `${first.message} (in ${origin})${also.length > 0 ? `; also ${also.join("; ")}` : ""}`);
}

/** Mistakes a configuration error names one by one; the rest are counted. */
const MAX_LISTED_MISTAKES = 20;

/** Reads and validates a configuration file. @throws ConfigError */
export async function loadConfigFile(file: string, resolveSecrets?: SecretResolver): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError("", `cannot read configuration file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseConfig(text, file, resolveSecrets);
}
