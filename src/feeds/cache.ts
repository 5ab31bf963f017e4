import type { ParsedCalendar } from "../calendar/expand.ts";

/** What a feed's server said about the version we hold, and that version, already parsed. */
export interface CachedFeed {
  etag: string | undefined;
  lastModified: string | undefined;
  calendar: ParsedCalendar;
  bytes: number;
}

/**
 * The feeds a warm container has already read, kept between invocations so that an unchanged feed
 * answers 304 Not Modified and is neither downloaded nor parsed again (RFC 9110 §13.1). Keyed by
 * URL, held in memory only, never logged: the URL may carry a token.
 *
 * An entry is stored only once its calendar parsed, so a conditional request is sent only when a
 * 304 can be answered from here.
 */
export class FeedCache {
  readonly #entries = new Map<string, CachedFeed>();
  readonly #limit: number;

  /** @param limit most feeds remembered; the least recently used one is forgotten first. */
  constructor(limit = 1000) {
    this.#limit = limit;
  }

  get(url: string): CachedFeed | undefined {
    const entry = this.#entries.get(url);
    if (entry) {
      this.#entries.delete(url);
      this.#entries.set(url, entry);
    }
    return entry;
  }

  set(url: string, entry: CachedFeed): void {
    this.#entries.delete(url);
    this.#entries.set(url, entry);
    while (this.#entries.size > this.#limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  delete(url: string): void {
    this.#entries.delete(url);
  }

  get size(): number {
    return this.#entries.size;
  }
}
