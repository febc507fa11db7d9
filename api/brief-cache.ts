/**
 * What the API read from the database, kept `ttlMs` per key so that the next request need not
 * read it again (README, "Performance and reliability"). Bounded: past `max` keys the oldest
 * goes. Only found values are kept. A change made elsewhere counts once the entry is older than
 * `ttlMs`; 0 reads on every request.
 */
export class BriefCache<V> {
  private readonly entries = new Map<string, { at: number; value: V }>();
  constructor(
    private readonly ttlMs: number,
    private readonly max = 1000,
  ) {}

  async get(key: string, load: (key: string) => Promise<V | null>, now = Date.now()): Promise<V | null> {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    this.entries.delete(key);
    const value = await load(key);
    if (value && this.ttlMs > 0) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { at: now, value });
    }
    return value;
  }

  /** Forgets one key (or all): the next request reads it again. */
  invalidate(key?: string): void {
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }
}
