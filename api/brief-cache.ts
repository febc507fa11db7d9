/**
 * What the API read from the database, kept `ttlMs` per key so that the next request need not
 * read it again (README, "Performance and reliability"). Bounded: past `max` keys the oldest
 * goes. Only found values are kept. A change made elsewhere counts once the entry is older than
 * `ttlMs`; 0 reads on every request.
 *
 * `invalidate` is for a change this process makes: the key is then read afresh for `ttlMs`, and a
 * read that was under way when it was invalidated is not kept, so a row read just before the
 * change was written cannot come back into the cache.
 */
export class BriefCache<V> {
  private readonly entries = new Map<string, { at: number; value: V }>();
  /** When a key (or, under '', every key) was last invalidated. */
  private readonly invalidated = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly max = 1000,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(key: string, load: (key: string) => Promise<V | null>, now = this.clock()): Promise<V | null> {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    this.entries.delete(key);
    const value = await load(key);
    if (value && this.ttlMs > 0 && !this.recentlyInvalidated(key, now)) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { at: now, value });
    }
    return value;
  }

  /** Forgets one key (or all): it is read afresh on every request for the next `ttlMs`. */
  invalidate(key?: string): void {
    const at = this.clock();
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
    // Marks older than `ttlMs` say nothing any more; bounded like the entries.
    for (const [k, t] of this.invalidated) if (at - t >= this.ttlMs) this.invalidated.delete(k);
    if (this.invalidated.size >= this.max) this.invalidated.delete(this.invalidated.keys().next().value!);
    this.invalidated.set(key ?? '', at);
  }

  /** Invalidated after `since` (the read began before it) or less than `ttlMs` before it. */
  private recentlyInvalidated(key: string, since: number): boolean {
    return [this.invalidated.get(key), this.invalidated.get('')].some((at) => at !== undefined && since - at < this.ttlMs);
  }
}
