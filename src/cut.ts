/**
 * The first `max` characters of `text` and "…" (`max` and the mark together when `within`), white
 * space before the mark dropped, never ending inside a surrogate pair: no half of an emoji is left.
 */
export function cutText(text: string, max: number, within = false): string {
  const keep = within ? max - 1 : max;
  if (text.length <= max) return text;
  let end = Math.max(0, keep);
  const last = text.charCodeAt(end - 1);
  // A high surrogate at the cut has its low half after it.
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** Letters, digits and the characters tokens are made of (`-`, `_`, `%`, `.`, `~`, `+`, `=`). */
const TOKEN_CHARACTER = /[A-Za-z0-9\-_%.~+=]/;

/** A run of token characters this long or longer at the cut is a blob of text, not a token: it is cut. */
const LONGEST_TOKEN = 128;

/**
 * `cutText` for text a log or trace may carry, which is redacted after it is cut: a token that
 * crosses the cut (a secret path segment, a query value) is dropped whole rather than halved, as
 * half of a secret is no longer one the redactor knows.
 */
export function cutForLog(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  if (isTokenCharacter(text[max - 1]) && isTokenCharacter(text[max])) {
    while (end > 0 && isTokenCharacter(text[end - 1])) end -= 1;
    if (max - end >= LONGEST_TOKEN) end = max;
  }
  return cutText(text, end);
}

function isTokenCharacter(c: string | undefined): boolean {
  return c !== undefined && TOKEN_CHARACTER.test(c);
}
