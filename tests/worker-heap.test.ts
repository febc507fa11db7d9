import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../infra/config.js';
import { checkHeapForCache, workflowTaskSlotsFor } from '../worker/create-worker.js';
import { WORKER_NODE_FLAGS } from '../worker/launch.js';

describe('the worker refuses a workflow cache its heap cannot hold', () => {
  const heapMb = Number(/--max-old-space-size=(\d+)/.exec(WORKER_NODE_FLAGS.join(' '))?.[1]);

  const cache = loadConfig({}).WORKER_MAX_CACHED_WORKFLOWS;

  it('takes the default cache under the production heap flags', () => {
    expect(heapMb).toBeGreaterThan(0);
    expect(() => checkHeapForCache(cache, heapMb)).not.toThrow();
  });

  it('refuses a cache four times as large, naming the setting and the way out', () => {
    expect(() => checkHeapForCache(4 * cache, heapMb)).toThrow(ConfigError);
    expect(() => checkHeapForCache(4 * cache, heapMb)).toThrow(new RegExp(`WORKER_MAX_CACHED_WORKFLOWS=${4 * cache}.*--max-old-space-size`));
  });
});

describe('workflow task slots', () => {
  it('are half the cache, at most 20 per workflow thread', () => {
    expect(workflowTaskSlotsFor(2)).toBe(1);
    expect(workflowTaskSlotsFor(30)).toBe(15);
    expect(workflowTaskSlotsFor(300)).toBe(20);
    expect(workflowTaskSlotsFor(300, 2)).toBe(40);
    expect(workflowTaskSlotsFor(60, 4)).toBe(30);
  });
});
