import type { Config } from "../config/schema.ts";

/** What a secret is replaced with. */
export const REDACTED = "[redacted]";

/**
 * A path segment or query value this long is treated as a token on its own: Slack webhook paths
 * (`/services/T…/B…/<24 chars>`), Google's `private-<32 hex>` and Outlook's `…/<guid>/reachcalendar.ics`
 * all carry one, and an error may quote a path or a redirect target without the rest of the URL.
 * Shorter segments with a digit (`T0123ABCD`) count too; plain words (`calendar`, `services`) do not.
 */
function isTokenLike(segment: string): boolean {
  return segment.length >= 16 || (segment.length >= 6 && /\d/.test(segment) && /[A-Za-z]/.test(segment));
}

interface Rule {
  secret: string;
  replacement: string;
  /** A token found inside a URL rather than the URL or its path: it may also occur in ordinary names. */
  lone?: boolean;
}

/** Every form in which a URL's secret parts may show up in text, with what replaces each. */
function rulesFor(value: string): Rule[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ secret: value, replacement: REDACTED }];
  }
  // A whole URL keeps its origin, so a reader still sees which host it was.
  const shown = `${url.protocol}//${url.host}/${REDACTED}`;
  const rules: Rule[] = [
    { secret: value, replacement: shown },
    { secret: url.href, replacement: shown },
  ];
  const pathAndQuery = `${url.pathname}${url.search}`;
  if (pathAndQuery.length > 1) rules.push({ secret: pathAndQuery, replacement: `/${REDACTED}` });
  if (url.pathname.length > 1) rules.push({ secret: url.pathname, replacement: `/${REDACTED}` });
  if (url.search.length > 1) rules.push({ secret: url.search, replacement: `?${REDACTED}` });
  // A user name is often a plain word (`calendar`, `team`): on its own it is redacted only when it
  // looks like a token; the Basic header below covers it with the password.
  if (url.username && isTokenLike(safeDecode(url.username))) rules.push({ secret: url.username, replacement: REDACTED, lone: true });
  if (url.password) rules.push({ secret: url.password, replacement: REDACTED, lone: true });
  if (url.username || url.password) {
    // The Basic authorization header the fetcher builds from them.
    const basic = Buffer.from(`${safeDecode(url.username)}:${safeDecode(url.password)}`).toString("base64");
    rules.push({ secret: basic, replacement: REDACTED });
  }
  for (const segment of url.pathname.split("/")) {
    if (isTokenLike(segment)) rules.push({ secret: segment, replacement: REDACTED, lone: true });
    const decoded = safeDecode(segment);
    if (decoded !== segment && isTokenLike(decoded)) rules.push({ secret: decoded, replacement: REDACTED, lone: true });
  }
  for (const queryValue of url.searchParams.values()) {
    if (isTokenLike(queryValue)) rules.push({ secret: queryValue, replacement: REDACTED, lone: true });
  }
  // Query values as written too: `searchParams` reads `+` as a space, and a token with `+`, `/` or
  // `=` (base64) appears in text as written.
  for (const pair of url.search.slice(1).split("&")) {
    const written = pair.slice(pair.indexOf("=") + 1);
    if (isTokenLike(written)) rules.push({ secret: written, replacement: REDACTED, lone: true });
  }
  // And percent-encoded, as a URL quoted inside another URL (a redirect's return address) carries them.
  for (const rule of [...rules]) {
    const encoded = encodeURIComponent(rule.secret);
    if (rule.lone && encoded !== rule.secret) rules.push({ secret: encoded, replacement: REDACTED, lone: true });
  }
  return rules;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** What separates the names `visibleNameTest` searches: no name, and almost no token, holds it. */
const NAME_BREAK = "\u0000";

/**
 * Whether a token is part of one of `visible` names, ignoring case. A configuration of a thousand
 * feeds has thousands of tokens and names: the names are searched as one text, each distinct
 * token once. A token that holds the separator itself (a query value can decode to anything) is
 * looked for name by name, so that it never matches across two names.
 */
