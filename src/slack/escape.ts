/**
 * Characters that change how text around them is shown without being seen: bidi embeddings,
 * overrides and isolates (U+202A–U+202E, U+2066–U+2069, LRM/RLM/ALM) can make "Standup" read as
 * something else (the "Trojan Source" trick, CVE-2021-42574), and zero-width spaces, joiners of
 * no emoji and the BOM hide text inside words. U+200D (zero-width joiner) is kept: emoji
 * sequences such as 👩‍💻 need it.
 */
const INVISIBLE = /[\u061C\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/**
 * Escapes untrusted text for Slack's mrkdwn and plain `text`. Slack treats `<…>` as control
 * sequences (`<!channel>`, `<@U123>`, `<https://…|label>`), so `&`, `<` and `>` are the three
 * characters it asks senders to escape; after that no mention, ping or link can be injected.
 * Invisible direction and zero-width characters are dropped.
 * https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeSlackText(text: string): string {
  return text.replace(INVISIBLE, "").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Look-alikes of mrkdwn's formatting characters, which Slack offers no way to escape. */
const FORMATTING: Record<string, string> = { "*": "∗", _: "ˍ", "~": "∼", "`": "ˋ" };

/**
 * Replaces `*`, `_`, `~` and backticks with look-alikes, so a title cannot end our bold early or
 * fake formatting of its own (Slack's mrkdwn has no escape for them).
 * https://api.slack.com/reference/surfaces/formatting#basic-formatting
 */
function neutraliseFormatting(text: string): string {
  return text.replace(/[*_~`]/g, (char) => FORMATTING[char] ?? char);
}

/**
 * Escaped text (`escapeSlackText`) set in bold, its own formatting characters neutralised: the
 * one way reminders, digests and notices show a title, so none can end the bold early or fake
 * formatting of its own.
 */
export function boldText(escaped: string): string {
  return `*${neutraliseFormatting(escaped)}*`;
}

/** A mrkdwn text object (see `mrkdwnText`). */
export interface MrkdwnText {
  type: "mrkdwn";
  text: string;
  verbatim: true;
}

/**
 * The mrkdwn text object every section and context of ours is written in: `verbatim`, so Slack
 * applies our own markup and `<…>` sequences (bold, links, `<!date>`) and leaves the calendar's
 * plain text as written. Without it Slack preprocesses plain text: it turns URLs into links,
 * channel names into channel links and parses some mentions — from a title or a description.
 * https://docs.slack.dev/reference/block-kit/composition-objects/text-object
 */
export function mrkdwnText(text: string): MrkdwnText {
  return { type: "mrkdwn", text, verbatim: true };
}
