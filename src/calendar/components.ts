import { decodedLine } from "./octets.ts";

/** One content line (RFC 5545 §3.1), unfolded: `NAME;PARAM=value:VALUE`. */
export interface ContentLine {
  /** Upper case. */
  name: string;
  /** Parameter names upper case, quotes removed. */
  params: Record<string, string>;
  value: string;
}

/** A component (`BEGIN:X` … `END:X`) with its own properties and its sub-components. */
export interface Component {
  /** Upper case: `VEVENT`, `VTIMEZONE`, `STANDARD`, … */
  type: string;
  properties: ContentLine[];
  components: Component[];
}

/** The calendar's components, and one line per broken one that was left out. */
export interface ComponentTree {
  calendars: Component[];
  warnings: string[];
}

/**
 * Calls `visit` with the bounds of each non-empty content line of `text[from, to)`: the line runs
 * from `at` to `end` (before its line break), folded continuation lines included (see
 * `lineText`). Lines are found with `indexOf`, never by splitting the whole text, and no string is
 * made: a multi-megabyte feed costs one pass, and only the lines a caller reads cost more. Line
 * breaks are LF or CRLF (see `sourceOf`).
 */
export function walkLines(text: string, from: number, to: number, visit: (at: number, end: number) => void): void {
  let pos = from;
  while (pos < to) {
    const end = foldedEnd(text, pos, to);
    const last = beforeCr(text, pos, end);
    if (last > pos) visit(pos, last);
    pos = end + 1;
  }
}

/** Where the line starting at `pos` ends, folded continuation lines included: its last LF, or `to`. */
function foldedEnd(text: string, pos: number, to: number): number {
  let end = text.indexOf("\n", pos);
  if (end < 0 || end > to) end = to;
  // A following line that starts with a space or tab continues this one.
  while (end + 1 < to && (text.charCodeAt(end + 1) === 32 || text.charCodeAt(end + 1) === 9)) {
    const next = text.indexOf("\n", end + 1);
    end = next < 0 || next > to ? to : next;
  }
  return end;
}

