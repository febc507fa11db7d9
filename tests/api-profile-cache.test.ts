import { describe, expect, it } from 'vitest';
import { ProfileCache } from '../api/auth.js';
import { BriefCache } from '../api/brief-cache.js';

/** The API keeps a signed-in person's profile briefly (PROFILE_CACHE_SECONDS) instead of reading it per request. */
describe('the profile cache', () => {
  const coach = { id: 'u1', role: 'coach' as const, siteId: 's1', name: 'An' };

  it('reads a profile once within its time; a changed role counts once that time is over', async () => {
    let role: 'coach' | 'coordinator' = 'coach';
    let reads = 0;
    const load = async () => {
      reads += 1;
      return { ...coach, role };
    };
    const cache = new ProfileCache(30_000);
    expect((await cache.get('u1', load, 0))?.role).toBe('coach');
    role = 'coordinator';
    expect((await cache.get('u1', load, 29_999))?.role).toBe('coach');
    expect(reads).toBe(1);
    expect((await cache.get('u1', load, 30_000))?.role).toBe('coordinator');
    expect(reads).toBe(2);
  });

  it('with 0 seconds, or after invalidate, a changed role counts at once', async () => {
    let role: 'coach' | 'coordinator' = 'coach';
    const load = async () => ({ ...coach, role });
    const none = new ProfileCache(0);
    const kept = new ProfileCache(30_000);
    await none.get('u1', load, 0);
    await kept.get('u1', load, 0);
    role = 'coordinator';
    expect((await none.get('u1', load, 1))?.role).toBe('coordinator');
    kept.invalidate('u1');
    expect((await kept.get('u1', load, 1))?.role).toBe('coordinator');
  });

  it('does not keep a missing profile, and holds at most its bound', async () => {
    let profile: typeof coach | null = null;
    const cache = new ProfileCache(30_000, 2);
    expect(await cache.get('u1', async () => profile, 0)).toBeNull();
    profile = coach;
    expect(await cache.get('u1', async () => profile, 1)).toEqual(coach);
    let reads = 0;
    const other = async (id: string) => {
      reads += 1;
      return { ...coach, id };
    };
    await cache.get('u2', other, 2);
    await cache.get('u3', other, 3);
    await cache.get('u1', other, 4);
    expect(reads).toBe(3);
  });
});

/** The same cache keeps a participant's access for coach actions (ACCESS_CACHE_SECONDS); this process's own changes count at once. */
describe('a brief cache after a change this process made', () => {
  it('does not keep a read that was under way when the key was invalidated, nor any read for its time after', async () => {
    let now = 1_000;
    const cache = new BriefCache<{ coach: string }>(10_000, 100, () => now);
    let coach = 'old';
    let reads = 0;
    let release: () => void = () => {};
    const slowLoad = async () => {
      reads += 1;
      const seen = coach;
      await new Promise<void>((r) => (release = r));
      return { coach: seen };
    };
    // A request reads the row just before the change is written, and answers after it.
    const inFlight = cache.get('p1', slowLoad);
    coach = 'new';
    cache.invalidate('p1');
    release();
    expect((await inFlight)?.coach).toBe('old');
    const load = async () => {
      reads += 1;
      return { coach };
    };
    // The stale row was not kept: the next request reads again, and so does every one for 10 s.
    expect((await cache.get('p1', load))?.coach).toBe('new');
    now += 9_999;
    expect((await cache.get('p1', load))?.coach).toBe('new');
    expect(reads).toBe(3);
    // Then the cache keeps it again.
    now += 1;
    await cache.get('p1', load);
    await cache.get('p1', load);
    expect(reads).toBe(4);
  });

  it('invalidating every key holds every key back', async () => {
    let now = 0;
    const cache = new BriefCache<string>(10_000, 100, () => now);
    let reads = 0;
    const load = async (k: string) => {
      reads += 1;
      return k;
    };
    cache.invalidate();
    now += 5_000;
    await cache.get('a', load);
    await cache.get('a', load);
    expect(reads).toBe(2);
  });
});
