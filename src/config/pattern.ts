import { RE2JS } from "re2js";
import type { TitlePattern } from "../reminders/feed.ts";

/**
 * Longest part of a title a pattern sees. No real title is longer; a feed's 10 MB SUMMARY would
 * otherwise be scanned whole for every pattern.
 */
export const MAX_MATCHED_TITLE = 1_000;

/**
 * Compiles a user's pattern with RE2JS, the JavaScript port of RE2: matching takes time linear in
 * the title's length, whatever the pattern. JavaScript's own engine backtracks, so `(a+)+$` on a
 * 41-character title can block the run for minutes (ReDoS). Case-insensitive, as documented.
 *
 * @throws Error (RE2JS's syntax error) for what RE2 does not take: backreferences, lookaround.
 */
export function compileTitlePattern(source: string): TitlePattern {
  const pattern = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  return { test: (title) => pattern.test(title.length > MAX_MATCHED_TITLE ? title.slice(0, MAX_MATCHED_TITLE) : title) };
}

/** Why RE2 refuses `source`, or `undefined` when it compiles. */
export function patternProblem(source: string): string | undefined {
  try {
    RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
    return undefined;
  } catch (error) {
    const message = (error as Error).message.replace(/^error parsing regexp: /, "");
    return `is not a regular expression this engine takes (${message}); lookahead, lookbehind and backreferences are not supported, since matching must take linear time`;
  }
}
