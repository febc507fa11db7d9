import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * freePort in two processes at once, as parallel test files call it: each port is free when
 * checked and none is bound yet, so only the claims keep the two from handing out the same one.
 * Drawn at random from about 12,000 ports, 2 × 300 would share several without them.
 */
describe('freePort', () => {
  let claims: string;
  beforeAll(async () => {
    claims = await mkdtemp(join(tmpdir(), 'port-claims-test-'));
  });
  afterAll(async () => {
    await rm(claims, { recursive: true, force: true });
  });

  it('never hands out a port twice while its callers have yet to bind it, across processes', async () => {
    const [a, b] = await Promise.all([drawPorts(300, claims), drawPorts(300, claims)]);
    expect(a).toHaveLength(300);
    expect(b).toHaveLength(300);
    expect(new Set([...a!, ...b!]).size).toBe(600);
  });
});

/** A child process that asks freePort for `n` ports one after the other and prints them. */
function drawPorts(n: number, claimsDir: string): Promise<number[]> {
  const script = `import { freePort } from './infra/net.ts'; const ports = []; for (let i = 0; i < ${n}; i += 1) ports.push(await freePort()); console.log(JSON.stringify(ports));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, GROEIPAD_PORT_CLAIMS_DIR: claimsDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as number[]) : reject(new Error(`drawPorts exited ${code}`))));
  });
}
