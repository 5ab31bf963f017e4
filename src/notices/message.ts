import { boldText, escapeSlackText, mrkdwnText } from "../slack/escape.ts";
import { type Dated, dateToken, formatStart, MAX_BLOCKS, MAX_TEXT, type SlackMessage, truncate } from "../slack/message.ts";
import type { Notice } from "./diff.ts";
import type { SnapshotEntry } from "./snapshot.ts";

/** A notice with what its message shows of the feed. */
export interface ShownNotice extends Notice {
  feedName: string;
  /** The feed's zone: times are shown in it where Slack cannot show the reader's own. */
  timezone: string;
  webhook: string;
}

type Block = SlackMessage["blocks"][number];

function dated(entry: SnapshotEntry, timezone: string): Dated {
  return { timezone, occurrence: { start: new Date(entry.s), end: new Date(entry.e), allDay: entry.d !== undefined, day: entry.d } };
}

const title = (entry: SnapshotEntry) => boldText(escapeSlackText(entry.t || "(no title)"));

/** "*Design review* moved from <date> to <date>": the Block Kit line of one notice, escaped. */
function noticeLine(notice: ShownNotice, when: (entry: SnapshotEntry) => string): string {
  const { before, after, kinds } = notice;
  if (kinds.includes("added") && after) return `:new: ${title(after)} on ${when(after)} was added`;
  if (kinds.includes("cancelled") && before) return `:x: ${title(before)} on ${when(before)} is cancelled`;
  if (!before || !after) return "";
  const moved = kinds.includes("moved");
  const retitled = kinds.includes("retitled");
  if (moved && retitled) {
    return `:arrow_right: ${title(before)} moved from ${when(before)} to ${when(after)} and is now called ${title(after)}`;
  }
  if (moved) return `:arrow_right: ${title(before)} moved from ${when(before)} to ${when(after)}`;
  return `:pencil2: ${title(before)} on ${when(after)} is now called ${title(after)}`;
}

/** The plain-text form, for notifications: times in the feed's zone, which it names. */
function fallbackLine(notice: ShownNotice): string {
  const line = noticeLine(notice, (entry) => escapeSlackText(formatStart(dated(entry, notice.timezone))))
    .replace(/^:[a-z0-9_]+: /, "")
    .replaceAll("*", "");
  const timed = (notice.after ?? notice.before)?.d === undefined;
  return timed ? `${line} (${escapeSlackText(notice.timezone)})` : line;
}

function noticeBlocks(notice: ShownNotice): Block[] {
  return [
    { type: "section", text: mrkdwnText(noticeLine(notice, (entry) => dateToken(dated(entry, notice.timezone)))) },
    { type: "context", elements: [mrkdwnText(`:calendar: ${escapeSlackText(truncate(notice.feedName, 80))}`)] },
  ] as Block[];
}

function fallbackText(lines: readonly string[]): string {
  const text = lines.length === 1 ? `Calendar change: ${lines[0]}` : `${lines.length} calendar changes: ${lines.join("; ")}`;
  return truncate(text, MAX_TEXT);
}

/** One message of packed notices, with the notices it carries. */
export interface PackedNotices {
  notices: ShownNotice[];
  message: SlackMessage;
}

/**
 * One webhook's notices as Block Kit messages, in order: one message for all of them unless
 * Slack's limits (50 blocks, 3,000 characters of fallback text) need more, as for reminders.
 * Calendar text is escaped; times are Slack date tokens, shown in each reader's zone.
 */
export function packNotices(notices: readonly ShownNotice[]): PackedNotices[] {
  const packed: PackedNotices[] = [];
  let current: ShownNotice[] = [];
  let blocks: Block[] = [];
  let lines: string[] = [];
  const close = () => {
    if (current.length > 0) packed.push({ notices: current, message: { text: fallbackText(lines), blocks } });
    current = [];
    blocks = [];
    lines = [];
  };
  for (const notice of notices) {
    const more = noticeBlocks(notice);
    const line = fallbackLine(notice);
    const untruncated = [...lines, line].join("; ").length + 30;
    if (current.length > 0 && (blocks.length + 1 + more.length > MAX_BLOCKS || untruncated > MAX_TEXT)) close();
    if (current.length > 0) blocks.push({ type: "divider" });
    blocks.push(...more);
    current.push(notice);
    lines.push(line);
  }
  close();
  return packed;
}
