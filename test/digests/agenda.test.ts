import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { occurrencesOf, parseCalendar } from "../../src/calendar/expand.ts";
import type { Occurrence } from "../../src/calendar/occurrence.ts";
import { configOf } from "../../src/config/schema.ts";
import { type Agenda, agendaRange, buildAgenda } from "../../src/digests/agenda.ts";
import { digestsOf } from "../../src/digests/digest.ts";
import { entryLine, renderDigest } from "../../src/digests/message.ts";
import { type DueDigest, dueDigests } from "../../src/digests/schedule.ts";
import type { Feed } from "../../src/reminders/feed.ts";
import { occurrence } from "../support/builders.ts";
import { mrkdwnObjects } from "../support/slack-text.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures/digests", name), "utf8");

function setup(digest: Record<string, unknown>, feedOverrides: Record<string, unknown>[] = [{}, {}]) {
  const config = configOf({
    timezone: "Europe/Berlin",
    webhooks: { team: "http://127.0.0.1:9/services/T/B/secret" },
    feeds: [
      { id: "platform", name: "Platform", url: "http://127.0.0.1:9/p.ics", webhook: "team", ...feedOverrides[0] },
      { id: "ops", name: "Ops", url: "http://127.0.0.1:9/o.ics", webhook: "team", ...feedOverrides[1] },
    ],
    digests: [{ webhook: "team", ...digest }],
  });
  return digestsOf(config, config.feeds);
}

function dueAt(digest: Record<string, unknown>, iso: string, feedOverrides?: Record<string, unknown>[]): DueDigest {
  const [due] = dueDigests(setup(digest, feedOverrides), { from: new Date(iso), to: new Date(new Date(iso).getTime() + 5 * 60_000) });
  if (!due) throw new Error(`nothing due at ${iso}`);
  return due;
}

/** The agenda of `due` from the two fixture feeds, each expanded over the digest's range. */
function agendaOf(
  due: DueDigest,
  texts = [fixture("platform-week-across-spring-forward.ics"), fixture("ops-shares-the-review-in-utc.ics")],
): Agenda {
  const sources = due.digest.feeds.map((feed, index) => ({
    feed,
    occurrences: occurrencesOf(parseCalendar(texts[index] as string), { ...agendaRange(due), timezone: feed.timezone }).occurrences,
  }));
  return buildAgenda(due, sources);
}

const lines = (agenda: Agenda) =>
  Object.fromEntries(
    agenda.days.map(({ day, entries }) => [
      day,
      entries.map((e) =>
        entryLine(e, agenda.due.digest.timezone).replace(/<!date\^\d+\^\{date_short_pretty\} at \{time\}\|([^>]*)>/g, "[$1]"),
      ),
    ]),
  );

/** A digest's line for a half-hour meeting on Monday 23 March 2026, 10:00 in Berlin, of the feed "Platform". */
const mondayLine = (fields: Partial<Occurrence>) =>
  entryLine(
    {
      occurrence: occurrence({ start: new Date("2026-03-23T09:00:00Z"), timezone: "Europe/Berlin", ...fields }),
      feedNames: ["Platform"],
      dayNumber: 1,
      dayCount: 1,
    },
    "Europe/Berlin",
  );

