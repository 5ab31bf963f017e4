import { describe, expect, it } from "vitest";
import type { Reminder } from "../../src/reminders/reminder.ts";
import { MAX_BLOCKS, MAX_TEXT, packMessages, renderMessage } from "../../src/slack/message.ts";
import { reminder, reminders } from "../support/reminders.ts";
import { mrkdwnObjects } from "../support/slack-text.ts";

const start = new Date("2026-03-12T15:00:00Z");
const now = new Date("2026-03-12T14:50:00Z");
/** The line Google writes above and below the Meet details it puts in a description. */
const MEET_LINE = `-::~:~::~${":~".repeat(30)}::~:~::-`;
const sectionText = (message: ReturnType<typeof renderMessage>, index = 0) =>
  (message.blocks.filter((b) => b.type === "section")[index] as { text: { text: string } }).text.text;

describe("renderMessage", () => {
  it("shows the title, the start as a date token with the feed's zone as fallback, and the countdown", () => {
    // Prepare
    const r = reminder({ summary: "Platform sync", start }, { name: "Platform", timezone: "Asia/Tokyo" });

    // Act
    const message = renderMessage([r], now);

    // Assess
    const text = sectionText(message);
    expect(text).toContain("*Platform sync*");
    expect(text).toContain(`<!date^${start.getTime() / 1000}^{date_short_pretty} at {time}|Fri, Mar 13, 00:00 GMT+9>`);
    expect(text).toContain("in 10 minutes");
    expect(JSON.stringify(message.blocks)).toContain(":calendar: Platform");
    expect(message.text).toBe("Reminder: Platform sync — Fri, Mar 13, 00:00 GMT+9, in 10 minutes");
  });

  it("writes an all-day event's days as text, the same for every reader, and shows each day of a longer one", () => {
    // Prepare: a one-day and a three-day all-day event of a UTC feed, reminded at 09:00
    const day = (date: string, days: number, summary: string) =>
      reminder({
        uid: `${summary}@test`,
        summary,
        allDay: true,
        day: date,
        start: new Date(`${date}T00:00:00Z`),
        end: new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000),
      });

    // Act
    const message = renderMessage([day("2026-03-12", 1, "Release day"), day("2026-03-12", 3, "Offsite")], new Date("2026-03-12T09:00:00Z"));

    // Assess: no date token, which would show the feed's midnight as the evening before west of it
    expect(sectionText(message, 0)).toContain("Thu, Mar 12 (all day)");
    expect(sectionText(message, 1)).toContain("Thu, Mar 12 – Sat, Mar 14 (all day)");
    expect(JSON.stringify(message.blocks)).not.toContain("<!date^");
  });

  it.each([
    ["a UTC event for a Berlin feed", "UTC", "Europe/Berlin", "Thu, Mar 12, 16:00 GMT+1"],
    ["a Tokyo event for a UTC feed", "Asia/Tokyo", "UTC", "Thu, Mar 12, 15:00 UTC"],
  ])("writes the start of %s in the feed's zone, not the event's", (_, eventZone, feedZone, shown) => {
    // Prepare
    const r = reminder({ summary: "Retro", start, timezone: eventZone }, { timezone: feedZone });

    // Act
    const message = renderMessage([r], now);

    // Assess
    expect(message.text).toBe(`Reminder: Retro — ${shown}, in 10 minutes`);
    expect(sectionText(message)).toContain(`|${shown}>`);
  });

  it("shows the location and a shortened description without HTML", () => {
    // Prepare
    const r = reminder({
      start,
      location: "Room 4",
      description: `Agenda:<br>1. ${"status ".repeat(100)}`,
    });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text).toContain(":round_pushpin: Room 4");
    expect(text).toMatch(/^> Agenda: 1\. status status .*…$/m);
    expect(text).not.toContain("<br>");
    expect(text.split("\n").at(-1)?.length).toBeLessThanOrEqual(302);
  });

  it("shows a location that is only the meeting's link once, as the link", () => {
    // Prepare
    const r = reminder({ start, location: "https://acme.zoom.us/j/123456789" });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text).not.toContain(":round_pushpin:");
    expect(text).toContain(":link: <https://acme.zoom.us/j/123456789|Join Zoom>");
  });

  it("drops every HTML tag of a Google or Outlook description and decodes its entities, keeping text in angle brackets", () => {
    // Prepare
    const r = reminder({
      start,
      description:
        '<html-blob><h3>Agenda</h3>See https://grafana.example.com/d/abc?orgId=1&region=eu&times=5 Item 1 &amp; 2 <font color="red">urgent</font><table><tr><td>Don&#8217;t</td><td>caf&eacute; &mdash; 10&nbsp;min</td></tr></table><img src="x"><style>p{}</style>Bring <your laptop> &lt;!channel&gt;</html-blob>',
    });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess: the one line is text, escaped for Slack, no markup of its own
    expect(text.split("\n").at(-1)).toBe(
      "> Agenda See <https://grafana.example.com/d/abc?orgId=1&amp;region=eu&amp;times=5> Item 1 &amp; 2 urgent Don’t café — 10 min Bring &lt;your laptop&gt; &lt;!channel&gt;",
    );
  });

  it.each([
    [
      "Google Meet in X-GOOGLE-CONFERENCE",
      { conference: "https://meet.google.com/abc-defg-hij" },
      "https://meet.google.com/abc-defg-hij",
      "Google Meet",
    ],
    [
      "Zoom in the description",
      { description: "Join: https://acme.zoom.us/j/123456789?pwd=abc. Thanks" },
      "https://acme.zoom.us/j/123456789?pwd=abc",
      "Zoom",
    ],
    [
      "Teams in the location",
      { location: "Microsoft Teams Meeting; https://teams.microsoft.com/l/meetup-join/19%3ameeting_x/0?context=%7b%7d" },
      "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x/0?context=%7b%7d",
      "Microsoft Teams",
    ],
    ["Meet in URL", { url: "https://meet.google.com/xyz-abcd-efg" }, "https://meet.google.com/xyz-abcd-efg", "Google Meet"],
    [
      "Zoom from an HTML description's href, its &amp; read as &",
      { description: '<a href="https://acme.zoom.us/j/123456789?from=addon&amp;pwd=abcDEF">Join</a>' },
      "https://acme.zoom.us/j/123456789?from=addon&pwd=abcDEF",
      "Zoom",
    ],
    [
      "Teams' short meeting link",
      { description: "Join: https://teams.microsoft.com/meet/2345678901234?p=AbCdEfGh" },
      "https://teams.microsoft.com/meet/2345678901234?p=AbCdEfGh",
      "Microsoft Teams",
    ],
    [
      "a Webex meeting in the description",
      { description: "Join meeting: https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef0123456789abcdef." },
      "https://acme.webex.com/acme/j.php?MTID=m0123456789abcdef0123456789abcdef",
      "Webex",
    ],
    [
      "a Webex personal room in the location",
      { location: "https://acme.my.webex.com/meet/jdoe" },
      "https://acme.my.webex.com/meet/jdoe",
      "Webex",
    ],
    [
      "GoTo Meeting in the description",
      { description: "Please join from your computer: https://meet.goto.com/123456789 (access code 123-456-789)" },
      "https://meet.goto.com/123456789",
      "GoTo Meeting",
    ],
    [
      "GoTo Meeting's classic link",
      { url: "https://global.gotomeeting.com/join/987654321" },
      "https://global.gotomeeting.com/join/987654321",
      "GoTo Meeting",
    ],
    [
      "a Jitsi Meet room",
      { location: "https://meet.jit.si/PlatformWeeklySync, room 4" },
      "https://meet.jit.si/PlatformWeeklySync",
      "Jitsi Meet",
    ],
  ])("offers a Join button for %s", (_, fields, url, service) => {
    // Prepare
    const r = reminder({ start, ...fields });

    // Act
    const message = renderMessage([r], now);

    // Assess
    const section = message.blocks[0] as { accessory?: { type: string; url: string } };
    expect(section.accessory).toMatchObject({ type: "button", url });
    expect(sectionText(message)).toContain(`|Join ${service}>`);
  });

  it.each([
    ["Outlook's name of the service", "Microsoft Teams Meeting", false],
    ["the name and the link", "Microsoft Teams Meeting; https://teams.microsoft.com/l/meetup-join/19%3ameeting_x/0", false],
    ["a room beside them", "Room 4.01; Microsoft Teams Meeting", true],
  ])("leaves out a location that says no more than the join link: %s", (_, location, shown) => {
    // Prepare
    const r = reminder({ start, location, description: "Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_x/0" });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess: the Join line either way; the location only when it says more
    expect(text).toContain("|Join Microsoft Teams>");
    expect(text.includes(":round_pushpin:")).toBe(shown);
  });

  it("shows a service's name as the location when no link of that service is found", () => {
    // Prepare
    const r = reminder({ start, location: "Microsoft Teams Meeting", description: "Join: https://acme.zoom.us/j/123456789" });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text).toContain(":round_pushpin: Microsoft Teams Meeting");
  });

  it("makes no button of a link to any other host", () => {
    // Prepare
    const r = reminder({
      start,
      description:
        "Join at https://meet.evil.example/abc-defg-hij or https://webex.com.evil.example/meet/x, " +
        "see https://www.webex.com/pricing and https://meet.goto.com.evil.example/1, or http://meet.jit.si/Room",
    });

    // Act
    const message = renderMessage([r], now);

    // Assess
    expect(message.blocks[0]).not.toHaveProperty("accessory");
    expect(sectionText(message)).not.toContain("|Join");
  });

  it.each([
    [
      "Google Meet",
      `Agenda: review Q3 numbers.\n\n${MEET_LINE}\nJoin with Google Meet: https://meet.google.com/abc-defg-hij\nOr dial: (US) +1 234-567-8901 PIN: 123456789#\n\nPlease do not edit this section.\n${MEET_LINE}\nThen lunch.`,
      "> Agenda: review Q3 numbers. Then lunch.",
    ],
    [
      "older, unclosed Google Meet",
      `Planning.\n${MEET_LINE}\nPlease do not edit this section of the description.\n\nThis event has a video call.\nJoin: https://meet.google.com/abc-defg-hij\n+1 530-426-2414 PIN: 363467803#`,
      "> Planning.",
    ],
    [
      "Zoom",
      `Bring your slides\n${"─".repeat(10)}\n\nJane Doe is inviting you to a scheduled Zoom meeting.\n\nJoin Zoom Meeting\nhttps://acme.zoom.us/j/123456789?pwd=abc\n\nMeeting ID: 123 456 789\nPasscode: 424242\n${"─".repeat(10)}`,
      "> Bring your slides",
    ],
    [
      "Microsoft Teams (in Outlook's HTML)",
      `<p>Quarterly review</p><div>${"_".repeat(80)}</div><div><b>Microsoft Teams meeting</b></div><div>Join on your computer, mobile app or room device</div><a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_x/0">Click here to join the meeting</a><div>Meeting ID: 123 456 789 012</div><div>Passcode: Ab12Cd</div><div>${"_".repeat(80)}</div>`,
      "> Quarterly review",
    ],
  ])("leaves the %s conference block out of the description, since the Join button says it", (_, description, shown) => {
    // Prepare
    const r = reminder({ start, description });

    // Act
    const message = renderMessage([r], now);

    // Assess: the organiser's words, and still a Join button
    expect(sectionText(message).split("\n").at(-1)).toBe(shown);
    expect(message.blocks[0]).toHaveProperty("accessory");
  });

  it("keeps dividers of the organiser's own, and shows no description when the conference block was all of it", () => {
    // Prepare
    const divided = reminder({ start, description: `Part one\n${"─".repeat(12)}\nPart two\n${"_".repeat(40)}\nNotes` });
    const onlyMeet = reminder({
      start,
      summary: "Sync",
      description: `${MEET_LINE}\nJoin with Google Meet: https://meet.google.com/abc-defg-hij\n${MEET_LINE}`,
    });

    // Act
    const dividedText = sectionText(renderMessage([divided], now));
    const onlyMeetText = sectionText(renderMessage([onlyMeet], now));

    // Assess
    expect(dividedText.split("\n").at(-1)).toBe(`> Part one ${"─".repeat(12)} Part two ${"_".repeat(40)} Notes`);
    expect(onlyMeetText).not.toContain("\n> ");
    expect(onlyMeetText).toContain("|Join Google Meet>");
  });

  it("reads a description of a million dividers in one pass, and cuts it", () => {
    // Prepare: runs that look like the start of Zoom's, Teams' and Meet's blocks and are none
    const description = `${"─".repeat(400_000)} ${"_".repeat(400_000)} ${"-::~".repeat(50_000)}${":~".repeat(100_000)}`;
    const r = reminder({ start, description });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text.split("\n").at(-1)).toBe(`> ${"─".repeat(299)}…`);
  });

  it("reads a description of unclosed comments, styles and brackets in one pass", () => {
    // Prepare: each of these made a pattern of the old reading look at the rest of the text again
    const cases = [
      `Notes ${"<!--".repeat(200_000)}`,
      `Notes ${"<style>".repeat(100_000)}`,
      `Notes https://example.com/${")".repeat(200_000)}`,
    ];

    // Act
    const shown = cases.map((description) =>
      sectionText(renderMessage([reminder({ start, description })], now))
        .split("\n")
        .at(-1),
    );

    // Assess: an unclosed comment or style is shown as written; a bracket closing nothing is no part of the address
    expect(shown[0]).toMatch(/^> Notes &lt;!--&lt;!--.*…$/);
    expect(shown[1]).toMatch(/^> Notes &lt;style&gt;&lt;style&gt;.*…$/);
    expect(shown[2]).toMatch(/^> Notes <https:\/\/example\.com\/>\)\)\).*…$/);
  });

  it("drops closed comments, styles and scripts of any case, and keeps what lies between them", () => {
    // Prepare
    const description = "A<!-- x --><STYLE type='text/css'>p{}</Style >B<script>alert(1)</SCRIPT>C<!-- open";

    // Act
    const text = sectionText(renderMessage([reminder({ start, description })], now));

    // Assess
    expect(text.split("\n").at(-1)).toBe("> ABC&lt;!-- open");
  });

  it("reads HTML entities of a description as text, and escapes them again for Slack", () => {
    // Prepare
    const r = reminder({ start, description: "<b>Q&amp;A</b> &lt;!channel&gt;" });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text).toContain("> Q&amp;A &lt;!channel&gt;");
    expect(text).not.toContain("<!channel>");
  });

  it("escapes calendar text so it cannot mention, ping or link", () => {
    // Prepare
    const r = reminder(
      {
        start,
        summary: "Standup <!channel> <@U1> & <https://evil|x>",
        location: "<!here>",
        description: "<https://evil.example|click> & more",
      },
      { name: "Ops <!everyone>" },
    );

    // Act
    const message = renderMessage([r], now);

    // Assess
    const all = JSON.stringify(message);
    expect(sectionText(message)).toContain("*Standup &lt;!channel&gt; &lt;@U1&gt; &amp; &lt;https://evil|x&gt;*");
    expect(message.text).toContain("Standup &lt;!channel&gt; &lt;@U1&gt; &amp; &lt;https://evil|x&gt;");
    for (const injected of ["<!channel>", "<@U1>", "<https://evil|", "<!here>", "<!everyone>"]) {
      expect(all).not.toContain(injected);
    }
    // The bare address is a link that shows where it goes; the label is text beside it
    expect(all).not.toMatch(/<https?:[^>]*\|/);
    expect(all).toContain("&lt;<https://evil.example/>|click&gt; &amp; more");
  });

  it("links each bare web address of a location or description to itself, leaving the sentence's punctuation out", () => {
    // Prepare
    const r = reminder({
      start,
      location: "https://intranet.example/rooms/4.",
      description:
        "Notes (https://docs.example/d/1), wiki https://en.wikipedia.org/wiki/Retro_(agile): see www.example.org, " +
        "ftp://files.example/x, xhttps://glued.example, https://a.example/x|<!channel> and http://plain.example/?a=1&b=2!",
    });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text).toContain(":round_pushpin: <https://intranet.example/rooms/4>.");
    expect(text.split("\n").at(-1)).toBe(
      "> Notes (<https://docs.example/d/1>), wiki <https://en.wikipedia.org/wiki/Retro_(agile)>: see www.example.org, " +
        "ftp://files.example/x, xhttps://glued.example, <https://a.example/x>|&lt;!channel&gt; and <http://plain.example/?a=1&amp;b=2>!",
    );
  });

  it("makes no link of an address that is no URL, and cuts a description before a link that does not fit, never inside it", () => {
    // Prepare: a host no URL can have, and a link that would cross the description's 300 characters
    const r = reminder({
      start,
      location: "https://999.999.999.999/ https://[nope/",
      description: `${"a".repeat(280)} https://example.com/${"p".repeat(40)}`,
    });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text).toContain(":round_pushpin: https://999.999.999.999/ https://[nope/");
    const description = text.split("\n").at(-1) as string;
    expect(description).toBe(`> ${"a".repeat(280)}…`);
  });

  it("writes every text verbatim, so Slack links no URL or channel name and parses no mention of the calendar's", () => {
    // Prepare
    const r = reminder(
      { start, summary: "Ask @here in #general", location: "https://evil.example/room", description: "see www.evil.example @channel" },
      { name: "Ops #alerts" },
    );

    // Act
    const message = renderMessage([r], now);

    // Assess: the section and the feed's context line
    const texts = mrkdwnObjects(message.blocks);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    for (const text of texts) expect(text).toMatchObject({ verbatim: true });
    expect(sectionText(message)).toContain("*Ask @here in #general*");
  });

  it("keeps a crafted join link one link: no `|` or `>` can end it early", () => {
    // Prepare
    const r = reminder({ start, description: "https://acme.zoom.us/j/1|<!channel>" });

    // Act
    const text = sectionText(renderMessage([r], now));

    // Assess
    expect(text).toContain("<https://acme.zoom.us/j/1%7C|Join Zoom>");
    expect(text).not.toContain("<!channel>");
  });
});

