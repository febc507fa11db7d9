import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, emailsSettled, json, registerParticipants, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/** A group moment a few years ahead, from the clock, so the test holds whatever today is. */
const MOMENT_YEAR = new Date().getFullYear() + 4;
import { until } from './support/until.js';

/**
 * Invitations to a group moment: to the participants of the site on an active path who agreed
 * to email; once per moment, however often staff press the button.
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
  it('invites the active participants with consent, once per moment', async () => {
    const [active, outflowed] = await registerParticipants(stack, { staff, siteId, coachId: coach.id, count: 2, lastName: 'Moment', withEmail: true });
    await registerParticipants(stack, { staff, siteId, coachId: coach.id, count: 1, lastName: 'Zondertoestemming' });
    const out = await api(stack, `/api/participants/${outflowed}/actions/outflow`, { token: coach.token, body: { type: 'regular_job' } });
    expect(out.status).toBe(200);
    await until(async () => ((await stack.sql.query("select 1 from public.paths where participant_id = $1 and status = 'aftercare'", [outflowed])).rowCount ? true : undefined), 'the outflow');

    const invite = () => api(stack, '/api/group-moments/invitations', { token: staff.token, body: { kind: 'connectors_table', date: `${MOMENT_YEAR}-03-04` } });
    const res = await invite();
    expect(res.status).toBe(202);
    const { workflowId } = await json<{ workflowId: string }>(res);
    await stack.client.workflow.getHandle(workflowId).result();
    await until(async () => (invitations().length > 0 ? true : undefined), 'the invitation');
    expect(invitations().map((e) => e.to)).toEqual([['moment0@example.be']]);
    expect(invitations()[0]!.text).toContain(`Binnenkort is er een connectorstafel op 4 maart ${MOMENT_YEAR} in de Stuyfplek.`);
    expect(active).toBeTruthy();

    const second = await invite();
    expect(second.status).toBe(202);
    // The second run has finished and everything it queued is sent: still one invitation.
    await stack.client.workflow.getHandle((await json<{ workflowId: string }>(second)).workflowId).result();
    await emailsSettled(stack);
    expect(invitations()).toHaveLength(1);
  });

  it('is for staff, with a kind and a date', async () => {
    const bad = await api(stack, '/api/group-moments/invitations', { token: staff.token, body: { kind: 'feestje', date: `${MOMENT_YEAR}-02-30` } });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json<{ error: { fields: Record<string, string> } }>(bad)).error.fields).sort()).toEqual(['date', 'kind']);
    expect((await api(stack, '/api/group-moments/invitations', { token: coach.token, body: { kind: 'open_house', date: `${MOMENT_YEAR}-03-04` } })).status).toBe(403);
    expect((await api(stack, '/api/group-moments/invitations', { body: { kind: 'open_house', date: `${MOMENT_YEAR}-03-04` } })).status).toBe(401);
  });
});