function visibleNameTest(visible: Iterable<string>): (token: string) => boolean {
  const names = [...new Set([...visible].map((name) => name.toLowerCase()))];
  const joined = `${NAME_BREAK}${names.join(NAME_BREAK)}${NAME_BREAK}`;
  const known = new Map<string, boolean>();
  return (token) => {
    const lower = token.toLowerCase();
    let found = known.get(lower);
    if (found === undefined) {
      found = lower.includes(NAME_BREAK) ? names.some((name) => name.includes(lower)) : joined.includes(lower);
      known.set(lower, found);
    }
    return found;
  };
}

/**
 * Removes known secrets (webhook URLs, private feed URLs and the tokens inside them) from text.
 * One instance lives as long as the Lambda container; `use` points it at the secrets of the
 * configuration just loaded. It is the safety net under the rule that messages name feeds by id and
 * host only: it catches what a library put in an error (undici, @slack/webhook, the AWS SDK).
 */
export class SecretRedactor {
  #pattern: RegExp | undefined;
  #replacements = new Map<string, string>();
  /** The secrets and names the rules were made for (see `use`). */
  #key: string | undefined;

  /**
   * Redacts the given secrets from now on (and forgets those of an earlier configuration).
   * `visible` are names the product shows on purpose (feed ids and names, webhook names): a token
   * found inside a URL that is part of one of them (`/calendars/engineering-team/…` for the feed
   * `engineering-team`) is that name, not a secret, and stays readable wherever the name appears.
   */
  use(secrets: Iterable<string>, visible: Iterable<string> = []): void {
    // A warm container loads the same configuration run after run: its rules are made once.
    const secretList = [...secrets];
    const visibleList = [...visible];
    const key = JSON.stringify([secretList, visibleList]);
    if (key === this.#key) return;
    this.#key = key;
    const partOfName = visibleNameTest(visibleList);
    const replacements = new Map<string, string>();
    for (const value of secretList) {
      if (value.length < 6) continue;
      for (const { secret, replacement, lone } of rulesFor(value)) {
        if (lone && partOfName(secret)) continue;
        // The first rule for a text wins: a whole URL keeps its host, a lone token does not.
        for (const form of [secret, JSON.stringify(secret).slice(1, -1)]) {
          // By lower case: a secret shows up upper-cased in some messages (a host's, a log's).
          const key = form.toLowerCase();
          if (form.length >= 6 && !replacements.has(key)) replacements.set(key, replacement);
        }
      }
    }
    this.#replacements = replacements;
    // Longest first, so a whole URL is replaced before the path inside it.
    const alternatives = [...replacements.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.#pattern = alternatives.length > 0 ? new RegExp(alternatives.join("|"), "gi") : undefined;
  }

  /** The text with every known secret replaced. */
  readonly redact = (text: string): string => {
    if (!this.#pattern) return text;
    return text.replace(this.#pattern, (match) => this.#replacements.get(match.toLowerCase()) ?? REDACTED);
  };

  /** A copy of a JSON-like value (a result, trace metadata) with every string redacted. */
  redactDeep<T>(value: T): T {
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.redactDeep(item)) as T;
    if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.redactDeep(item)])) as T;
    }
    return value;
  }

  /** An error of the same name whose message and stack (causes included) carry no secret. */
  redactError(error: unknown): Error {
    if (!(error instanceof Error)) return new Error(this.redact(String(error)));
    const copy = new Error(this.redact(error.message));
    copy.name = error.name;
    const status = (error as { status?: unknown }).status;
    if (status !== undefined) Object.assign(copy, { status });
    if (error.stack) copy.stack = this.redact(error.stack);
    return copy;
  }
}

/** The secret values of a configuration: every webhook URL and every feed URL. */
export function secretsOf(config: Pick<Config, "webhooks" | "feeds">): string[] {
  return [...Object.values(config.webhooks), ...config.feeds.map((feed) => feed.url)];
}

/** The names a configuration shows on purpose: feed ids and names, webhook names. */
export function visibleNamesOf(
  config: Pick<Config, "webhooks"> & { feeds: readonly { id: string; name?: string | undefined }[] },
): string[] {
  return [
    ...Object.keys(config.webhooks),
    ...config.feeds.flatMap((feed) => (feed.name === undefined || feed.name === feed.id ? [feed.id] : [feed.id, feed.name])),
  ];
}
