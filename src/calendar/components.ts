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

/** Unfolds lines (RFC 5545 §3.1: a line starting with a space or tab continues the previous one). */
export function unfold(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split(/\r\n|\n|\r/)) {
    if ((raw.startsWith(" ") || raw.startsWith("\t")) && lines.length > 0) {
      lines[lines.length - 1] += raw.slice(1);
    } else if (raw.length > 0) {
      lines.push(raw);
    }
  }
  return lines;
}

/** Splits a content line into name, parameters and value; `undefined` when it is not one. */
export function parseContentLine(line: string): ContentLine | undefined {
  let i = 0;
  while (i < line.length && /[A-Za-z0-9-]/.test(line[i] as string)) i++;
  if (i === 0) return undefined;
  const name = line.slice(0, i).toUpperCase();
  const params: Record<string, string> = {};
  while (line[i] === ";") {
    i++;
    const eq = line.indexOf("=", i);
    if (eq < 0) return undefined;
    const key = line.slice(i, eq).trim().toUpperCase();
    i = eq + 1;
    let value = "";
    // A parameter value runs to the next unquoted `;`, `:`; a list keeps its commas.
    // Exchange writes TZID=tzone://Microsoft/Utc: a "://" belongs to the value, not the separator.
    while (i < line.length && line[i] !== ";" && (line[i] !== ":" || line.startsWith("://", i))) {
      if (line[i] === '"') {
        const close = line.indexOf('"', i + 1);
        if (close < 0) return undefined;
        value += line.slice(i + 1, close);
        i = close + 1;
      } else {
        value += line[i];
        i++;
      }
    }
    params[key] = value;
  }
  if (line[i] !== ":") return undefined;
  return { name, params, value: line.slice(i + 1) };
}

function uidOf(component: Component): string {
  const uid = component.properties.find((p) => p.name === "UID")?.value.trim();
  return uid ? uid : "(no UID)";
}

/**
 * Builds the component tree of an iCalendar text. A component whose END is missing or does not
 * match its BEGIN is left out, with a warning naming it by UID, and the components around it are
 * kept: one broken event never hides the good ones of the same feed.
 */
export function readComponents(text: string): ComponentTree {
  const warnings: string[] = [];
  const calendars: Component[] = [];
  const stack: Component[] = [];
  const drop = (component: Component, why: string) => {
    warnings.push(`skipped ${component.type} ${uidOf(component)}: ${why}`);
  };

  for (const line of unfold(text)) {
    const upper = line.slice(0, 6).toUpperCase();
    if (upper === "BEGIN:") {
      const type = line.slice(6).trim().toUpperCase();
      // A new VEVENT (or VCALENDAR) inside a VEVENT means the open one lost its END.
      const top = stack[stack.length - 1];
      if (top && (type === "VEVENT" || type === "VCALENDAR") && top.type !== "VCALENDAR") {
        while (stack.length > 0 && stack[stack.length - 1]?.type !== "VCALENDAR") {
          drop(stack.pop() as Component, `no END:${top.type}`);
        }
      }
      stack.push({ type, properties: [], components: [] });
      continue;
    }
    if (line.slice(0, 4).toUpperCase() === "END:") {
      const type = line.slice(4).trim().toUpperCase();
      if (!stack.some((c) => c.type === type)) continue; // a stray END: nothing to close
      // Close what lost its own END on the way to the component this END belongs to.
      while (stack.length > 0 && stack[stack.length - 1]?.type !== type) {
        const lost = stack.pop() as Component;
        drop(lost, `no END:${lost.type}`);
      }
      const done = stack.pop() as Component;
      const parent = stack[stack.length - 1];
      if (parent) {
        parent.components.push(done);
      } else if (done.type === "VCALENDAR") {
        calendars.push(done);
      }
      continue;
    }
    const top = stack[stack.length - 1];
    if (!top) continue;
    const property = parseContentLine(line);
    if (property) top.properties.push(property);
  }
  // Whatever is still open at the end of the text lost its END.
  while (stack.length > 0) {
    const open = stack.pop() as Component;
    if (open.type === "VCALENDAR") {
      calendars.push(open); // a feed cut off before END:VCALENDAR still has its complete events
    } else {
      drop(open, `no END:${open.type}`);
    }
  }
  return { calendars, warnings };
}

/** The first property of that name, if any. */
export function property(component: Component, name: string): ContentLine | undefined {
  return component.properties.find((p) => p.name === name);
}

/** Every property of that name, in order. */
export function properties(component: Component, name: string): ContentLine[] {
  return component.properties.filter((p) => p.name === name);
}
