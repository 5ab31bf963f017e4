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
}
