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
 *
 * A parsed calendar takes a few times its text's size in memory, and the container's memory is
 * shared with the run itself: the cache is bounded by the summed size of the calendars it holds as
 * well as by their number, and forgets the least recently used ones first.
 */
export class FeedCache {
  readonly #entries = new Map<string, CachedFeed>();
  readonly #limit: number;
  readonly #maxBytes: number;
  #bytes = 0;

  /**
   * @param limit most feeds remembered.
   * @param maxBytes most calendar bytes (as downloaded) remembered; a larger feed is not kept.
   */
  constructor(limit = 1000, maxBytes = 32 * 1024 * 1024) {
    this.#limit = limit;
    this.#maxBytes = maxBytes;
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
    this.delete(url);
    if (entry.bytes > this.#maxBytes) return;
    this.#entries.set(url, entry);
    this.#bytes += entry.bytes;
    while (this.#entries.size > this.#limit || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }

  delete(url: string): void {
    const entry = this.#entries.get(url);
    if (!entry) return;
    this.#entries.delete(url);
    this.#bytes -= entry.bytes;
  }

  /** Calendar bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }
}
