import { describe, expect, it } from 'vitest';
import { ConfigError } from '../infra/config.js';
import { checkHeapForCache } from '../worker/create-worker.js';
import { WORKER_NODE_FLAGS } from '../worker/launch.js';

describe('the worker refuses a workflow cache its heap cannot hold', () => {
  const heapMb = Number(/--max-old-space-size=(\d+)/.exec(WORKER_NODE_FLAGS.join(' '))?.[1]);

  it('takes the default cache under the production heap flags', () => {
    expect(heapMb).toBeGreaterThan(0);
    expect(() => checkHeapForCache(60, heapMb)).not.toThrow();
  });

  it('refuses a cache four times as large, naming the setting and the way out', () => {
    expect(() => checkHeapForCache(250, heapMb)).toThrow(ConfigError);
    expect(() => checkHeapForCache(250, heapMb)).toThrow(/WORKER_MAX_CACHED_WORKFLOWS=250.*--max-old-space-size/);
  });
});
