import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityKey } from '../api/path-service.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import { SEEDED_PATHS, startSeededPaths } from '../infra/seed-paths.js';
import { until } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * supabase/seed.sql and infra/seed-paths.ts, as `npm run dev` uses them: the seed loads on the
 * migrated schema, the seeded participants get running paths in their phases, and doing it again
 * changes nothing.
 */

let stack: TestStack;
const lines: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  await stack.sql.query(await readFile(new URL('../supabase/seed.sql', import.meta.url), 'utf8'));
});
afterAll(async () => {
  await stack?.stop();
});

describe('the development seed', () => {
  it('has the demo site, its staff member, coordinator, two coaches and a facilitator with their fixed ids', async () => {
    const { rows } = await stack.sql.query('select id, role::text as role from public.profiles order by id');
    expect(rows).toEqual([
      { id: '5a1e0000-0000-4000-8000-0000000000a1', role: 'staff' },
      { id: '5a1e0000-0000-4000-8000-0000000000b1', role: 'coach' },
      { id: '5a1e0000-0000-4000-8000-0000000000b2', role: 'coach' },
      { id: '5a1e0000-0000-4000-8000-0000000000c1', role: 'coordinator' },
      { id: '5a1e0000-0000-4000-8000-0000000000e1', role: 'facilitator' },
    ]);
  });

  it('gives the seeded participants the identity key a repeated intake finds', async () => {
    const { rows } = await stack.sql.query<{ first_name: string; last_name: string; birth_date: string; identity_key: string }>(
      "select first_name, last_name, to_char(birth_date, 'YYYY-MM-DD') as birth_date, identity_key from public.participants",
    );
    expect(rows).toHaveLength(SEEDED_PATHS.length);
    for (const r of rows) expect(r.identity_key).toBe(identityKey({ firstName: r.first_name, lastName: r.last_name, birthDate: r.birth_date }));
  });

  it('starts their paths and moves each to its phase', async () => {
    await startSeededPaths(stack.config, (line) => lines.push(line), stack.temporal.client);
    const view = (id: string) => stack.temporal.client.workflow.getHandle(pathWorkflowId(id)).query(pathQuery);
    const summary = await Promise.all(
      SEEDED_PATHS.map(async ({ participantId }) => {
        const v = await view(participantId);
        return { participantId, phase: v.phase, status: v.status, agreement: v.agreement?.status ?? null };
      }),
    );
    expect(summary).toEqual([
      { participantId: SEEDED_PATHS[0]!.participantId, phase: 'orientation', status: 'active', agreement: null },
      { participantId: SEEDED_PATHS[1]!.participantId, phase: 'focus', status: 'active', agreement: 'active' },
      { participantId: SEEDED_PATHS[2]!.participantId, phase: 'activation', status: 'active', agreement: 'active' },
      { participantId: SEEDED_PATHS[3]!.participantId, phase: 'focus', status: 'aftercare', agreement: 'ended_by_outflow' },
      { participantId: SEEDED_PATHS[4]!.participantId, phase: 'orientation', status: 'active', agreement: null },
    ]);
    // The activities wrote the rows the pages and reports read.
    const expected = JSON.stringify(summary.map((s) => ({ phase: s.phase, status: s.status })));
    await until(async () => {
      const { rows } = await stack.sql.query('select phase::text as phase, status::text as status from public.paths order by participant_id');
      return JSON.stringify(rows) === expected ? true : undefined;
    }, 'the path rows to match the paths');
  });

  it('changes nothing when the dev stack starts again', async () => {
    const seqs = async () => Promise.all(SEEDED_PATHS.map(async ({ participantId }) => (await stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery)).seq));
    const before = await seqs();
    await startSeededPaths(stack.config, (line) => lines.push(line), stack.temporal.client);
    expect(await seqs()).toEqual(before);
    for (const { participantId } of SEEDED_PATHS) {
      let runs = 0;
      for await (const _ of stack.temporal.client.workflow.list({ query: `WorkflowId = '${pathWorkflowId(participantId)}'` })) runs += 1;
      expect(runs).toBe(1);
    }
    expect(lines.at(-1)).toBe(`seed: ${SEEDED_PATHS.length} seeded paths running`);
  });
});
