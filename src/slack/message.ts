import type { IncomingWebhookSendArguments } from "@slack/webhook";
import type { Reminder } from "../reminders/reminder.ts";
import { escapeSlackText } from "./escape.ts";

/** A Slack incoming-webhook payload: Block Kit with a plain-text fallback for notifications. */
export interface SlackMessage {
  text: string;
  blocks: NonNullable<IncomingWebhookSendArguments["blocks"]>;
}

/** Slack's limits for one message (https://api.slack.com/reference/block-kit/blocks). */
export const MAX_BLOCKS = 50;
const MAX_DESCRIPTION = 300;

/** "Tue, Mar 10, 14:00 JST" in the occurrence's own zone. */
export function formatStart(reminder: Reminder): string {
  const { occurrence } = reminder;
  if (occurrence.allDay) {
    return new Intl.DateTimeFormat("en-US", {
      timeZone: "UTC",
      weekday: "short",
      month: "short",
      day: "numeric",
    }).format(new Date(`${occurrence.day}T00:00:00Z`));
  }
  return new Intl.DateTimeFormat("en-US", {
    timeZone: occurrence.timezone,
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).format(occurrence.start);
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
 * clients that cannot, written in the feed's zone.
 * https://api.slack.com/reference/surfaces/formatting#date-formatting
 */
function dateToken(reminder: Reminder): string {
  const seconds = Math.floor(reminder.occurrence.start.getTime() / 1000);
  const fallback = escapeSlackText(formatStart(reminder));
  if (reminder.occurrence.allDay) return `<!date^${seconds}^{date_long_pretty}|${fallback}>`;
  return `<!date^${seconds}^{date_short_pretty} at {time}|${fallback}>`;
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** The section text for one reminder: title, time, countdown, location, description. */
function reminderText(reminder: Reminder, now: Date): string {
  const { occurrence } = reminder;
  const title = escapeSlackText(truncate(occurrence.summary || "(no title)", 200));
  const when = occurrence.allDay
    ? `${dateToken(reminder)} (all day)`
    : `${dateToken(reminder)} · ${formatCountdown(occurrence.start, now)}`;
  const lines = [`*${title}*`, when];
  if (occurrence.location) lines.push(`:round_pushpin: ${escapeSlackText(truncate(occurrence.location, 200))}`);
  if (occurrence.description) {
    lines.push(`> ${escapeSlackText(truncate(occurrence.description, MAX_DESCRIPTION))}`);
  }
  // Each piece is bounded above, so the section stays well under Slack's 3,000 characters.
  return lines.join("\n");
}

function fallbackLine(reminder: Reminder, now: Date): string {
  const { occurrence } = reminder;
  const when = occurrence.allDay
    ? `${formatStart(reminder)} (all day)`
    : `${formatStart(reminder)}, ${formatCountdown(occurrence.start, now)}`;
  return `${escapeSlackText(occurrence.summary || "(no title)")} — ${escapeSlackText(when)}`;
}

/**
 * Renders reminders for one webhook as one Slack message. `now` is when it is sent, for the
 * countdown. Callers split long lists with `splitReminders` first.
 */
export function renderMessage(reminders: readonly Reminder[], now: Date): SlackMessage {
  const blocks: SlackMessage["blocks"] = [];
  for (const reminder of reminders) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: reminderText(reminder, now) } });
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `:calendar: ${escapeSlackText(reminder.feedName)}` }],
    });
  }
  const text =
    reminders.length === 1
      ? `Reminder: ${fallbackLine(reminders[0] as Reminder, now)}`
      : `${reminders.length} reminders: ${reminders.map((r) => fallbackLine(r, now)).join("; ")}`;
  return { text: truncate(text, 3000), blocks };
}

/** Splits reminders into groups small enough for one message each (two blocks per reminder). */
export function splitReminders<T>(reminders: readonly T[]): T[][] {
  const perMessage = Math.floor(MAX_BLOCKS / 2);
  const groups: T[][] = [];
  for (let i = 0; i < reminders.length; i += perMessage) groups.push(reminders.slice(i, i + perMessage));
  return groups;
}
