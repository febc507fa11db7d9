import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signLink } from '../activities/access-links.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import { page, submit, takeIn, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The partner answers after the two weeks, on the real stack with the time-skipping server: the
 * follow-up task went out and is open in the coach's tasks; the answer closes it, once.
 */

const DAY = 86_400_000;
let stack: TestStack;
let siteId: string;
let coach: Person;
let staff: Person;

beforeAll(async () => {
  stack = await startTestStack({}, { timeSkipping: inject('temporalTestServer') });
  siteId = await stack.site('Stuyfplek Leuven');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

type Task = { status: string };
const followUps = async (participantId: string) =>
  (await stack.sql.query<Task>("select status from public.tasks where participant_id = $1 and kind = 'referral_follow_up'", [participantId])).rows;

describe('an answer after the follow-up went out', () => {
  it('completes the open follow-up task', async () => {
    const participantId = await takeIn(stack, staff, siteId, { firstName: 'Sam', lastName: 'Vermeulen', coachId: coach.id });
    expect((await submit(stack, `/deelnemers/${participantId}/acties/referOut`, { partner: 'starterslabo' }, { token: coach.token })).status).toBe(303);
    const handle = stack.client.workflow.getHandle(pathWorkflowId(participantId));
    const referralId = (await handle.query(pathQuery)).referrals[0]!.id;
    const introduced = await submit(stack, `/deelnemers/${participantId}/doorverwijzingen/${referralId}/voorstellen`, { partnerEmail: 'hallo@starterslabo.example', shared: ['first_name'] }, { token: coach.token });
    expect(introduced.status).toBe(303);

    // Fifteen days on the path's clock: the follow-up task is open in the coach's list.
    await stack.temporal.sleep(15 * DAY);
    expect(await until(async () => ((await followUps(participantId)).length ? await followUps(participantId) : undefined), 'the follow-up task')).toEqual([{ status: 'open' }]);
    expect(await (await page(stack, '/taken', coach.token)).text()).toContain('Nagaan of de doorverwijzing gelukt is');

    // The partner's link, signed as the dispatcher signs it for the email.
    const { rows } = await stack.sql.query<{ id: string; expires_at: Date }>("select id, expires_at from public.access_links where referral_id = $1 and purpose = 'referral'", [referralId]);
    const link = rows[0]!;
    const token = signLink(stack.config.LINK_SECRET, { linkId: link.id, participantId, purpose: 'referral', expiresAt: Math.floor(link.expires_at.getTime() / 1000) });
    for (let i = 0; i < 2; i += 1) expect((await submit(stack, `/doorverwijzing/${token}`, { answer: 'accepted' })).status).toBe(303);

    expect(await until(async () => ((await followUps(participantId))[0]?.status === 'done' ? await followUps(participantId) : undefined), 'the settled task')).toEqual([{ status: 'done' }]);
    expect(await (await page(stack, '/taken', coach.token)).text()).not.toContain('Nagaan of de doorverwijzing gelukt is');
    const events = await stack.sql.query("select payload->>'settlesTask' as settles from public.path_events where participant_id = $1 and type = 'referral_answered'", [participantId]);
    expect(events.rows).toEqual([{ settles: `referral/${referralId}` }]);
    expect((await handle.query(pathQuery)).referrals[0]).toMatchObject({ status: 'accepted', partnerAnswer: { answer: 'accepted' } });
  });
});
