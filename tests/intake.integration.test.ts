import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathWorkflowId } from '../domain/messages.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { until } from './support/until.js';

/**
 * The walking skeleton on real parts: an intake over HTTP writes the participant through
 * supabase-js (PostgREST on Postgres), starts the path on the Temporal dev server, and the
 * worker sends the Dutch welcome email through the Resend SDK to the outbox.
 */

let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };
let coach: { id: string; token: string };

beforeAll(async () => {
  // This stack's worker bundles the workflows itself, as `npm run dev` does, rather than taking the
  // bundle the test run made once (tests/support/workflow-bundles.ts): that path stays tested.
  stack = await startTestStack({ WORKFLOW_BUNDLE_PATH: '' });
  siteId = await stack.site();
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

const intake = (body: unknown, token = staff.token) =>
  stack.app.request('/api/intakes', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('intake through every part', () => {
  const lotte = () => ({
    siteId,
    firstName: 'Lotte',
    lastName: 'Peeters',
    birthDate: '1990-04-12',
    email: 'lotte@example.be',
    consentEmail: true,
    referralSource: 'ocmw',
    coachId: coach.id,
  });

  it('writes the participant, starts one path and sends the welcome email', async () => {
    const res = await intake(lotte());
    expect(res.status).toBe(201);
    const body = (await res.json()) as { participantId: string; workflowId: string };
    expect(body.workflowId).toBe(pathWorkflowId(body.participantId));

    const { rows } = await stack.sql.query('select first_name, referral_source, site_id from public.participants where id = $1', [body.participantId]);
    expect(rows).toEqual([{ first_name: 'Lotte', referral_source: 'ocmw', site_id: siteId }]);

    const description = await stack.temporal.client.workflow.getHandle(body.workflowId).describe();
    expect(description.status.name).toBe('RUNNING');

    const welcome = await until(async () => stack.outbox.emails().find((e) => e.to.includes('lotte@example.be')), 'the welcome email');
    expect(welcome.subject).toBe('Welkom in de Stuyfplek');
    expect(welcome.text).toContain('Dag Lotte,');
    expect(welcome.text).toMatch(/Meld je af: http:\/\/localhost:3000\/afmelden\//);
    expect(welcome.html).toContain('Meld je hier af');

    const detail = await stack.app.request(`/api/participants/${body.participantId}`, { headers: { authorization: `Bearer ${coach.token}` } });
    expect(detail.status).toBe(200);
    const { path } = (await detail.json()) as { path: { phase: string; status: string } };
    expect(path.phase).toBe('orientation');
    expect(path.status).toBe('active');

    // The path row was written by the worker's activity.
    const paths = await until(async () => {
      const r = await stack.sql.query('select phase, path_run from public.paths where participant_id = $1', [body.participantId]);
      return r.rowCount ? r.rows : undefined;
    }, 'the path row');
    expect(paths).toEqual([{ phase: 'orientation', path_run: 1 }]);

    // Personal data never enters the workflow's history: ids and codes only.
    const history = JSON.stringify(await stack.temporal.client.workflow.getHandle(body.workflowId).fetchHistory());
    const decoded = Buffer.from(history).toString() + [...history.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64').toString()).join('\n');
    for (const secret of ['Lotte', 'Peeters', 'lotte@example.be', '1990-04-12']) expect(decoded).not.toContain(secret);
    expect(decoded).toContain(body.participantId);
  });

  it('returns the same path for a repeated intake of the same person', async () => {
    const first = (await (await intake(lotte())).json()) as { participantId: string };
    const again = await intake({ ...lotte(), firstName: ' lotte ', email: undefined });
    expect(again.status).toBe(200);
    const second = (await again.json()) as { participantId: string; created: boolean };
    expect(second.participantId).toBe(first.participantId);
    expect(second.created).toBe(false);
    const { rows } = await stack.sql.query("select count(*)::int as n from public.participants where last_name = 'Peeters'");
    expect(rows[0].n).toBe(1);
    const list = stack.temporal.client.workflow.list({ query: `WorkflowId = '${pathWorkflowId(first.participantId)}'` });
    let runs = 0;
    for await (const _ of list) runs += 1;
    expect(runs).toBe(1);
  });

  it('refuses a bad intake with 400 naming the fields, and writes nothing', async () => {
    const countPaths = async () => {
      let n = 0;
      for await (const _ of stack.temporal.client.workflow.list({ query: "WorkflowType = 'participantPath'" })) n += 1;
      return n;
    };
    const pathsBefore = await countPaths();
    const before = await stack.sql.query('select count(*)::int as n from public.participants');
    const res = await intake({ siteId, firstName: 'Jan', birthDate: '1985-02-30', referralSource: 'bank', email: 'not-an-email' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string>; requestId: string } };
    expect(body.error.code).toBe('invalid_input');
    expect(Object.keys(body.error.fields).sort()).toEqual(['birthDate', 'email', 'lastName', 'referralSource']);
    expect(body.error.requestId).toBeTruthy();
    const after = await stack.sql.query('select count(*)::int as n from public.participants');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    const { rows } = await stack.sql.query("select count(*)::int as n from public.participants where first_name = 'Jan'");
    expect(rows[0].n).toBe(0);
    expect(await countPaths()).toBe(pathsBefore);
  });

  it('refuses an intake without sign-in (401) and from a coach (403)', async () => {
    const anonymous = await stack.app.request('/api/intakes', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(anonymous.status).toBe(401);
    const byCoach = await intake(lotte(), coach.token);
    expect(byCoach.status).toBe(403);
  });
});
