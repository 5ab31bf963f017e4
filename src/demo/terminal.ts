/** Roughly how Slack shows a message, for a terminal: mrkdwn unescaped, dates at their fallback. */

const EMOJI: Record<string, string> = {
  calendar: "📅",
  round_pushpin: "📍",
  link: "🔗",
  alarm_clock: "⏰",
  arrow_right: "➡️",
  pencil2: "✏️",
  new: "🆕",
  x: "❌",
};

const useColour = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (text: string) => (useColour ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text: string) => (useColour ? `\x1b[2m${text}\x1b[22m` : text);

/** Turns Slack mrkdwn into terminal text. */
export function mrkdwnToTerminal(text: string): string {
  return text
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, "$2 ($1)")
    .replace(/<(https?:[^>]+)>/g, "$1")
    .replace(/\*([^*\n]+)\*/g, (_, inner: string) => bold(inner))
    .replace(/:([a-z_]+):/g, (whole, name: string) => EMOJI[name] ?? whole)
    .replace(/^> ?/gm, "│ ")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

interface Block {
  type: string;
  text?: { text: string };
  elements?: { text?: string; url?: string; type: string }[];
}

/** Renders a webhook payload (`{ text, blocks }`) as lines a person can read in a terminal. */
export function messageToTerminal(payload: { text?: string; blocks?: Block[] }): string {
  if (!payload.blocks?.length) return mrkdwnToTerminal(payload.text ?? "");
  const lines: string[] = [];
  for (const block of payload.blocks) {
    if (block.type === "section" && block.text) lines.push(mrkdwnToTerminal(block.text.text));
    else if (block.type === "context") {
      lines.push(dim(block.elements?.map((e) => mrkdwnToTerminal(e.text ?? "")).join("  ") ?? ""));
    } else if (block.type === "actions") {
      for (const e of block.elements ?? []) {
        if (e.url) lines.push(`[ ${mrkdwnToTerminal((e as { text?: { text?: string } }).text?.text ?? "Open")} ] ${e.url}`);
      }
    } else if (block.type === "divider") lines.push(dim("─".repeat(40)));
    else if (block.type === "header" && block.text) lines.push(bold(block.text.text));
  }
  return lines.join("\n");
}
