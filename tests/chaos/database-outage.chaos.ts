import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathUpdates, pathWorkflowId } from '../../domain/messages.js';
import { registerParticipants } from '../support/http.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Postgres and PostgREST stop for 60 s while coaches keep acting: the activities retry, no path
 * fails, and every row is written once the database is back.
 */

const PATHS = 10;
const DOWN_MS = Number(process.env.CHAOS_DB_DOWN_MS ?? 60_000);
let stack: TestStack;
let coach: { id: string; token: string };
const ids: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  const siteId = await stack.site();
  const staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  ids.push(...(await registerParticipants(stack, { staff, siteId, coachId: coach.id, count: PATHS, lastName: 'Uitval' })));
});
afterAll(async () => {
  await stack?.stop();
});

describe('a database outage', () => {
  it('loses nothing: activities retry and every row is written after recovery', async () => {
    let backAt = Number.POSITIVE_INFINITY;
    const outage = stack.restartSupabase(DOWN_MS).then(() => {
      backAt = Date.now();
    });
    await new Promise((r) => setTimeout(r, 1000));
    const sentAt = Date.now();
    // The API needs the database to sign people in; the coaches' actions reach the paths directly.
    // Each update is answered once its path's records are written, so they wait out the outage.
    await Promise.all(
      ids.map(async (id) => {
        const handle = stack.client.workflow.getHandle(pathWorkflowId(id));
        await handle.executeUpdate(pathUpdates.signalCrisis, { args: [{ by: coach.id, kind: 'focus_crisis', move: true }] });
        await handle.executeUpdate(pathUpdates.logContact, { args: [{ by: coach.id, kind: 'conversation' }] });
      }),
    );
    await outage;
    // The outage overlapped the work: the actions were sent while the database was down, well
    // before it came back.
    expect(backAt - sentAt).toBeGreaterThan(DOWN_MS / 2);

    const end = Date.now() + 240_000;
    let written = { tasks: 0, focus: 0 };
    while (Date.now() < end) {
      const tasks = await stack.sql.query<{ n: number }>("select count(*)::int as n from public.tasks where kind = 'coaching_conversation'");
      const focus = await stack.sql.query<{ n: number }>("select count(*)::int as n from public.paths where phase = 'focus'");
      written = { tasks: tasks.rows[0]!.n, focus: focus.rows[0]!.n };
      if (written.tasks >= PATHS && written.focus >= PATHS) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(written).toEqual({ tasks: PATHS, focus: PATHS });
    for (const id of ids) {
      const description = await stack.client.workflow.getHandle(pathWorkflowId(id)).describe();
      expect(description.status.name).toBe('RUNNING');
    }
  });
});