describe("what a digest lists", () => {
  it("lists a week across the spring-forward change: a moved and a cancelled instance, multi-day events, a meeting shared by two feeds once", () => {
    // Prepare: Monday 23 March 2026, 08:00 in Berlin; clocks go forward on Sunday the 29th
    const due = dueAt({ weekly: "MO 08:00", title: "This week" }, "2026-03-23T07:00:00Z");

    // Act
    const agenda = agendaOf(due);

    // Assess
    expect(lines(agenda)).toEqual({
      "2026-03-23": [
        "• 09:30–09:45  *Standup* · [09:30 GMT+1] your time · :link: <https://meet.google.com/abc-defg-hij|Join Google Meet> · :calendar: Platform",
      ],
      "2026-03-24": [],
      "2026-03-25": [
        "• 09:30–09:45  *Standup* · [09:30 GMT+1] your time · :link: <https://meet.google.com/abc-defg-hij|Join Google Meet> · :calendar: Platform",
        "• 15:00–16:00  *Architecture review &lt;!channel&gt; &amp; friends* · [15:00 GMT+1] your time · :round_pushpin: Room 4.01 · :calendar: Platform, Ops",
      ],
      "2026-03-26": [
        "• All day (day 1 of 2)  *Team offsite* · :calendar: Platform",
        "• 14:00–14:15  *Standup (moved to the afternoon)* · [14:00 GMT+1] your time · :calendar: Platform",
      ],
      "2026-03-27": [
        "• All day (continuing, day 2 of 2)  *Team offsite* · :calendar: Platform",
        "• 18:00 → Mon 06:00 (day 1 of 4)  *Release freeze* · [18:00 GMT+1] your time · :calendar: Platform",
      ],
      "2026-03-28": [
        "• All day (continuing, day 2 of 4)  *Release freeze* · :calendar: Platform",
        "• 22:00 → Sun 04:00 (day 1 of 2)  *Patch window* · [22:00 GMT+1] your time · :calendar: Ops",
      ],
      "2026-03-29": [
        "• All day (continuing, day 3 of 4)  *Release freeze* · :calendar: Platform",
        "• Until 04:00 (continuing, day 2 of 2)  *Patch window* · :calendar: Ops",
        "• 10:00–12:00  *Sunday hike* · [10:00 GMT+2] your time · :calendar: Platform",
      ],
    });
    expect(agenda.events).toBe(8);
  });

  it("lists the whole local day in a daily digest, all-day events first", () => {
    // Prepare
    const due = dueAt({ daily: "08:30" }, "2026-03-26T07:30:00Z");

    // Act
    const agenda = agendaOf(due);

    // Assess
    expect(agenda.days.map((d) => d.day)).toEqual(["2026-03-26"]);
    expect(agenda.days[0]?.entries.map((e) => e.occurrence.summary)).toEqual(["Team offsite", "Standup (moved to the afternoon)"]);
  });

  it("lists an all-day event shared by feeds of different zones once, naming both", () => {
    // Prepare: the same holiday, placed at midnight in Berlin by one feed and in New York by the other
    const due = dueAt({ daily: "08:30", timezone: "Europe/Berlin" }, "2026-03-25T07:30:00Z", [{}, { timezone: "America/New_York" }]);
    const holiday = (start: string) =>
      occurrence({
        uid: "holiday@test",
        summary: "Company holiday",
        allDay: true,
        day: "2026-03-25",
        start: new Date(start),
        end: new Date(Date.parse(start) + 86_400_000),
      });
    const [platform, ops] = due.digest.feeds;

    // Act
    const agenda = buildAgenda(due, [
      { feed: platform as Feed, occurrences: [holiday("2026-03-24T23:00:00Z")] },
      { feed: ops as Feed, occurrences: [holiday("2026-03-25T04:00:00Z")] },
    ]);

    // Assess
    const entries = agenda.days.flatMap((d) => d.entries);
    expect(entries.map((e) => [e.occurrence.summary, e.feedNames])).toEqual([["Company holiday", ["Platform", "Ops"]]]);
  });

  it("applies each feed's include and exclude", () => {
    // Prepare
    const due = dueAt({ weekly: "MO 08:00" }, "2026-03-23T07:00:00Z", [{ exclude: "standup|freeze" }, { include: "patch" }]);

    // Act
    const agenda = agendaOf(due);

    // Assess
    const titles = agenda.days.flatMap((d) => d.entries.map((e) => e.occurrence.summary));
    expect(new Set(titles)).toEqual(new Set(["Architecture review <!channel> & friends", "Team offsite", "Sunday hike", "Patch window"]));
    expect(agenda.days.find((d) => d.day === "2026-03-25")?.entries[0]?.feedNames).toEqual(["Platform"]);
  });
});

describe("digest messages", () => {
  it("heads the week and escapes calendar text as reminders do", () => {
    // Prepare
    const agenda = agendaOf(dueAt({ weekly: "MO 08:00" }, "2026-03-23T07:00:00Z"));

    // Act
    const messages = renderDigest(agenda);

    // Assess
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "This week · Mar 23 – Mar 29", emoji: true } });
    expect(message?.text).toBe("This week · Mar 23 – Mar 29: 8 events");
    const json = JSON.stringify(message);
    expect(json).not.toContain("<!channel>");
    expect(json).toContain("*Wednesday, March 25*");
    // Verbatim: Slack links no URL or channel name of the calendar's text, and parses no mention.
    const texts = mrkdwnObjects(message?.blocks);
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) expect(text).toMatchObject({ verbatim: true });
  });

  it("neutralises a title's own formatting characters, so it cannot end the bold early or fake its own", () => {
    // Prepare
    const fields = { uid: "fake@example.com", summary: "Sync* `CANCELLED` *ALL HANDS _now_ ~x~" };

    // Act
    const line = mondayLine(fields);

    // Assess
    expect(line).toContain("*Sync∗ ˋCANCELLEDˋ ∗ALL HANDS ˍnowˍ ∼x∼*");
    // Slack's date token is no text: its format's underscores are its own.
    expect(line.replace(/<!date\^[^>]*>/g, "")).not.toMatch(/[`_~]/);
  });

  it("links a location's bare web address to itself, as reminders do, and keeps the rest of it text", () => {
    // Prepare
    const fields = { uid: "map@example.com", summary: "Offsite", location: "Hall B <!here> (map: https://maps.example/?q=hall&b=1)" };

    // Act
    const line = mondayLine(fields);

    // Assess
    expect(line).toContain(":round_pushpin: Hall B &lt;!here&gt; (map: <https://maps.example/?q=hall&amp;b=1>) · :calendar: Platform");
  });

  it("leaves a location that only names the meeting's service to the Join link", () => {
    // Prepare
    const fields = {
      uid: "teams@example.com",
      summary: "Steering",
      description: "Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_x/0",
      location: "Microsoft Teams Meeting",
    };

    // Act
    const line = mondayLine(fields);

    // Assess
    expect(line).toContain("|Join Microsoft Teams>");
    expect(line).not.toContain(":round_pushpin:");
  });

  it("names a feed that could not be read, by name, and says the day is empty when it is", () => {
    // Prepare
    const due = dueAt({ daily: "08:30" }, "2026-03-24T07:30:00Z");
    const [platform, ops] = due.digest.feeds;

    // Act
    const agenda = buildAgenda(due, [{ feed: platform!, occurrences: [] }], [{ ...ops!, name: "Ops <on call>" }]);
    const [message] = renderDigest(agenda);

    // Assess
    expect(message?.blocks[1]).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: ":warning: Could not read *Ops &lt;on call&gt;*: its events are missing from this digest.",
          verbatim: true,
        },
      ],
    });
    expect(JSON.stringify(message?.blocks[2])).toContain("_No events today._");
    expect(message?.text).toContain("could not read Ops &lt;on call&gt;");
  });
});
