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
   */
  remember<A>(key: K, compute: (arg: A) => V, arg: A): V {
    const known = this.get(key);
    if (known !== undefined || this.has(key)) return known as V;
    const value = compute(arg);
    this.set(key, value);
    return value;
  }
}
