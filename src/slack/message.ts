import type { IncomingWebhookSendArguments } from "@slack/webhook";
import { decodeHTMLStrict } from "entities";
import { BoundedMap } from "../bounded-map.ts";
import type { Occurrence } from "../calendar/occurrence.ts";
import { cutText } from "../cut.ts";
import { occurrenceKey, type Reminder } from "../reminders/reminder.ts";
import { boldText, escapeSlackText, mrkdwnText } from "./escape.ts";
import { findJoinLink, type JoinLink, onlyTheMeeting } from "./join-link.ts";

/** A Slack incoming-webhook payload: Block Kit with a plain-text fallback for notifications. */
export interface SlackMessage {
  text: string;
  blocks: NonNullable<IncomingWebhookSendArguments["blocks"]>;
}

type Block = SlackMessage["blocks"][number];

/**
 * Slack's limits for one message: at most 50 blocks, a section's text at most 3,000 characters
 * (https://api.slack.com/reference/block-kit/blocks), and a `text` that notifications show whole
 * only up to 4,000 (https://api.slack.com/methods/chat.postMessage#truncating). We stay under
 * those with a margin rather than let Slack truncate or refuse with `invalid_blocks`.
 */
export const MAX_BLOCKS = 50;
export const MAX_TEXT = 3_000;
const MAX_TITLE = 200;
const MAX_LOCATION = 200;
const MAX_DESCRIPTION = 300;
/** Slack's limit for a button's URL. */
const MAX_URL = 3_000;
/** Longest join link also shown in the section's text; longer ones are in the button only. */
const MAX_INLINE_URL = 300;

/** One formatter per zone, built once: building an `Intl.DateTimeFormat` costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const dayFormat = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", weekday: "short", month: "short", day: "numeric" });

function timeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * Starts as shown, by instant and zone (or day): Intl is slow to format, and the reminders of one
 * run start at a few instants (a thousand feeds' 10:00 meetings), each shown twice (blocks and text).
 */
const shownStarts = new BoundedMap<string, string>(4096);

/** What a date is shown from: a reminder, or anything else with an occurrence's start and a zone. */
export type Dated = Pick<Reminder, "timezone"> & {
  occurrence: Pick<Occurrence, "start" | "allDay" | "day"> & Partial<Pick<Occurrence, "end">>;
};

/**
 * "Thu, Mar 12, 16:00 GMT+1": the start in the feed's zone (`reminder.timezone`), whatever zone the
 * event's DTSTART was written in. An all-day occurrence shows its day.
 */
export function formatStart(reminder: Dated): string {
  const { occurrence } = reminder;
  const key = occurrence.allDay ? `${occurrence.day} ${allDayCount(occurrence)}` : `${occurrence.start.getTime()} ${reminder.timezone}`;
  return shownStarts.remember(key, showStart, reminder);
}

const DAY_MS = 86_400_000;

/** How many days an all-day occurrence covers: one when its end is not known. */
function allDayCount({ start, end }: Dated["occurrence"]): number {
  return end ? Math.max(1, Math.round((end.getTime() - start.getTime()) / DAY_MS)) : 1;
}

function showStart({ occurrence, timezone }: Dated): string {
  if (!occurrence.allDay) return timeFormat(timezone).format(occurrence.start);
  // "Thu, Mar 12", or "Thu, Mar 12 – Sat, Mar 14" for an event of several days.
  const first = new Date(`${occurrence.day}T00:00:00Z`);
  const days = allDayCount(occurrence);
  const shown = dayFormat.format(first);
  return days > 1 ? `${shown} – ${dayFormat.format(new Date(first.getTime() + (days - 1) * DAY_MS))}` : shown;
}

