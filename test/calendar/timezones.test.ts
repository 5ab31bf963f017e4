import { readdirSync } from "node:fs";
import windowsZones from "cldr-core/supplemental/windowsZones.json" with { type: "json" };
import { describe, expect, it, vi } from "vitest";
import { resolveTzid } from "../../src/calendar/timezones.ts";
import { expandFixture, startsOf } from "../support/calendar.ts";

describe("time zones", () => {
  it("maps Windows zone names through CLDR and Outlook display labels, with no VTIMEZONE beside them", () => {
    // Prepare: 09:00 Tokyo = 00:00Z; 09:00 Berlin in July = 07:00Z; 09:00 New York in July = 13:00Z.
    const fixture = "windows-zone-names-without-vtimezone.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-01T00:00:00Z", "2026-08-01T00:00:00Z");

    // Assess
    expect(occurrences.map((o) => [o.uid, o.start.toISOString(), o.timezone])).toEqual([
      ["tokyo", "2026-03-10T00:00:00.000Z", "Asia/Tokyo"],
      ["berlin", "2026-07-10T07:00:00.000Z", "Europe/Berlin"],
      ["new-york-label", "2026-07-10T13:00:00.000Z", "America/New_York"],
    ]);
  });

  it("reads Exchange's tzone://Microsoft/ TZIDs, whose colon is not the value separator", () => {
    // Prepare: 09:00 UTC, and 09:00 Tokyo = 00:00Z.
    const fixture = "exchange-tzone-uri-tzid.ics";

    // Act
    const { occurrences, warnings } = expandFixture(fixture, "2026-03-09T00:00:00Z", "2026-03-11T00:00:00Z", "Europe/Berlin");

    // Assess
    expect(occurrences.map((o) => [o.uid, o.start.toISOString(), o.end.toISOString()])).toEqual([
      ["exchange-windows-name", "2026-03-10T00:00:00.000Z", "2026-03-10T00:00:00.000Z"],
      ["exchange-utc", "2026-03-10T09:00:00.000Z", "2026-03-10T10:00:00.000Z"],
    ]);
    expect(warnings).toEqual([]);
  });

  it("resolves every Windows zone name in CLDR to the zone Windows means, in this runtime", () => {
    // Prepare
    const rows = windowsZones.supplemental.windowsZones.mapTimezones.map((r) => r.mapZone).filter((z) => z._territory === "001");
    const instant = Date.UTC(2026, 6, 1, 12);

    // Act
    const unresolved = rows.filter((row) => {
      const zone = resolveTzid(row._other, new Map());
      const expected = resolveTzid(row._type, new Map());
      return !zone || !expected || zone.toWall(instant).toString() !== expected.toWall(instant).toString();
    });

    // Assess
    expect(rows.length).toBeGreaterThan(130);
    expect(unresolved).toEqual([]);
  });

  it("evaluates the STANDARD and DAYLIGHT rules of a VTIMEZONE whose TZID is unknown", () => {
    // Prepare: -03:00, and -02:00 from the second Sunday of March (8 March 2026) at 02:00.
    const fixture = "custom-vtimezone-unknown-tzid.ics";

    // Act
    const { occurrences } = expandFixture(fixture, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "Europe/Lisbon");

    // Assess: shown in the configured zone, since the custom zone has no IANA name.
    expect(occurrences.map((o) => [o.start.toISOString(), o.end.toISOString(), o.timezone])).toEqual([
      ["2026-03-02T12:00:00.000Z", "2026-03-02T13:00:00.000Z", "Europe/Lisbon"],
      ["2026-03-09T11:00:00.000Z", "2026-03-09T12:00:00.000Z", "Europe/Lisbon"],
    ]);
  });

  it("reads floating times in the calendar's X-WR-TIMEZONE rather than the configured zone; UTC stays UTC", () => {
    // Prepare
    const fixture = "floating-in-calendar-zone.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-09T00:00:00Z", "2026-03-11T00:00:00Z", "Europe/Berlin");

    // Assess
    expect(starts).toEqual(["2026-03-10T00:00:00Z floating-tokyo", "2026-03-10T09:00:00Z utc"]);
  });

  it("reads floating times in the configured zone when the calendar names none", () => {
    // Prepare: 09:00 is 08:00Z in Berlin and, after 8 March, 13:00Z in New York.
    const fixture = "floating-in-configured-zone.ics";

    // Act
    const berlin = startsOf(fixture, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", "Europe/Berlin");
    const newYork = startsOf(fixture, "2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z", "America/New_York");

    // Assess
    expect(berlin).toEqual(["2026-03-10T08:00:00Z floating"]);
    expect(newYork).toEqual(["2026-03-10T13:00:00Z floating"]);
  });

  it("follows RFC 5545 at DST changes: a start in the gap moves past it, rule instances in it are dropped, a repeated time is the first", () => {
    // Prepare: New York springs forward at 02:00 on 8 March 2026 and falls back at 02:00 on 1 November.
    const fixture = "dst-gap-and-overlap.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-01T00:00:00Z", "2026-12-01T00:00:00Z");

    // Assess: 02:30 EST = 07:30Z. A DTSTART of 02:30 on 8 March means 03:30 EDT = 07:30Z (§3.3.5);
    // the daily rule's 02:30 that day does not exist and is ignored, not counted (§3.3.10), so COUNT=3
    // reaches 10 March (02:30 EDT = 06:30Z). 01:30 on fall-back day is its first, EDT: 05:30Z.
    expect(starts).toEqual([
      "2026-03-07T07:30:00Z gap",
      "2026-03-08T07:30:00Z gap-start",
      "2026-03-09T06:30:00Z gap",
      "2026-03-10T06:30:00Z gap",
      "2026-11-01T05:30:00Z overlap",
    ]);
  });

  it("drops, and does not count, the rule instances a VTIMEZONE-defined zone's own DST gap skips", () => {
    // Prepare: the custom zone is +01:00, and +02:00 from 02:00 on the last Sunday of March (29
    // March 2026); 02:30 that day does not exist on its clocks
    const fixture = "custom-vtimezone-series-across-its-gap.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-26T00:00:00Z", "2026-04-01T00:00:00Z");

    // Assess: 27 and 28 March at 01:30Z, then 30 and 31 March at 00:30Z; COUNT=4 reaches 31 March
    expect(starts).toEqual([
      "2026-03-27T01:30:00Z nightly-count",
      "2026-03-27T01:30:00Z nightly-open",
      "2026-03-28T01:30:00Z nightly-count",
      "2026-03-28T01:30:00Z nightly-open",
      "2026-03-30T00:30:00Z nightly-count",
      "2026-03-30T00:30:00Z nightly-open",
      "2026-03-31T00:30:00Z nightly-count",
      "2026-03-31T00:30:00Z nightly-open",
    ]);
  });

  it("keeps a floating time that the process's own zone skips (the tests run in New York)", () => {
    // Prepare: 02:30 on 8 March 2026 does not exist in New York, but does in Berlin (CET, +01:00).
    const fixture = "floating-time-in-process-zone-gap.ics";

    // Act
    const starts = startsOf(fixture, "2026-03-07T00:00:00Z", "2026-03-09T00:00:00Z");

    // Assess
    expect(starts).toEqual(["2026-03-08T01:30:00Z floating-gap"]);
  });

  it("gives the same occurrences whatever zone the process runs in", () => {
    // Prepare
    const fixtures = readdirSync(new URL("../fixtures/calendar/", import.meta.url)).filter((f) => f.endsWith(".ics"));
    const expandAll = () => fixtures.map((f) => startsOf(f, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "Europe/Berlin"));
    const inNewYork = expandAll();

    // Act
    vi.stubEnv("TZ", "Asia/Kolkata");
    const inKolkata = expandAll();
    vi.stubEnv("TZ", "Pacific/Chatham");
    const inChatham = expandAll();

    // Assess
    expect(new Date(2026, 0, 1).getTimezoneOffset()).not.toBe(300); // the zone did change
    expect(inKolkata).toEqual(inNewYork);
    expect(inChatham).toEqual(inNewYork);
  });
});