/** `end`, or one before it when a CR ends the line `[at, end)` (a CRLF break). */
function beforeCr(text: string, at: number, end: number): number {
  return end > at && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

/**
 * `walkLines` for the lines whose start `starts` matches only: `starts` is a global regular
 * expression matching a line break followed by the start of such a line (`/\n(?:BEGIN:|UID[;:])/gi`).
 * The text in between is searched by the regular expression engine, never visited line by line.
 */
export function walkMatchingLines(text: string, from: number, to: number, starts: RegExp, visit: (at: number, end: number) => void): void {
  const afterBreak = from > 0 && text.charCodeAt(from - 1) === 10;
  // Where the search for a line break starts: the one just before `from`, when there is one.
  let search = afterBreak ? from - 1 : from;
  // Otherwise the first line has no line break before it: it is looked at on its own, cut at its
  // line break so that a wanted line after it cannot match for it.
  if (from < to && !afterBreak) {
    starts.lastIndex = 0;
    const lineBreak = text.indexOf("\n", from);
    const lineEnd = lineBreak < 0 || lineBreak > to ? to : lineBreak;
    if (starts.test(`\n${text.slice(from, Math.min(lineEnd, from + 80))}`)) {
      const end = foldedEnd(text, from, to);
      const last = beforeCr(text, from, end);
      if (last > from) visit(from, last);
      search = end;
    }
  }
  starts.lastIndex = search;
  while (starts.test(text)) {
    const at = text.lastIndexOf("\n", starts.lastIndex - 1) + 1;
    if (at >= to) break;
    const end = foldedEnd(text, at, to);
    visit(at, beforeCr(text, at, end));
    if (end >= to) break;
    starts.lastIndex = end;
  }
}

/** The unfolded text of the line `walkLines` found at `[at, end)`. */
export function lineText(text: string, at: number, end: number): string {
  const line = text.slice(at, end);
  return line.includes("\n") ? line.replace(/\r?\n[ \t]/g, "") : line;
}

/** What `walkComponents` reports, in order, as it matches each BEGIN with its END. */
export interface ComponentVisitor {
  /** `BEGIN:type` opened a component (at `at`, the offset of its BEGIN line). */
  open(type: string, at: number): void;
  /** The innermost open component ended with its END line, which ends before offset `end`. */
  close(end: number): void;
  /** The innermost open component lost its END and is left out; `why` says so. */
  drop(why: string): void;
  /** A content line of the innermost open component, at `text[at, end)` (see `lineText`). */
  line(at: number, end: number): void;
}

const BEGIN = "BEGIN:";
const END = "END:";

/** True when `text` holds `keyword` (upper case) at `at`, compared in any case, without a copy. */
function keywordAt(text: string, at: number, end: number, keyword: string): boolean {
  if (at + keyword.length > end) return false;
  if (text.startsWith(keyword, at)) return true;
  for (let i = 0; i < keyword.length; i++) {
    const code = text.charCodeAt(at + i);
    const want = keyword.charCodeAt(i);
    // Letters match in either case; ':' must match exactly.
    if (code !== want && !(want >= 0x41 && want <= 0x5a && code === (want | 0x20))) return false;
  }
  return true;
}

/** The component types feeds are made of: matched where they lie, so a delimiter line costs no string. */
const COMMON_TYPES = ["VEVENT", "VALARM", "VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VTODO", "VJOURNAL", "VFREEBUSY"];

/** The upper-case type after `BEGIN:` or `END:` when the line at `at` is one, else undefined. */
function delimiter(text: string, at: number, end: number, keyword: string): string | undefined {
  if (!keywordAt(text, at, end, keyword)) return undefined;
  const from = at + keyword.length;
  for (let i = 0; i < COMMON_TYPES.length; i++) {
    const type = COMMON_TYPES[i] as string;
    if (from + type.length === end && text.startsWith(type, from)) return type;
  }
  return lineText(text, from, end).trim().toUpperCase();
}

/**
 * Matches each BEGIN with its END in `text[from, to)`: the one place that decides which component
 * lost its END. A new VEVENT (or VCALENDAR) inside an open VEVENT means the open one lost its END;
 * an END closes what lost its own END on the way to the component it belongs to; a stray END is
 * ignored; whatever is open at the end lost its END, except a VCALENDAR (a feed cut off before
 * END:VCALENDAR still has its complete events).
 */
export function walkComponents(text: string, visitor: ComponentVisitor, from = 0, to = text.length, only?: readonly string[]): void {
  const walker = new ComponentWalker(visitor, only);
  walker.walk(text, from, to);
  walker.finish();
}

/**
 * `walkComponents` a stretch at a time, so a long text can be walked in steps: each `walk` goes on
 * where the last one stopped, with what it left open still open; `finish` ends the walk. Each
 * stretch may come in a text of its own (a feed's bytes are read a stretch at a time): the
 * visitor is told offsets into the text of the current `walk`.
 */
export class ComponentWalker {
  #text = "";
  readonly #visitor: ComponentVisitor;
  #end = 0;
  readonly #starts: RegExp | undefined;
  readonly #stack: string[] = [];

  /** A walk over every line, or (with `only`) over delimiters and the lines of those properties. */
  constructor(visitor: ComponentVisitor, only?: readonly string[]) {
    this.#visitor = visitor;
    this.#starts = only ? startsOf(only) : undefined;
  }

  /** Walks the lines of `text` starting in `[from, to)`; `to` must be the start of a line (or the end). */
  walk(text: string, from: number, to: number): void {
    this.#text = text;
    this.#end = to;
    const visit = (at: number, end: number) => this.#line(at, end);
    if (this.#starts) walkMatchingLines(text, from, to, this.#starts, visit);
    else walkLines(text, from, to, visit);
  }

  /**
   * Ends the walk: what is still open lost its END, but a VCALENDAR (a feed cut short keeps its
   * complete events), which closes at the end of the last stretch.
   */
  finish(): void {
    const stack = this.#stack;
    while (stack.length > 0) {
      const open = stack.pop() as string;
      if (open === "VCALENDAR") this.#visitor.close(this.#end);
      else this.#visitor.drop(`no END:${open}`);
    }
  }

  #line(at: number, end: number): void {
    const text = this.#text;
    const stack = this.#stack;
    const visitor = this.#visitor;
    const first = text.charCodeAt(at) | 0x20;
    // Only lines starting with b or e can be delimiters: the rest are content lines.
    if (first !== 0x62 && first !== 0x65) {
      if (stack.length > 0) visitor.line(at, end);
      return;
    }
    const begin = delimiter(text, at, end, BEGIN);
    if (begin !== undefined) {
      const top = stack[stack.length - 1];
      if (top && (begin === "VEVENT" || begin === "VCALENDAR") && top !== "VCALENDAR") {
        while (stack.length > 0 && stack[stack.length - 1] !== "VCALENDAR") {
          stack.pop();
          visitor.drop(`no END:${top}`);
        }
      }
      stack.push(begin);
      visitor.open(begin, at);
      return;
    }
    const type = delimiter(text, at, end, END);
    if (type === undefined) {
      if (stack.length > 0) visitor.line(at, end);
      return;
    }
    if (!stack.includes(type)) return; // a stray END: nothing to close
    while (stack.length > 0 && stack[stack.length - 1] !== type) visitor.drop(`no END:${stack.pop()}`);
    stack.pop();
    const lineBreak = text.indexOf("\n", end);
    visitor.close(lineBreak < 0 || lineBreak >= this.#end ? this.#end : lineBreak + 1);
  }
}

/**
 * Patterns by the list of names they were made for: callers pass lists of their own that do not
 * change, and each kept event of a feed is walked with the same one.
 */
const startPatterns = new WeakMap<readonly string[], RegExp>();

/** A line break followed by `BEGIN:`, `END:` or one of `names` and its `;` or `:`, in any case. */
function startsOf(names: readonly string[]): RegExp {
  let pattern = startPatterns.get(names);
  if (!pattern) {
    const alternatives = names.map((name) => `${name.replace(/[^A-Z0-9]/gi, "\\$&")}[;:]`);
    pattern = new RegExp(`\\n(?:BEGIN:|END:|${alternatives.join("|")})`, "gi");
    startPatterns.set(names, pattern);
  }
  return pattern;
}

/** Splits a content line into name, parameters and value; `undefined` when it is not one. */
export function parseContentLine(line: string): ContentLine | undefined {
  let i = 0;
  while (i < line.length && isNameChar(line.charCodeAt(i))) i++;
  if (i === 0) return undefined;
  const name = line.slice(0, i).toUpperCase();
  const params: Record<string, string> = {};
  while (line.charCodeAt(i) === SEMICOLON) {
    i++;
    const eq = line.indexOf("=", i);
    if (eq < 0) return undefined;
    const key = line.slice(i, eq).trim().toUpperCase();
    i = eq + 1;
    let value = "";
    // A parameter value runs to the next unquoted `;`, `:`; a list keeps its commas.
    // Exchange writes TZID=tzone://Microsoft/Utc: a "://" belongs to the value, not the separator.
    let run = i;
    while (i < line.length) {
      const c = line.charCodeAt(i);
      if (c === SEMICOLON || (c === COLON && !line.startsWith("://", i))) break;
      if (c === QUOTE) {
        const close = line.indexOf('"', i + 1);
        if (close < 0) return undefined;
        value += line.slice(run, i) + line.slice(i + 1, close);
        i = close + 1;
        run = i;
      } else {
        i++;
      }
    }
    params[key] = value + line.slice(run, i);
  }
  if (line.charCodeAt(i) !== COLON) return undefined;
  return { name, params, value: line.slice(i + 1) };
}

/**
 * Where the value of the content line `text[at, end)` starts (just after its `:`), read by the
 * same grammar as `parseContentLine` but without making a string; -1 when it is not a content line.
 * `at` may point just past the name.
 */
export function valueOffset(text: string, at: number, end: number): number {
  let i = at;
  while (i < end && isNameChar(text.charCodeAt(i))) i++;
  while (text.charCodeAt(i) === SEMICOLON && i < end) {
    const eq = text.indexOf("=", i + 1);
    if (eq < 0 || eq >= end) return -1;
    i = eq + 1;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === SEMICOLON || (c === COLON && !text.startsWith("://", i))) break;
      if (c === QUOTE) {
        const close = text.indexOf('"', i + 1);
        if (close < 0 || close >= end) return -1;
        i = close + 1;
      } else {
        i++;
      }
    }
  }
  return i < end && text.charCodeAt(i) === COLON ? i + 1 : -1;
}

