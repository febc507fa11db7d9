import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../worker/create-worker.js';
import { api, emailsSettled, json, registerParticipants, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { until } from './support/until.js';

/** A group moment a few years ahead, from the clock, so the test holds whatever today is. */
const MOMENT_YEAR = new Date().getFullYear() + 4;

/**
 * Invitations to a group moment: to the participants of the site who agreed to email — on an
 * active path and former ones (after outflow, after the path closed: people stay in the
 * network), not who opted out or was forgotten; once per moment, however often staff press the
 * button. The invitations attach to the planned moment.
 */

let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site();
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

const invitations = () => stack.outbox.emails().filter((e) => e.subject === 'Je bent welkom op een groepsmoment');

describe('group moment invitations', () => {
  it('invites the active and former participants with consent, not who opted out or was forgotten, once per moment', async () => {
    const [active, outflowed, closed, optedOut, forgotten] = await registerParticipants(stack, { staff, siteId, coachId: coach.id, count: 5, lastName: 'Moment', withEmail: true });
    await registerParticipants(stack, { staff, siteId, coachId: coach.id, count: 1, lastName: 'Zondertoestemming' });
    for (const id of [outflowed, closed]) {
      const out = await api(stack, `/api/participants/${id}/actions/outflow`, { token: coach.token, body: { type: 'regular_job' } });
      expect(out.status).toBe(200);
    }
    await until(async () => ((await stack.sql.query("select 1 from public.paths where participant_id = $1 and status = 'aftercare'", [closed])).rowCount ? true : undefined), 'the outflow');
    // Aftercare ends three months after the last contact: the path's own timer (tests/path-*.test.ts
    // prove it fires); here the worker's real activity records what that timer records.
    await activitiesFromConfig(stack.config, stack.client).recordEvent({ key: `${closed}/1/99/record/aftercare_reconnected`, participantId: closed!, siteId, pathRun: 1, event: { type: 'aftercare_reconnected', at: Date.now() } });
    expect((await stack.sql.query('select status from public.paths where participant_id = $1', [closed])).rows).toEqual([{ status: 'closed' }]);
    await stack.sql.query('update public.participants set opted_out_at = now() where id = $1', [optedOut]);
    const forget = await api(stack, `/api/participants/${forgotten}/actions/forget`, { token: coach.token, body: { confirm: true, reason: 'participant_request' } });
    expect(forget.status).toBe(200);
    await until(async () => ((await stack.sql.query('select 1 from public.participants where id = $1 and erased_at is not null', [forgotten])).rowCount ? true : undefined), 'the erasure');

    const invite = () => api(stack, '/api/group-moments/invitations', { token: staff.token, body: { kind: 'connectors_table', date: `${MOMENT_YEAR}-03-04` } });
    const res = await invite();
    expect(res.status).toBe(202);
    const { workflowId } = await json<{ workflowId: string }>(res);
    await stack.client.workflow.getHandle(workflowId).result();
    await emailsSettled(stack);
    expect(invitations().map((e) => e.to).sort()).toEqual([['moment0@example.be'], ['moment1@example.be'], ['moment2@example.be']]);
    expect(invitations()[0]!.text).toContain(`Binnenkort is er een connectorstafel op 4 maart ${MOMENT_YEAR} in de Stuyfplek.`);
    // The invitations attach to the planned moment: its register lists them as invited.
    const { rows: invited } = await stack.sql.query<{ participant_id: string }>(
      "select i.participant_id from public.group_moment_invitations i join public.group_moments m on m.id = i.moment_id where m.site_id = $1 and m.kind = 'connectors_table' and m.moment_date = $2 and i.reason = 'invited' order by i.participant_id",
      [siteId, `${MOMENT_YEAR}-03-04`],
    );
    expect(invited.map((r) => r.participant_id)).toEqual([active, outflowed, closed].sort());

    const second = await invite();
    expect(second.status).toBe(202);
    // The second run has finished and everything it queued is sent: still one invitation.
    await stack.client.workflow.getHandle((await json<{ workflowId: string }>(second)).workflowId).result();
    await emailsSettled(stack);
    expect(invitations()).toHaveLength(3);
  });

  it('is for staff, with a kind and a date', async () => {
    const bad = await api(stack, '/api/group-moments/invitations', { token: staff.token, body: { kind: 'feestje', date: `${MOMENT_YEAR}-02-30` } });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json<{ error: { fields: Record<string, string> } }>(bad)).error.fields).sort()).toEqual(['date', 'kind']);
    expect((await api(stack, '/api/group-moments/invitations', { token: coach.token, body: { kind: 'open_house', date: `${MOMENT_YEAR}-03-04` } })).status).toBe(403);
    expect((await api(stack, '/api/group-moments/invitations', { body: { kind: 'open_house', date: `${MOMENT_YEAR}-03-04` } })).status).toBe(401);
  });
});