/** "in 10 minutes", "in 1 hour 5 minutes", "now" — from `now` to the start. */
export function formatCountdown(start: Date, now: Date): string {
  const minutes = Math.round((start.getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return "now";
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours} hour${hours === 1 ? "" : "s"}`);
  if (rest > 0) parts.push(`${rest} minute${rest === 1 ? "" : "s"}`);
  return `in ${parts.join(" ")}`;
}

/**
 * Slack shows `<!date^…>` in each reader's own time zone; the text after `|` is the fallback for
 * clients that cannot, written in the feed's zone. An all-day event is a calendar day, the same
 * for every reader: it is written as text, as a token would show its midnight in the feed's zone
 * as the evening before to readers west of it.
 * https://api.slack.com/reference/surfaces/formatting#date-formatting
 */
export function dateToken(reminder: Dated): string {
  const { start, allDay } = reminder.occurrence;
  const fallback = formatStart(reminder);
  if (allDay) return escapeSlackText(fallback);
  return slackDate(start, "{date_short_pretty} at {time}", fallback);
}

/**
 * Slack's date token for `instant` in `format` (`{time}`, `{date_short_pretty}`…), with
 * `fallback` (escaped here) for clients that cannot render it.
 */
export function slackDate(instant: Date, format: string, fallback: string): string {
  return `<!date^${Math.floor(instant.getTime() / 1000)}^${format}|${escapeSlackText(fallback)}>`;
}

/**
 * Google and Outlook put HTML into DESCRIPTION (Google wraps it in `<html-blob>`). Every tag is
 * dropped — block ends and line breaks become spaces — and every entity (`&eacute;`, `&#8217;`)
 * becomes its character, by the `entities` package's full HTML table, strictly (with its `;`: a
 * URL's `&region=` in plain text is no `&reg`); `escapeSlackText` encodes
 * `&`, `<` and `>` afterwards, so what an entity decodes to is shown, never read as Slack markup.
 */
function plainDescription(text: string): string {
  const spaced = withoutHiddenHtml(text)
    .replace(/<\/?(?:br|hr|p|div|li|tr|td|th|h[1-6]|table|ul|ol|blockquote|pre)\b[^<>]*>/gi, " ")
    // Tags of HTML's own elements only: `<your name>` in a plain-text description is text.
    .replace(HTML_TAG, "");
  return withoutConferenceDetails(decodeHTMLStrict(spaced).replaceAll("\u00a0", " "));
}

/** Where each element whose text no reader sees ends: a `<style>`, a `<script>`, a comment. */
const HIDDEN_ENDS: Record<string, RegExp> = { style: /<\/style\s*>/gi, script: /<\/script\s*>/gi, "!--": /-->/g };

/**
 * `text` without its `<style>` and `<script>` elements and comments. An unclosed one is left as
 * it is (its tags go with the others). One pass over the text however many there are: the end of
 * each is looked for once, and once a kind has no end, no later one of that kind is looked at.
 */
function withoutHiddenHtml(text: string): string {
  const opening = /<(style|script)\b[^<>]*>|<(!--)/gi;
  const unclosed = new Set<string>();
  let out = "";
  let at = 0;
  for (let found = opening.exec(text); found; found = opening.exec(text)) {
    const kind = (found[1] ?? found[2] ?? "").toLowerCase();
    if (unclosed.has(kind)) continue;
    const end = HIDDEN_ENDS[kind] as RegExp;
    end.lastIndex = opening.lastIndex;
    if (!end.exec(text)) {
      unclosed.add(kind);
      continue;
    }
    out += text.slice(at, found.index);
    at = end.lastIndex;
    opening.lastIndex = at;
  }
  return out + text.slice(at);
}

/**
 * The blocks video services write into a description, which say again what the Join button
 * offers (the link, dial-in numbers, passcodes, "Please do not edit this section"): Google Meet's
 * between two `-::~:~::~…::-` lines, Zoom's after a line of `─` (U+2500), and Teams' between two
 * lines of underscores. Each runs to its closing line, or to the end of the text when it has
 * none; a line of `─` or `_` is only taken for Zoom's or Teams' when the service is named just
 * after it, so a divider of the organiser's own stays.
 */
const CONFERENCE_BLOCKS: readonly RegExp[] = [
  /-::~[:~]*::-[\s\S]*?(?:-::~[:~]*::-|$)/g,
  // Only whole runs of `─` and `_` are tried (none starts inside another): a description of a
  // million of them is one pass, not a million.
  /(?<!─)─{10,}(?!─)(?=[^─]{0,400}?\bzoom\b)[\s\S]*?(?:─{10,}|$)/gi,
  /(?<!_)_{30,}(?!_)(?=[^_]{0,200}?\bMicrosoft Teams\b)[\s\S]*?(?:_{30,}|$)/gi,
];

/** A description without its conference blocks (see CONFERENCE_BLOCKS): what the organiser wrote. */
function withoutConferenceDetails(text: string): string {
  return CONFERENCE_BLOCKS.reduce((rest, block) => rest.replace(block, " "), text);
}

const HTML_TAG =
  /<\/?(?:a|abbr|b|big|blockquote|body|br|center|code|col|colgroup|dd|del|div|dl|dt|em|font|h[1-6]|head|hr|html|html-blob|i|img|ins|kbd|li|mark|meta|ol|p|pre|q|s|samp|small|span|strike|strong|sub|sup|table|tbody|td|tfoot|th|thead|title|tr|tt|u|ul|wbr)\b(?:\s[^<>]*)?\/?>/gi;

/** Folds whitespace and cuts `text` to `max` characters, ending it with "…" when cut. */
export function truncate(text: string, max: number): string {
  return cutText(folded(text), max, true);
}

/** `text` on one line: each run of white space one space, none at either end. */
function folded(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Calendar text escaped for Slack and cut to `max` characters of the escaped result: escaping
 * lengthens text (`&` is `&amp;`), so a limit counted before escaping is no limit. Never cuts an
 * entity in half.
 */
function escapedWithin(text: string, max: number): string {
  return piecesWithin([{ text: folded(text) }], max);
}

/** A run of calendar text (escaped when written out), or a link of ours, already escaped, written whole or not at all. */
type Piece = { text: string } | { link: string };

/** Pieces written out and cut as `escapedWithin` says: a cut ends with "…", and never inside an entity or a link. */
function piecesWithin(pieces: readonly Piece[], max: number): string {
  const written = pieces.map((piece) => ("link" in piece ? piece.link : escapeSlackText(piece.text)));
  const whole = written.join("");
  if (whole.length <= max) return whole;
  let out = "";
  for (const [i, piece] of pieces.entries()) {
    if ("link" in piece) {
      if (out.length + piece.link.length > max - 1) break;
      out += piece.link;
      continue;
    }
    if (out.length + (written[i] as string).length <= max - 1) {
      out += written[i];
      continue;
    }
    for (const char of piece.text) {
      const escaped = escapeSlackText(char);
      if (out.length + escaped.length > max - 1) break;
      out += escaped;
    }
    break;
  }
  return `${out.trimEnd()}…`;
}

/**
 * A bare web address in calendar text, not part of a longer word: it ends at white space, a
 * quote, an angle bracket, or a character no address writes unencoded (`|`, `\`, `^`, a backtick,
 * braces).
 */
const BARE_URL = /(?<![\w/.@-])https?:\/\/[^\s<>"'|\\^`{}]+/gi;

/** The length of a bare address once the punctuation of the sentence around it is left out ("see https://…/x)."). */
function addressLength(candidate: string): number {
  // A closing bracket ends the address when it closes none of the address's own: counted once,
  // then kept up to date as the end moves back, so a run of them costs one pass.
  const open = { ")": count(candidate, "("), "]": count(candidate, "[") };
  const close = { ")": count(candidate, ")"), "]": count(candidate, "]") };
  let end = candidate.length;
  while (end > 0) {
    const last = candidate[end - 1] as string;
    if (last === ")" || last === "]") {
      if (close[last] <= open[last]) break;
      close[last]--;
    } else if (!".,;:!?*_".includes(last)) {
      break;
    }
    end--;
  }
  return end;
}

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/**
 * Calendar text (a location, a description) escaped and cut as `escapedWithin` does, each bare
 * http(s) address in it made a link to itself (`<https://…>`). Our texts are sent verbatim, so
 * Slack links nothing by itself. Such a link shows the address it opens, so none can hide where it
 * goes; an address that does not parse as a URL is text, and a cut ends the text before a link
 * that does not fit whole, never inside it.
 */
export function linkedWithin(text: string, max: number): string {
  const flat = folded(text);
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of flat.matchAll(BARE_URL)) {
    // Far past what can be shown (escaped text is no shorter than the text, and a link seldom much
    // shorter than its address), the rest is cut anyway: no URL of it is parsed.
    if (match.index > 4 * max) break;
    const address = match[0].slice(0, addressLength(match[0]));
    const url = safeUrl(address);
    if (!url || !/^https?:\/\/[^/]/i.test(address)) continue;
    if (match.index > at) pieces.push({ text: flat.slice(at, match.index) });
    pieces.push({ link: `<${escapeSlackText(url)}>` });
    at = match.index + address.length;
  }
  if (at < flat.length) pieces.push({ text: flat.slice(at) });
  return piecesWithin(pieces, max);
}

/**
 * A URL we build a link or button from. It comes from calendar text, so it must stay one URL:
 * the WHATWG serialisation percent-encodes spaces, quotes and angle brackets, and `|` (which
 * would end Slack's `<url|label>`) is encoded by hand.
 */
export function safeUrl(url: string): string | undefined {
  try {
    const href = new URL(url).href.replaceAll("|", "%7C");
    return href.length <= MAX_URL ? href : undefined;
  } catch {
    return undefined;
  }
}

function title(reminder: Reminder): string {
  return escapedWithin(reminder.occurrence.summary || "(no title)", MAX_TITLE);
}

/** The section text for one reminder: title, time, countdown, location, join link, description. */
function reminderText(reminder: Reminder, join: JoinLink | undefined, now: Date): string {
  const { occurrence } = reminder;
  const when = occurrence.allDay
    ? `${dateToken(reminder)} (all day)`
    : `${dateToken(reminder)} · ${formatCountdown(occurrence.start, now)}`;
  const lines = [boldText(title(reminder)), when];
  // A location that says no more than the join link (the link, the service's name) is left to the Join line (as digests do).
  if (occurrence.location && !onlyTheMeeting(occurrence.location, join)) {
    lines.push(`:round_pushpin: ${linkedWithin(occurrence.location, MAX_LOCATION)}`);
  }
  // A long link (Teams' run to 1,000 characters and more) lives in the button only, where Slack
  // allows 3,000; in the text it would crowd out the rest of the section.
  const joinUrl = join && safeUrl(join.url);
  if (join && joinUrl && joinUrl.length <= MAX_INLINE_URL) {
    lines.push(`:link: <${escapeSlackText(joinUrl)}|Join ${join.service}>`);
  }
  if (occurrence.description) {
    const description = linkedWithin(plainDescription(occurrence.description), MAX_DESCRIPTION);
    if (description) lines.push(`> ${description}`);
  }
  // Each piece is bounded as escaped text, so the section stays well under Slack's 3,000 characters.
  return lines.join("\n");
}

function fallbackLine(reminder: Reminder, now: Date): string {
  const { occurrence } = reminder;
  const when = occurrence.allDay
    ? `${formatStart(reminder)} (all day)`
    : `${formatStart(reminder)}, ${formatCountdown(occurrence.start, now)}`;
  return `${title(reminder)} — ${escapeSlackText(when)}`;
}

/** The blocks of one reminder: the section (with a Join button when there is a link), its feed. */
function reminderBlocks(reminder: Reminder, now: Date, index = 0): Block[] {
  const join = findJoinLink(reminder.occurrence);
  const joinUrl = join && safeUrl(join.url);
  const section: Block = {
    type: "section",
    text: mrkdwnText(reminderText(reminder, join, now)),
    ...(join && joinUrl
      ? {
          accessory: {
            type: "button",
            text: { type: "plain_text", text: "Join", emoji: false },
            url: joinUrl,
            // Unique within a message, as Slack requires of action ids.
            action_id: `join-${index}`,
          },
        }
      : {}),
  } as Block;
  const context: Block = {
    type: "context",
    elements: [mrkdwnText(`:calendar: ${escapedWithin(reminder.feedName, 80)}`)],
  };
  return [section, context];
}

function fallbackText(lines: readonly string[]): string {
  return lines.length === 1 ? `Reminder: ${lines[0]}` : `${lines.length} reminders: ${lines.join("; ")}`;
}

/**
 * The reminders in order, those of one occurrence (same feed, UID and start) together at the place
 * of the first: two lead times due in one run, or a catch-up beside a current reminder, are one
 * entry in a message, not the same event twice.
 */
function byOccurrence(reminders: readonly Reminder[]): Reminder[][] {
  const groups = new Map<string, Reminder[]>();
  for (const reminder of reminders) {
    const key = occurrenceKey(reminder);
    const group = groups.get(key);
    if (group) group.push(reminder);
    else groups.set(key, [reminder]);
  }
  return [...groups.values()];
}

function render(entries: readonly Reminder[], now: Date): SlackMessage {
  const blocks: Block[] = [];
  entries.forEach((reminder, index) => {
    if (index > 0) blocks.push({ type: "divider" });
    blocks.push(...reminderBlocks(reminder, now, index));
  });
  return { text: truncate(fallbackText(entries.map((r) => fallbackLine(r, now))), MAX_TEXT), blocks };
}

/**
 * Renders reminders for one webhook as one Slack message, one entry per occurrence. `now` is when
 * it is sent, for the countdown. Use `packMessages` for a list that may not fit in one message.
 */
export function renderMessage(reminders: readonly Reminder[], now: Date): SlackMessage {
  return render(
    byOccurrence(reminders).map(([first]) => first as Reminder),
    now,
  );
}

/** One message of a packed list, with the reminders it carries. */
export interface PackedMessage {
  /** Every reminder the message delivers: an entry can carry several reminders of its occurrence. */
  reminders: Reminder[];
  message: SlackMessage;
}

/**
 * Builds one message entry by entry, each rendered once, and says when the next would not fit: 50
 * blocks, or the fallback text's length limit. Linear in what it is given, so a queue of any
 * length drains in time proportional to its size.
 */
export class MessagePacker {
  readonly #now: Date;
  readonly #blocks: Block[] = [];
  readonly #lines: string[] = [];
  #textLength = 0;
  /** Every reminder the message delivers, in entry order. */
  readonly reminders: Reminder[] = [];

  constructor(now: Date) {
    this.#now = now;
  }

  /** Entries (occurrences) in the message so far. */
  get entries(): number {
    return this.#lines.length;
  }

  /**
   * Adds the entry of one occurrence (its reminders, the first one shown). Returns false, adding
   * nothing, when the message is full; an empty message takes any entry.
   */
  add(group: readonly Reminder[]): boolean {
    const [entry] = group;
    if (!entry) return true;
    const index = this.#lines.length;
    const blocks = reminderBlocks(entry, this.#now, index);
    const line = fallbackLine(entry, this.#now);
    if (index > 0) {
      const blockCount = this.#blocks.length + 1 + blocks.length;
      // "N reminders: " + lines joined by "; "
      const textLength = `${index + 1} reminders: `.length + this.#textLength + 2 * index + line.length;
      if (blockCount > MAX_BLOCKS || textLength > MAX_TEXT) return false;
      this.#blocks.push({ type: "divider" });
    }
    this.#blocks.push(...blocks);
    this.#lines.push(line);
    this.#textLength += line.length;
    this.reminders.push(...group);
    return true;
  }

  build(): SlackMessage {
    return { text: truncate(fallbackText(this.#lines), MAX_TEXT), blocks: [...this.#blocks] };
  }
}

/**
 * Packs reminders into as few messages as Slack's limits allow, one entry per occurrence, in the
 * order of each occurrence's first reminder: a new message starts when one more entry would pass
 * 50 blocks or the fallback text's length limit. Each reminder is in exactly one message, with
 * the other reminders of its occurrence.
 */
export function packMessages(reminders: readonly Reminder[], now: Date): PackedMessage[] {
  const packed: PackedMessage[] = [];
  let packer = new MessagePacker(now);
  for (const group of byOccurrence(reminders)) {
    if (packer.add(group)) continue;
    packed.push({ reminders: packer.reminders, message: packer.build() });
    packer = new MessagePacker(now);
    packer.add(group);
  }
  if (packer.entries > 0) packed.push({ reminders: packer.reminders, message: packer.build() });
  return packed;
}