const SEMICOLON = 59;
const COLON = 58;
const QUOTE = 34;

/** A-Z, a-z, 0-9 and "-": the characters of a property name (RFC 5545 §3.1). */
function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45;
}

function uidOf(component: Component): string {
  const uid = component.properties.find((p) => p.name === "UID")?.value.trim();
  return uid ? uid : "(no UID)";
}

/**
 * Builds the component tree of `text[from, to)`. A component whose END is missing or does not
 * match its BEGIN is left out, with a warning naming it by UID, and the components around it are
 * kept: one broken event never hides the good ones of the same feed. Top-level components other
 * than VCALENDAR are returned in `others` (a VEVENT read on its own, from a span of a feed).
 * Line breaks must be LF or CRLF (see `sourceOf`). With `octets`, the
 * text is a feed's UTF-8 octets (see `octets.ts`) and each line is decoded as it is read. With
 * `only`, the components hold those properties alone: the other lines are never split or decoded.
 */
export function readComponents(
  text: string,
  from = 0,
  to = text.length,
  octets = false,
  only?: readonly string[],
): ComponentTree & { others: Component[] } {
  const warnings: string[] = [];
  const calendars: Component[] = [];
  const others: Component[] = [];
  const stack: Component[] = [];
  walkComponents(
    text,
    {
      open: (type) => stack.push({ type, properties: [], components: [] }),
      close: () => {
        const done = stack.pop() as Component;
        const parent = stack[stack.length - 1];
        if (parent) parent.components.push(done);
        else (done.type === "VCALENDAR" ? calendars : others).push(done);
      },
      drop: (why) => {
        const lost = stack.pop() as Component;
        warnings.push(`skipped ${lost.type} ${uidOf(lost)}: ${why}`);
      },
      line: (at, end) => {
        const property = parseContentLine(decodedLine(lineText(text, at, end), octets));
        if (property) (stack[stack.length - 1] as Component).properties.push(property);
      },
    },
    from,
    to,
    only,
  );
  return { calendars, others, warnings };
}

/** The first property of that name, if any. */
export function property(component: Component, name: string): ContentLine | undefined {
  return component.properties.find((p) => p.name === name);
}

/** Every property of that name, in order. */
export function properties(component: Component, name: string): ContentLine[] {
  return component.properties.filter((p) => p.name === name);
}
