import { describe, expect, it } from "vitest";
import { type ExpandOptions, expandCalendar, occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";
import { sourceOf } from "../../src/calendar/octets.ts";
import { fixedZoneBlock } from "../support/calendar.ts";

// A feed handed over as UTF-8 bytes is read without decoding it whole (src/calendar/octets.ts):
// whatever is not ASCII must still come out as the text it is, and read the same as the decoded
// text would.

const WINDOW: ExpandOptions = { from: new Date("2026-03-12T00:00:00Z"), to: new Date("2026-03-13T00:00:00Z"), timezone: "UTC" };

function calendar(...lines: string[]): string {
  return ["BEGIN:VCALENDAR", "VERSION:2.0", ...lines, "END:VCALENDAR", ""].join("\r\n");
}

const CUSTOM_ZONE = fixedZoneBlock("Zürich (Büro)");

const NON_ASCII = calendar(
  "X-WR-CALNAME:Équipe",
  ...CUSTOM_ZONE,
  "BEGIN:VEVENT",
  "UID:réunion-ü@exemple.fr",
  'DTSTART;TZID="Zürich (Büro)":20260312T100000',
  "DURATION:PT1H",
  "SUMMARY:Réunion d’équipe – 会議 🎉",
  "LOCATION:Salle Ørsted",
  "DESCRIPTION:Ordre du jour\\nÀ voir",
  "END:VEVENT",
  "BEGIN:VEVENT",
  "UID:kaputt-ö@exemple.fr",
  "DTSTART:20260312T110000Z",
  "SUMMARY:Ohne Ende",
);

function reading(feed: string | Uint8Array) {
  const expansion = expandCalendar(feed, WINDOW);
  return {
    occurrences: expansion.occurrences.map(({ uid, summary, location, description, start }) => ({
      uid,
      summary,
      location,
      description,
      start,
    })),
    warnings: expansion.warnings,
  };
}

describe("a feed read from its UTF-8 bytes", () => {
  it("reads UIDs, text, zone names and warnings as the decoded text reads them", () => {
    // Act
    const fromBytes = reading(Buffer.from(NON_ASCII, "utf8"));

    // Assess
    expect(fromBytes).toEqual(reading(NON_ASCII));
    expect(fromBytes.occurrences).toEqual([
      {
        uid: "réunion-ü@exemple.fr",
        summary: "Réunion d’équipe – 会議 🎉",
        location: "Salle Ørsted",
        description: "Ordre du jour\nÀ voir",
        // 10:00 in the feed's own +01:00 zone, found by its non-ASCII TZID.
        start: new Date("2026-03-12T09:00:00Z"),
      },
    ]);
    expect(fromBytes.warnings).toEqual(["skipped VEVENT kaputt-ö@exemple.fr: no END:VEVENT"]);
  });

  it("mends a character whose bytes a producer folded apart (RFC 5545 §3.1)", () => {
    // Prepare: "é" is C3 A9; the fold falls between the two bytes.
    const [before, after] = calendar(
      "BEGIN:VEVENT",
      "UID:folded@x",
      "DTSTART:20260312T100000Z",
      "SUMMARY:Caf\u0000 au lait",
      "END:VEVENT",
    ).split("\u0000") as [string, string];
    const bytes = Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x0d, 0x0a, 0x20, 0xa9]), Buffer.from(after)]);

    // Act, Assess
    expect(reading(bytes).occurrences.map((o) => o.summary)).toEqual(["Café au lait"]);
  });

  it("drops a UTF-8 byte-order mark and decodes UTF-16 by its own", () => {
    // Prepare
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(NON_ASCII)]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NON_ASCII, "utf16le")]);

    // Act, Assess
    expect(sourceOf(utf8)).toMatchObject({ octets: true, length: utf8.length - 3 });
    const decoded = sourceOf(utf16);
    expect(decoded.octets).toBe(false);
    expect(decoded.slice(0, decoded.length)).toBe(NON_ASCII);
    expect(reading(utf8)).toEqual(reading(NON_ASCII));
    expect(reading(utf16)).toEqual(reading(NON_ASCII));
  });

  it("keeps the feed's bytes, not a decoded copy, to read it again for a later window", () => {
    // Prepare: a feed of non-ASCII titles, which decoded is a UTF-16 string of two bytes a character
    const events = Array.from({ length: 200 }, (_, i) =>
      ["BEGIN:VEVENT", `UID:${i}@x`, `DTSTART:2026${i % 2 ? "0312" : "0601"}T100000Z`, `SUMMARY:Überblick ${i} – Ärger`, "END:VEVENT"].join(
        "\r\n",
      ),
    );
    const bytes = Buffer.from(calendar(...events));

    // Act
    const parsed = parseCalendar(bytes, { horizon: WINDOW });
    const later = occurrencesOf(parsed, { ...WINDOW, from: new Date("2026-06-01T00:00:00Z"), to: new Date("2026-06-02T00:00:00Z") });

    // Assess: one character per byte, read again into the same text
    expect(parsed.source).toMatchObject({ octets: true, length: bytes.length });
    expect(parsed.source.slice(0, parsed.source.length)).not.toMatch(/[\u0100-\uffff]/);
    expect(later.occurrences).toHaveLength(100);
    expect(later.occurrences[0]?.summary).toBe("Überblick 0 – Ärger");
  });

  it("names a feed that is an HTML page, from its bytes too", () => {
    expect(() => parseCalendar(Buffer.from("<!DOCTYPE html><title>Anmelden – Kalender</title>"))).toThrow(/HTML\/XML page/);
  });
});
