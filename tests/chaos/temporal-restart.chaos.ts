import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathQuery, pathUpdates, pathWorkflowId } from '../../domain/messages.js';
import { registerParticipants } from '../support/http.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The Temporal dev server (SQLite) restarts in the middle of a run: the paths' state is intact
 * and no update that was acknowledged is lost.
 */

const PATHS = 10;
let stack: TestStack;
let coach: { id: string };
const ids: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({}, { temporalDb: true });
  const siteId = await stack.site();
  const staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  ids.push(...(await registerParticipants(stack, { staff, siteId, coachId: coach.id, count: PATHS, lastName: 'Herstart' })));
});
afterAll(async () => {
  await stack?.stop();
});

describe('a Temporal server restart', () => {
  it('keeps every acknowledged update', async () => {
    const acknowledged = new Map<string, number>(ids.map((id) => [id, 0]));
    let refused = 0;
    let running = true;
    /** Every call's span, to show the restart hit calls in flight. */
    const calls: Array<{ from: number; to: number; ok: boolean }> = [];
    const load = (async () => {
      let i = 0;
      while (running) {
        const id = ids[i % ids.length]!;
        i += 1;
        const from = Date.now();
        try {
          await stack.client.workflow.getHandle(pathWorkflowId(id)).executeUpdate(pathUpdates.logAttendance, { args: [{ by: coach.id, kind: 'open_house' }] });
          acknowledged.set(id, acknowledged.get(id)! + 1);
          calls.push({ from, to: Date.now(), ok: true });
        } catch {
          calls.push({ from, to: Date.now(), ok: false });
          refused += 1; // the server was down: not acknowledged, so nothing is owed
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 3000));
    const downFrom = Date.now();
    await stack.restartTemporal(2000);
    const downTo = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    running = false;
    await load;

    // The restart overlapped the work: calls in flight while the server was down were refused or
    // held (the client retries) until it was back.
    const across = calls.filter((c) => c.from < downTo && c.to > downFrom);
    expect(across.length).toBeGreaterThan(0);
    expect(across.some((c) => !c.ok || c.to - c.from >= 1000)).toBe(true);

    const total = [...acknowledged.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(PATHS);
    for (const id of ids) {
      const view = await stack.client.workflow.getHandle(pathWorkflowId(id)).query(pathQuery);
      expect(view.phase).toBe('orientation');
      expect(view.status).toBe('active');
      // At least every acknowledged one; one more if the server applied an update whose answer was lost.
      expect(view.attendance.open_house ?? 0).toBeGreaterThanOrEqual(acknowledged.get(id)!);
      expect(view.attendance.open_house ?? 0).toBeLessThanOrEqual(acknowledged.get(id)! + 1);
    }
    process.stdout.write(`temporal restart: ${total} acknowledged updates, ${refused} refused while the server was down\n`);
  });
});
