/**
 * The fault suite's one account of delivery: every post the suite's Slack took is recorded by the
 * identity of each reminder in it, every case says which reminders of its run could have been
 * delivered, and one check at the end, over every case, finds a reminder posted twice, one that
 * could have been delivered and was not, and one posted that no case expected (a calendar behind
 * a refused redirect, an event a filter excludes, reminders over a limit).
 *
 * A reminder is known on the wire by what Slack shows of it: the channel (the webhook path's
 * team/channel part), the feed's name, the title as shown and the start (the `<!date^…>` token).
 * Every case posts to channels of its own, so the same calendar in two cases never collides.
 */

/** The identity of one reminder entry as Slack shows it. */
export function reminderKey(channel: string, feed: string, title: string, start: Date | string): string {
  const seconds = Math.floor(new Date(start).getTime() / 1000);
  return `${channel} | ${feed} | ${title} | ${seconds}`;
}

/** `/services/T/B/secret` → `T/B`: the channel a webhook posts to. */
export function channelOf(path: string): string {
  const [, services, team, channel] = path.split("/");
  return services === "services" && team && channel ? `${team}/${channel}` : path;
}

interface Block {
  type: string;
  text?: { text?: string };
  elements?: { text?: string }[];
}

/**
 * The reminder entries of one Slack message, as keys: each entry is a section (`*title*`, then the
 * start's date token) followed by its feed's context block (`:calendar: name`).
 */
export function entriesOf(channel: string, payload: { blocks?: unknown[] }): string[] {
  const keys: string[] = [];
  const blocks = (payload.blocks ?? []) as Block[];
  blocks.forEach((block, index) => {
    if (block.type !== "section") return;
    const shown = /^\*(.*?)\*\n<!date\^(\d+)\^/.exec(block.text?.text ?? "");
    const feed = /^:calendar: (.*)$/.exec(blocks[index + 1]?.elements?.[0]?.text ?? "");
    if (!shown || !feed) return;
    keys.push(reminderKey(channel, feed[1] ?? "", shown[1] ?? "", new Date(Number(shown[2]) * 1000)));
  });
  return keys;
}

/** What the final check found; every list empty is the promise kept. */
export interface AccountCheck {
  /** Reminders Slack took more than once, with how many copies. */
  twice: string[];
  /** Reminders a case could have delivered that Slack never took. */
  lost: string[];
  /** Reminders Slack took that no case expected. */
  unexpected: string[];
  /** Cases whose "some of these" expectation was not met exactly: `case: posted/expected`. */
  miscounted: string[];
}

export class DeliveryAccount {
  /** Copies Slack took, by reminder key. */
  readonly #posted = new Map<string, number>();
  /** Reminders that must be posted exactly once, with the case that expects them. */
  readonly #deliverable = new Map<string, string>();
  /** Cases that expect exactly `count` of a set of candidates (the first reminders kept by a limit). */
  readonly #someOf: { name: string; candidates: Set<string>; count: number }[] = [];

  /** Records the reminders of a post Slack took (answered 2xx, or took and never answered). */
  record(path: string, payload: { blocks?: unknown[] }): void {
    for (const key of entriesOf(channelOf(path), payload)) this.#posted.set(key, (this.#posted.get(key) ?? 0) + 1);
  }

  /** Copies of `key` Slack took so far. */
  copies(key: string): number {
    return this.#posted.get(key) ?? 0;
  }

  /** Every reminder Slack took so far on `channel`, once per copy, in no particular order. */
  postedOn(channel: string): string[] {
    return [...this.#posted].filter(([key]) => key.startsWith(`${channel} | `)).flatMap(([key, n]) => Array(n).fill(key));
  }

  /** `name`'s run could deliver each of `keys`: each must be posted exactly once. */
  deliverable(name: string, keys: readonly string[]): void {
    for (const key of keys) this.#deliverable.set(key, name);
  }

  /** `name`'s run may deliver exactly `count` of `candidates` (which ones a limit keeps is its choice). */
  deliverableSomeOf(name: string, candidates: readonly string[], count: number): void {
    this.#someOf.push({ name, candidates: new Set(candidates), count });
  }

  /** Totals, for the final test's own sanity: what the account saw. */
  totals(): { posted: number; deliverable: number } {
    const some = this.#someOf.reduce((sum, s) => sum + s.count, 0);
    return { posted: [...this.#posted.values()].reduce((a, b) => a + b, 0), deliverable: this.#deliverable.size + some };
  }

  check(): AccountCheck {
    const twice = [...this.#posted].filter(([, n]) => n > 1).map(([key, n]) => `${key} (${n} copies)`);
    const lost = [...this.#deliverable].filter(([key]) => !this.#posted.has(key)).map(([key, name]) => `${name}: ${key}`);
    const expected = (key: string) => this.#deliverable.has(key) || this.#someOf.some((s) => s.candidates.has(key));
    const unexpected = [...this.#posted.keys()].filter((key) => !expected(key));
    const miscounted = this.#someOf
      .map((s) => ({ s, posted: [...s.candidates].filter((key) => this.#posted.has(key)).length }))
      .filter(({ s, posted }) => posted !== s.count)
      .map(({ s, posted }) => `${s.name}: ${posted}/${s.count}`);
    return { twice, lost, unexpected, miscounted };
  }
}
