/**
 * Escapes untrusted text for Slack's mrkdwn and plain `text`. Slack treats `<…>` as control
 * sequences (`<!channel>`, `<@U123>`, `<https://…|label>`), so `&`, `<` and `>` are the three
 * characters it asks senders to escape; after that no mention, ping or link can be injected.
 * https://api.slack.com/reference/surfaces/formatting#escaping
 */
export function escapeSlackText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
