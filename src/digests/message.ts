import { boldText, escapeSlackText, mrkdwnText } from "../slack/escape.ts";
import { findJoinLink, onlyTheMeeting } from "../slack/join-link.ts";
import { linkedWithin, MAX_BLOCKS, MAX_TEXT, type SlackMessage, safeUrl, slackDate, truncate } from "../slack/message.ts";
import type { Agenda, AgendaEntry } from "./agenda.ts";

type Block = SlackMessage["blocks"][number];

/**
 * Slack refuses a message whose blocks hold more than about 13,000 characters in all
 * (`msg_blocks_too_long`, below its documented limits: https://github.com/slackapi/bolt-js/issues/2509);
 * a digest message stays under 12,000, besides 50 blocks and 3,000 characters a section.
 */
export const MAX_MESSAGE_CHARS = 12_000;
/** A header block's text is at most 150 characters (Block Kit reference). */
const MAX_HEADER = 150;
const MAX_TITLE = 150;
const MAX_LOCATION = 100;
const MAX_FEED_NAMES = 80;
/** A join link longer than this (after escaping) is left out rather than crowd the line. */
const MAX_LINK = 1_000;
/** Every line is built to stay under this, so a section always holds at least one. */
const MAX_LINE = 2_800;

/** One formatter per locale, zone and set of fields, built once: building an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: "en-US" | "en-GB", options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formatters.set(key, format);
  }
  return format;
}

function dayFormat(day: string, options: Intl.DateTimeFormatOptions): string {
  return formatter("en-US", { timeZone: "UTC", ...options }).format(new Date(`${day}T00:00:00Z`));
}

function clock(instant: Date, timeZone: string): string {
  return formatter("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(instant);
}

function clockWithZone(instant: Date, timeZone: string): string {
  return formatter("en-US", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(instant);
}

/** "Today · Thu, Mar 12" or "This week · Mar 9 – Mar 15"; not calendar text, but escaped all the same. */
export function digestHeading(agenda: Agenda): string {
  const { due } = agenda;
  const first = due.days[0] as string;
  const last = due.days[due.days.length - 1] as string;
  const when =
    due.days.length === 1
      ? dayFormat(first, { weekday: "short", month: "short", day: "numeric" })
      : `${dayFormat(first, { month: "short", day: "numeric" })} – ${dayFormat(last, { month: "short", day: "numeric" })}`;
  return `${due.digest.title} · ${when}`;
}

/** When an entry happens on its day, in the digest's zone. */
function when(entry: AgendaEntry, timezone: string): string {
  const { occurrence, dayNumber, dayCount } = entry;
  const of = dayCount > 1 ? ` (${dayNumber > 1 ? "continuing, " : ""}day ${dayNumber} of ${dayCount})` : "";
  if (occurrence.allDay) return `All day${of}`;
  // Its days run to just before its end, so on its last day it ends that day.
  if (dayNumber > 1) return dayNumber === dayCount ? `Until ${clock(occurrence.end, timezone)}${of}` : `All day${of}`;
  const start = clock(occurrence.start, timezone);
  if (dayCount === 1) return occurrence.end > occurrence.start ? `${start}–${clock(occurrence.end, timezone)}` : start;
  const endDay = formatter("en-US", { timeZone: timezone, weekday: "short" }).format(occurrence.end);
  return `${start} → ${endDay} ${clock(occurrence.end, timezone)}${of}`;
}

/**
 * One entry as one mrkdwn line: its time in the digest's zone, the title, the start as Slack's
 * date token (each reader's own zone), location, join link and feeds. Calendar text is escaped as
 * in reminders; every piece is bounded, so the line stays under `MAX_LINE` after escaping.
 */
export function entryLine(entry: AgendaEntry, timezone: string): string {
  const { occurrence } = entry;
  const parts = [
    `${escapeSlackText(when(entry, timezone))}  ${boldText(escapeSlackText(truncate(occurrence.summary || "(no title)", MAX_TITLE)))}`,
  ];
  // With its date: a reader far east or west of the digest's zone may be on another day than the heading.
  if (!occurrence.allDay && entry.dayNumber === 1) {
    parts.push(`${slackDate(occurrence.start, "{date_short_pretty} at {time}", clockWithZone(occurrence.start, timezone))} your time`);
  }
  const optional: string[] = [];
  const join = findJoinLink(occurrence);
  // A location that says no more than the join link (the link, the service's name) is left to the Join line.
  if (occurrence.location && !onlyTheMeeting(occurrence.location, join)) {
    optional.push(`:round_pushpin: ${linkedWithin(occurrence.location, MAX_LOCATION)}`);
  }
  const url = join && safeUrl(join.url);
  const link = join && url ? `<${escapeSlackText(url)}|Join ${join.service}>` : undefined;
  if (link && link.length <= MAX_LINK) optional.push(`:link: ${link}`);
  const feeds = `:calendar: ${escapeSlackText(truncate(entry.feedNames.join(", "), MAX_FEED_NAMES))}`;
  const line = `• ${[...parts, ...optional, feeds].join(" · ")}`;
  return line.length <= MAX_LINE ? line : `• ${[...parts, feeds].join(" · ")}`;
}

