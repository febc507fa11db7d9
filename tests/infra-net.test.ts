import { describe, expect, it } from 'vitest';
import { freePort } from '../infra/net.js';

describe('freePort', () => {
  it('never hands out a port twice while its callers have yet to bind it (400 in a row)', async () => {
    // One after the other, as test files ask for theirs: each port is free when checked, none bound
    // yet. Drawn at random from about 12,000, 400 would share one almost surely without the claims.
    const ports: number[] = [];
    for (let i = 0; i < 400; i += 1) ports.push(await freePort());
    expect(new Set(ports).size).toBe(400);
    for (const port of ports) expect(port).toBeGreaterThanOrEqual(1024);
  });
});
