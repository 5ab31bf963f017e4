import { ownCopy } from "../bounded-map.ts";
import { cutForLog } from "../cut.ts";

/** At most this many warnings are kept word for word per reading of a calendar; the rest are counted. */
export const MAX_WARNINGS = 20;

/** At most this many UIDs of skipped components are remembered per reading. */
const MAX_SKIPPED_UIDS = 10_000;

/** A warning is cut to this many characters. */
const MAX_WARNING_LENGTH = 300;

/**
 * The warnings of one reading of a calendar: the first MAX_WARNINGS kept, the rest only counted,
 * so a hostile feed of 100,000 broken components costs a counter, not 100,000 lines of log.
 */
export class Warnings {
  readonly #kept = new Set<string>();
  #more = 0;
  readonly #skipped = new Set<string>();

  /** A component skipped: the warning, and its UID (when it has one) among `skippedUids`. */
  skip(uid: string | undefined, text: string): void {
    this.add(text);
    // Copied: a UID sliced from a feed's text would keep the whole text alive with the warnings.
    if (uid && this.#skipped.size < MAX_SKIPPED_UIDS) this.#skipped.add(ownCopy(uid));
  }

  /** The UIDs of the components skipped (at most MAX_SKIPPED_UIDS): what a reading cannot say anything about. */
  skippedUids(): string[] {
    return [...this.#skipped];
  }

  add(text: string): void {
    // A UID or value can be megabytes long in a hostile feed: a warning names it, it does not copy it.
    const warning = cutForLog(text, MAX_WARNING_LENGTH);
    if (this.#kept.has(warning)) return;
    if (this.#kept.size < MAX_WARNINGS) this.#kept.add(warning);
    else this.#more += 1;
  }

  addAll(warnings: Iterable<string>): void {
    for (const warning of warnings) this.add(warning);
  }

  /** The kept warnings, and a last line counting the others when there were more. */
  list(): string[] {
    const list = [...this.#kept];
    if (this.#more > 0) list.push(`…and ${this.#more} more warnings like these`);
    return list;
  }
}