describe("packMessages", () => {
  it("puts 12 reminders in one message", () => {
    // Act
    const packed = packMessages(reminders(12, start), now);

    // Assess
    expect(packed).toHaveLength(1);
    expect(packed[0]?.message.text).toMatch(/^12 reminders: Meeting 1 — /);
  });

  it("shows an event once when several of its reminders are due together, and carries them all", () => {
    // Prepare: the first event's 12- and 10-minute reminders, with another event's between them
    const [sync, standup] = reminders(2, start);
    const earlier = { ...(sync as Reminder), id: "team#event-0@team#12m", leadMinutes: 12 };
    const list = [earlier, standup as Reminder, sync as Reminder];

    // Act
    const packed = packMessages(list, now);

    // Assess
    expect(packed).toHaveLength(1);
    expect(packed[0]?.reminders).toEqual([earlier, sync, standup]);
    expect(packed[0]?.message.blocks.filter((b) => b.type === "section")).toHaveLength(2);
    expect(packed[0]?.message.text).toMatch(/^2 reminders: Meeting 1 — .*; Meeting 2 — /);
    expect(renderMessage(list, now)).toEqual(packed[0]?.message);
  });

  it("keeps apart events that share a UID but not a start, or a start but not a feed", () => {
    // Prepare
    const [first] = reminders(1, start);
    const moved = reminder({ uid: first?.occurrence.uid as string, summary: "Meeting 1", start: new Date(start.getTime() + 60_000) });
    const otherFeed = reminder({ uid: first?.occurrence.uid as string, summary: "Meeting 1", start }, { id: "ops" });

    // Act
    const message = renderMessage([first as Reminder, moved, otherFeed], now);

    // Assess
    expect(message.blocks.filter((b) => b.type === "section")).toHaveLength(3);
  });

  it("splits a long list where Slack's block limit would be passed, losing none and keeping order", () => {
    // Prepare
    const list = reminders(40, start);

    // Act
    const packed = packMessages(list, now);

    // Assess
    expect(packed.length).toBeGreaterThan(1);
    expect(packed.flatMap((p) => p.reminders)).toEqual(list);
    for (const { message } of packed) {
      expect(message.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
      expect(message.text.length).toBeLessThanOrEqual(MAX_TEXT);
    }
  });

  it("splits where the notification text would pass its limit", () => {
    // Prepare: long titles fill the text long before the blocks run out
    const list = reminders(20, start).map((r) => ({
      ...r,
      occurrence: { ...r.occurrence, summary: `${r.occurrence.summary} ${"x".repeat(190)}` },
    }));

    // Act
    const packed = packMessages(list, now);

    // Assess
    expect(packed.length).toBeGreaterThan(1);
    expect(packed.flatMap((p) => p.reminders)).toHaveLength(20);
    for (const { message } of packed) expect(message.text.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(packed.every(({ message }) => !message.text.endsWith("…"))).toBe(true);
  });
});

describe("calendar text Slack cannot be tricked by", () => {
  it("drops bidi controls and zero-width characters, and neutralises formatting characters in titles", () => {
    // Prepare
    const r = reminder({ start, summary: "Pay\u202Eyrros\u202C in\u200Bvoice \u2066*urgent*\u2069 _x_ ~y~ `z`", location: "Room\u200B 4" });

    // Act
    const message = renderMessage([r], now);

    // Assess
    const text = sectionText(message);
    expect(JSON.stringify(message)).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
    expect(text).toContain("*Payyrros invoice ∗urgent∗ ˍxˍ ∼y∼ ˋzˋ*");
    expect(text).toContain(":round_pushpin: Room 4");
  });

  it("keeps a section under Slack's 3,000 characters measured on the escaped text, and a long join link in the button only", () => {
    // Prepare: every field full of `&`, which escaping makes five times longer, and a 2,500-character Teams link
    const teams = `https://teams.microsoft.com/l/meetup-join/${"x".repeat(2_500)}`;
    const r = reminder({ start, summary: "&".repeat(400), location: "&".repeat(400), description: `${"&".repeat(600)} ${teams}` });

    // Act
    const message = renderMessage([r], now);

    // Assess
    const text = sectionText(message);
    expect(text.length).toBeLessThanOrEqual(3_000);
    expect(text).not.toContain(teams);
    expect(text).not.toMatch(/&am…|&a…|&…/);
    expect((message.blocks[0] as { accessory?: { url: string } }).accessory?.url).toBe(teams);
  });
});