function dayHeading(day: string): string {
  return `*${dayFormat(day, { weekday: "long", month: "long", day: "numeric" })}*`;
}

function textLength(block: Block): number {
  const b = block as { text?: { text: string }; elements?: { text?: string }[] };
  return (b.text?.text.length ?? 0) + (b.elements ?? []).reduce((n, e) => n + (e.text?.length ?? 0), 0);
}

/** Builds messages block by block, starting a new one where Slack's limits would be passed. */
class MessagePacker {
  readonly messages: Block[][] = [];
  #blocks: Block[] = [];
  #chars = 0;
  #section: string[] = [];
  #sectionChars = 0;
  readonly #header: (continued: boolean) => Block;

  constructor(header: (continued: boolean) => Block) {
    this.#header = header;
    this.#start();
  }

  #start(): void {
    this.#blocks = [this.#header(this.messages.length > 0)];
    this.#chars = textLength(this.#blocks[0] as Block);
  }

  /** True when a block of `chars` characters still fits in the current message. */
  #fits(chars: number): boolean {
    return this.#blocks.length + 1 <= MAX_BLOCKS && this.#chars + chars <= MAX_MESSAGE_CHARS;
  }

  add(block: Block): void {
    this.closeSection();
    if (!this.#fits(textLength(block))) this.#next();
    this.#blocks.push(block);
    this.#chars += textLength(block);
  }

  /**
   * Adds a line to the day's section; when the section, the message's blocks or its characters
   * are full, the day goes on in a new section — in a new message when needed — under `heading`
   * marked "(continued)".
   */
  line(text: string, heading: string): void {
    const added = text.length + 1;
    if (
      this.#section.length > 0 &&
      this.#sectionChars + added <= MAX_TEXT &&
      this.#chars + this.#sectionChars + added <= MAX_MESSAGE_CHARS
    ) {
      this.#section.push(text);
      this.#sectionChars += added;
      return;
    }
    const wasOpen = this.#section.length > 0;
    this.closeSection();
    const head = wasOpen ? `${heading} (continued)` : heading;
    if (!this.#fits(head.length + added)) this.#next();
    this.#section = [head, text];
    this.#sectionChars = head.length + added;
  }

  closeSection(): void {
    if (this.#section.length === 0) return;
    const block: Block = { type: "section", text: mrkdwnText(this.#section.join("\n")) };
    this.#blocks.push(block);
    this.#chars += this.#sectionChars;
    this.#section = [];
    this.#sectionChars = 0;
  }

  #next(): void {
    this.messages.push(this.#blocks);
    this.#start();
  }

  finish(): Block[][] {
    this.closeSection();
    this.messages.push(this.#blocks);
    return this.messages;
  }
}

/**
 * A digest post as Slack messages: a header, a line naming any feed that could not be read, then
 * each day with its events. A long week is split into as many messages as Slack's limits need
 * (50 blocks, 3,000 characters a section, `MAX_MESSAGE_CHARS` in all, lengths measured after
 * escaping), each later one headed "(continued)"; every entry is in exactly one message.
 */
export function renderDigest(agenda: Agenda): SlackMessage[] {
  const heading = truncate(digestHeading(agenda), MAX_HEADER - " (continued)".length);
  const { timezone } = agenda.due.digest;
  const packer = new MessagePacker((continued) => ({
    type: "header",
    text: { type: "plain_text", text: continued ? `${heading} (continued)` : heading, emoji: true },
  }));
  if (agenda.unread.length > 0) {
    const names = agenda.unread.slice(0, 10).map((name) => boldText(escapeSlackText(truncate(name, 80))));
    const more = agenda.unread.length > 10 ? ` and ${agenda.unread.length - 10} more` : "";
    packer.add({
      type: "context",
      elements: [
        mrkdwnText(
          `:warning: Could not read ${names.join(", ")}${more}: ${agenda.unread.length === 1 ? "its" : "their"} events are missing from this digest.`,
        ),
      ],
    });
  }
  if (agenda.events === 0) {
    packer.add({
      type: "section",
      text: mrkdwnText(agenda.due.days.length === 1 ? "_No events today._" : "_No events this week._"),
    });
  }
  for (const { day, entries } of agenda.days) {
    for (const entry of entries) packer.line(entryLine(entry, timezone), dayHeading(day));
    packer.closeSection();
  }
  const messages = packer.finish();
  const summary = `${agenda.events} event${agenda.events === 1 ? "" : "s"}${agenda.unread.length > 0 ? `; could not read ${agenda.unread.join(", ")}` : ""}`;
  return messages.map((blocks, index) => ({
    text: escapeSlackText(truncate(`${heading}${index > 0 ? " (continued)" : ""}: ${summary}`, MAX_TEXT)),
    blocks,
  }));
}
