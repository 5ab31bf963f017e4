/**
 * `text` as a string of its own. V8 makes a slice of a long string (a feed's text) as a view into
 * the whole, so a slice that outlives its reading — a remembered RRULE, a cached calendar's zone
 * name — would keep the whole feed it came from alive. Copying costs the length of `text` only.
 */
export function ownCopy(text: string): string {
  return ` ${text}`.slice(1);
}

/**
 * A Map of at most `limit` entries, for values remembered by key: adding one more to a full map
 * first forgets all the others. What a run asks again it asks again soon, so a cleared map refills
 * with it, and a feed of endless distinct keys costs at most `limit` entries.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #limit: number;

  constructor(limit: number) {
    super();
    this.#limit = limit;
  }

  override set(key: K, value: V): this {
    if (this.size >= this.#limit && !this.has(key)) this.clear();
    return super.set(key, value);
  }

  /**
   * The value remembered for `key` (undefined too, when that was remembered), else `compute(arg)`,
   * remembered. `arg` is what the value is computed from, so a hot caller makes no closure per call.
   * A string key, and a string `arg`, are copied first (`ownCopy`): a memo lives as long as the
   * process, and must not keep alive the feeds its keys, or values made from `arg`, were sliced from.
   */
  remember<A>(key: K, compute: (arg: A) => V, arg: A): V {
    const known = this.get(key);
    if (known !== undefined || this.has(key)) return known as V;
    const value = compute(typeof arg === "string" ? (ownCopy(arg) as A) : arg);
    this.set(typeof key === "string" ? (ownCopy(key) as K) : key, value);
    return value;
  }
}
