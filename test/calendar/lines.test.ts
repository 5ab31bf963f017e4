import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Component,
  lineText,
  parseContentLine,
  readComponents,
  valueOffset,
  walkLines,
  walkMatchingLines,
} from "../../src/calendar/components.ts";
import { RECORD_PROPERTIES, readSeries } from "../../src/calendar/series.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const NAMES = ["DTSTART", "RRULE", "RECURRENCE-ID", "UID", "X-WR-TIMEZONE"];

/** Texts that exercise the line walkers: every fixture, and hand-made edge cases. */
const texts: Array<[string, string]> = [
  ...readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ics"))
    .map((name): [string, string] => [name, readFileSync(join(FIXTURES, name), "utf8")]),
  ["first line wanted, CRLF", "UID:first\r\nSUMMARY:x\r\nBEGIN:VEVENT\r\nDTSTART:20260101\r\nEND:VEVENT\r\n"],
  [
    "lower case and folds",
    'begin:vcalendar\nx-wr-timezone:Europe/Berlin\ndtstart;tzid="A:B":2026\n 0101T100000\nrrule:FREQ=DAILY\n\tCOUNT=2\nEnd:VCALENDAR',
  ],
  ["names that only start alike", "DTSTARTX:1\nUIDS:2\nRRULES:3\nDTSTAMP:4\nEND\nBEGIN\nDTSTART"],
  ["empty lines and no final break", "\n\n\nUID:a\n\n RRULE:continued\nUID:b"],
  [
    "delimiters and names cut short, or followed by the wrong character",
    'BEGIN;X=1:VEVENT\r\nEND\r\nUID\r\nuId;X="a:b":c\r\nÜID:x\r\nDTSTART\r\n\r\nRRULE;\r\nEND:VEVENT\r\nUID:',
  ],
  [
    "every property an event's record is read from, among others",
    [
      "BEGIN:VCALENDAR",
      "BEGIN:VEVENT",
      "UID:all@example.com",
      "DTSTART;TZID=Europe/Berlin:20260105T090000",
      "DURATION:PT45M",
      "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10",
      "RDATE;TZID=Europe/Berlin:20260110T090000,20260111T090000/PT2H",
      "EXDATE;TZID=Europe/Berlin:20260112T090000",
      "SEQUENCE:3",
      "STATUS:TENTATIVE",
      "SUMMARY:Stand-up\\, daily",
      "DESCRIPTION:Notes\\nsecond line",
      "LOCATION:Room 1",
      "URL:https://example.com/standup",
      "X-GOOGLE-CONFERENCE:https://meet.example.com/abc",
      "ATTENDEE;CN=Someone:mailto:someone@example.com",
      "BEGIN:VALARM",
      "TRIGGER:-PT10M",
      "END:VALARM",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:all@example.com",
      "RECURRENCE-ID;TZID=Europe/Berlin;RANGE=THISANDFUTURE:20260119T090000",
      "DTSTART;TZID=Europe/Berlin:20260119T100000",
      "DTEND;TZID=Europe/Berlin:20260119T110000",
      "SEQUENCE:4",
      "SUMMARY:Stand-up\\, later",
      "END:VEVENT",
      "END:VCALENDAR",
    ].join("\r\n"),
  ],
];

describe("walkMatchingLines", () => {
  it.each(texts)("visits exactly the lines walkLines visits that start with BEGIN:, END: or a wanted name (%s)", (_, text) => {
    const wanted = (line: string) => /^(BEGIN:|END:)/i.test(line) || NAMES.some((name) => new RegExp(`^${name}[;:]`, "i").test(line));
    const all: Array<[number, number]> = [];
    walkLines(text, 0, text.length, (at, end) => {
      if (wanted(text.slice(at, end))) all.push([at, end]);
    });
    const only: Array<[number, number]> = [];
    const pattern = new RegExp(`\\n(?:BEGIN:|END:|${NAMES.map((n) => `${n.replace("-", "\\-")}[;:]`).join("|")})`, "gi");
    walkMatchingLines(text, 0, text.length, pattern, (at, end) => only.push([at, end]));
    expect(only).toEqual(all);
  });

  it("keeps to the range it is given", () => {
    const text = "UID:a\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nUID:c\n";
    const from = text.indexOf("BEGIN");
    const to = text.indexOf("UID:c");
    const seen: string[] = [];
    walkMatchingLines(text, from, to, /\n(?:BEGIN:|END:|UID[;:])/gi, (at, end) => seen.push(text.slice(at, end)));
    expect(seen).toEqual(["BEGIN:VEVENT", "UID:b", "END:VEVENT"]);
  });
});

describe("readComponents with only some properties", () => {
  /** A component tree with each component's properties cut down to `names`. */
  const keeping = (components: Component[], names: readonly string[]): Component[] =>
    components.map((c) => ({
      type: c.type,
      properties: c.properties.filter((p) => names.includes(p.name)),
      components: keeping(c.components, names),
    }));

  it.each(texts)("builds the same components as a full reading, holding those properties alone (%s)", (_, text) => {
    const full = readComponents(text);
    const some = readComponents(text, undefined, undefined, false, RECORD_PROPERTIES);
    expect(some.calendars).toEqual(keeping(full.calendars, RECORD_PROPERTIES));
    expect(some.others).toEqual(keeping(full.others, RECORD_PROPERTIES));
    expect(some.warnings).toEqual(full.warnings);
  });

  /** The VEVENTs of a component tree, wherever they lie. */
  const events = (components: Component[]): Component[] => components.flatMap((c) => (c.type === "VEVENT" ? [c] : events(c.components)));
  /** Series with each record's text read: what a full reading and a cut-down one must agree on. */
  const readAll = (components: Component[]) =>
    readSeries(events(components)).series.map((s) =>
      [s.master, ...s.overrides].map((record) => record && { ...record, text: record.text }),
    );

  it.each(texts)("reads the same series from those properties as from the whole events, text included (%s)", (_, text) => {
    const full = readComponents(text);
    const some = readComponents(text, undefined, undefined, false, RECORD_PROPERTIES);
    expect(readAll([...some.calendars, ...some.others])).toEqual(readAll([...full.calendars, ...full.others]));
  });
});

describe("valueOffset", () => {
  it.each(texts)("finds the value where parseContentLine does, or rejects the line as it does (%s)", (_, text) => {
    walkLines(text, 0, text.length, (at, end) => {
      const line = lineText(text, at, end);
      if (line.length !== end - at) return; // folded: read after unfolding
      const parsed = parseContentLine(line);
      const offset = valueOffset(text, at, end);
      if (parsed === undefined) expect(offset === -1 || !/^[A-Za-z0-9-]/.test(line)).toBe(true);
      else expect(text.slice(offset, end)).toBe(parsed.value);
    });
  });

  it("reads quoted parameters and Exchange's tzone:// values as parameters", () => {
    const line = 'DTSTART;TZID="Zone: A";X-TZ=tzone://Microsoft/Utc:20260101T100000';
    expect(line.slice(valueOffset(line, 0, line.length))).toBe("20260101T100000");
    expect(valueOffset("DTSTART;TZID:20260101", 0, 21)).toBe(-1);
    expect(valueOffset('DTSTART;TZID="open:20260101', 0, 27)).toBe(-1);
  });
});
