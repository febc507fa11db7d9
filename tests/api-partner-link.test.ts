import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLink, signLink } from '../activities/access-links.js';
import { activitiesOn } from './support/data-fixtures.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import type { ReferralOut } from '../domain/path-state.js';
import { page, submit, takeIn, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The partner's referral link on the real stack: the coach introduces a referral with consent
 * per field and the partner's address; the partner's email comes out of the outbox; the page
 * shows only what was agreed; bad links of every kind get the same 404; an answer goes into the
 * path once, shows on the coach's timeline and settles the follow-up.
 */

let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coach.id, 'An Coach']);
});
afterAll(async () => {
  await stack?.stop();
});

const TOKEN = /\/doorverwijzing\/([A-Za-z0-9_-]{72})/;

/** A participant with phone and birth date, one referral proposed to VDAB. */
async function withReferral(lastName: string) {
  const participantId = await takeIn(stack, staff, siteId, { firstName: 'Mira', lastName, coachId: coach.id });
  await stack.sql.query("update public.participants set phone = '0470 12 34 56', email = 'mira@example.be' where id = $1", [participantId]);
  const proposed = await submit(stack, `/deelnemers/${participantId}/acties/referOut`, { partner: 'vdab', note: 'Zoekt een opleiding' }, { token: coach.token });
  expect(proposed.status).toBe(303);
  const view = await stack.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery);
  return { participantId, referralId: view.referrals[0]!.id };
}

async function introduce(participantId: string, referralId: string, partnerEmail: string, shared: string[], note?: string) {
  const res = await submit(stack, `/deelnemers/${participantId}/doorverwijzingen/${referralId}/voorstellen`, { partnerEmail, shared, ...(note ? { note } : {}) }, { token: coach.token });
  expect(res.status, `introduce ${partnerEmail}`).toBe(303);
  return res;
}

/** The token from the partner's email, as the partner's mail program shows it. */
async function tokenFromEmail(partnerEmail: string): Promise<string> {
  const email = await until(async () => stack.outbox.emails().find((e) => e.to.includes(partnerEmail)), `the email to ${partnerEmail}`);
  return TOKEN.exec(email.text ?? '')![1]!;
}

const referralOf = async (participantId: string): Promise<ReferralOut> =>
  (await stack.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery)).referrals[0]!;

describe('introducing a referral to a partner', () => {
  it('records consent and address, moves the referral to introduced, and mails the partner a link without the participant\'s data', async () => {
    const { participantId, referralId } = await withReferral('Claes');
    // A bad address comes back next to its field, with what was typed.
    const bad = await submit(stack, `/deelnemers/${participantId}/doorverwijzingen/${referralId}/voorstellen`, { partnerEmail: 'geen-adres', shared: ['first_name'] }, { token: coach.token });
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('geen geldig e-mailadres');
    expect(badHtml).toContain('value="geen-adres"');

    await introduce(participantId, referralId, 'onthaal@vdab.example', ['first_name', 'note'], 'Mira wil graag een opleiding in de zorg.');
    expect((await referralOf(participantId)).status).toBe('introduced');
    const { rows } = await stack.sql.query('select partner_email, shared_fields, introduced_by from public.referral_introductions where referral_id = $1', [referralId]);
    expect(rows).toEqual([{ partner_email: 'onthaal@vdab.example', shared_fields: ['first_name', 'note'], introduced_by: coach.id }]);

    const email = await until(async () => stack.outbox.emails().find((e) => e.to.includes('onthaal@vdab.example')), 'the partner email');
    expect(email.subject).toContain('Stuyfplek Gent-Centrum');
    expect(email.text).toContain('An Coach');
    expect(email.text).toMatch(TOKEN);
    // The email carries no data of the participant, not even what was agreed for the page.
    for (const personal of ['Mira', 'Claes', '0470', 'mira@example.be', 'opleiding in de zorg']) expect(email.text).not.toContain(personal);
    expect(email.text).not.toContain('afmelden');

    // The same form again: no second link, no second email.
    await introduce(participantId, referralId, 'onthaal@vdab.example', ['first_name', 'note'], 'Mira wil graag een opleiding in de zorg.');
    await new Promise((r) => setTimeout(r, 1500));
    expect(stack.outbox.emails().filter((e) => e.to.includes('onthaal@vdab.example'))).toHaveLength(1);
    const links = await stack.sql.query('select id from public.access_links where referral_id = $1', [referralId]);
    expect(links.rows).toHaveLength(1);
  });

  it('refuses to introduce a referral that is already settled (409, with the reason on the page)', async () => {
    const { participantId, referralId } = await withReferral('Dubois');
    await submit(stack, `/deelnemers/${participantId}/acties/updateReferral`, { referralId, status: 'declined' }, { token: coach.token });
    const res = await submit(stack, `/deelnemers/${participantId}/doorverwijzingen/${referralId}/voorstellen`, { partnerEmail: 'z@ocmw.example', shared: ['first_name'] }, { token: coach.token });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('al afgerond');
    expect((await stack.sql.query('select 1 from public.referral_introductions where referral_id = $1', [referralId])).rows).toEqual([]);
  });
});

describe('the partner\'s page', () => {
  it('shows the partner, the Stuyfplek, the coach and only the consented fields, with link headers, and records the view', async () => {
    const { participantId, referralId } = await withReferral('Wouters');
    await introduce(participantId, referralId, 'team@unizo.example', ['first_name', 'phone']);
    const token = await tokenFromEmail('team@unizo.example');
    const res = await page(stack, `/doorverwijzing/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('VDAB');
    expect(html).toContain('Stuyfplek Gent-Centrum');
    expect(html).toContain('An Coach');
    expect(html).toContain('Mira');
    expect(html).toContain('0470 12 34 56');
    // Not agreed: last name, email, birth date, the referral's internal note.
    for (const absent of ['Wouters', 'mira@example.be', '1990', 'apr', 'Zoekt een opleiding', 'Geboortedatum', 'Familienaam']) expect(html).not.toContain(absent);
    const views = await stack.sql.query("select action from public.access_link_views where participant_id = $1", [participantId]);
    expect(views.rows).toEqual([{ action: 'view' }]);
  });

  it('answers every bad link with the same 404 page: tampered, another person\'s, expired, revoked, erased', async () => {
    const a = await withReferral('Janssens');
    await introduce(a.participantId, a.referralId, 'a@ocmw.example', ['first_name']);
    const tokenA = await tokenFromEmail('a@ocmw.example');
    const claims = readLink(stack.config.LINK_SECRET, tokenA)!;
    const b = await withReferral('Maes');
    await introduce(b.participantId, b.referralId, 'b@ocmw.example', ['first_name']);
    const tokenB = await tokenFromEmail('b@ocmw.example');
    const c = await withReferral('Jacobs');
    await introduce(c.participantId, c.referralId, 'c@ocmw.example', ['first_name']);
    const tokenC = await tokenFromEmail('c@ocmw.example');

    const flip = (t: string) => `${t.slice(0, 40)}${t[40] === 'A' ? 'B' : 'A'}${t.slice(41)}`;
    const bad = {
      tampered: flip(tokenA),
      otherPerson: signLink(stack.config.LINK_SECRET, { ...claims, participantId: b.participantId }),
      otherReferral: signLink(stack.config.LINK_SECRET, { ...readLink(stack.config.LINK_SECRET, tokenB)!, participantId: a.participantId }),
      otherPurpose: signLink(stack.config.LINK_SECRET, { ...claims, purpose: 'participant_page' }),
      expired: signLink(stack.config.LINK_SECRET, { ...claims, expiresAt: Math.floor(Date.now() / 1000) - 60 }),
      revoked: tokenB,
      erased: tokenC,
    };
    const revoke = await submit(stack, `/deelnemers/${b.participantId}/doorverwijzingen/${b.referralId}/link-intrekken`, {}, { token: coach.token });
    expect(revoke.status).toBe(303);
    expect(await (await page(stack, `/deelnemers/${b.participantId}`, coach.token)).text()).toContain('Link ingetrokken op');
    const forget = await submit(stack, `/deelnemers/${c.participantId}/acties/forget`, { confirm: 'on', reason: 'participant_request' }, { token: coach.token });
    expect(forget.status).toBe(303);
    await until(async () => (await stack.sql.query('select erased_at from public.participants where id = $1', [c.participantId])).rows[0]?.erased_at ?? undefined, 'the erasure');

    // The genuine link works; every bad one gets the very same answer.
    expect((await page(stack, `/doorverwijzing/${tokenA}`)).status).toBe(200);
    const bodies = new Set<string>();
    for (const [why, token] of Object.entries(bad)) {
      for (const res of [await page(stack, `/doorverwijzing/${token}`), await submit(stack, `/doorverwijzing/${token}`, { answer: 'accepted' })]) {
        expect(res.status, why).toBe(404);
        expect(res.headers.get('referrer-policy'), why).toBe('no-referrer');
        expect(res.headers.get('cache-control'), why).toBe('no-store');
        const body = (await res.text()).replace(/<meta[^>]*request[^>]*>/g, '');
        expect(body, why).toContain('Deze link werkt niet');
        bodies.add(body);
      }
    }
    expect(bodies.size).toBe(1);
    expect((await referralOf(b.participantId)).status).toBe('introduced');
  });
});

describe('the partner\'s answer', () => {
  it('a bad date comes back next to its field in Dutch (422) with what was typed', async () => {
    const { participantId, referralId } = await withReferral('Peeters');
    await introduce(participantId, referralId, 'x@gtb.example', ['first_name']);
    const token = await tokenFromEmail('x@gtb.example');
    const res = await submit(stack, `/doorverwijzing/${token}`, { answer: 'appointment', appointmentDate: '2026-13-45' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="antwoord-appointmentDate-error"[^>]*>vul een datum in als JJJJ-MM-DD/);
    expect(html).toContain('value="2026-13-45"');
    expect(html).toMatch(/value="appointment" checked/);
    const missing = await submit(stack, `/doorverwijzing/${token}`, { answer: 'appointment' });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('vul de datum van de eerste afspraak in');
    expect((await referralOf(participantId)).status).toBe('introduced');
  });

  it('goes into the path once: a form sent twice is one status change and one timeline entry, and the page then shows the answer', async () => {
    const { participantId, referralId } = await withReferral('Willems');
    await introduce(participantId, referralId, 'y@sif.example', ['first_name']);
    const token = await tokenFromEmail('y@sif.example');
    const [first, second] = await Promise.all([
      submit(stack, `/doorverwijzing/${token}`, { answer: 'appointment', appointmentDate: '2026-12-15' }),
      submit(stack, `/doorverwijzing/${token}`, { answer: 'appointment', appointmentDate: '2026-12-15' }),
    ]);
    const third = await submit(stack, `/doorverwijzing/${token}`, { answer: 'declined' });
    for (const res of [first, second, third]) {
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/doorverwijzing/${token}?beantwoord`);
    }
    const after = await (await page(stack, `/doorverwijzing/${token}?beantwoord`)).text();
    expect(after).toContain('Bedankt');
    expect(after).toMatch(/Jullie antwoordden: <strong>eerste afspraak op 15 dec/);
    expect(after).not.toContain('<form');

    const referral = await referralOf(participantId);
    expect(referral).toMatchObject({ status: 'accepted', partnerAnswer: { answer: 'appointment', appointmentDate: '2026-12-15' } });
    const events = await until(async () => {
      const { rows } = await stack.sql.query("select type from public.path_events where participant_id = $1 and type = 'referral_answered'", [participantId]);
      return rows.length ? rows : undefined;
    }, 'the answer recorded');
    expect(events).toHaveLength(1);
    const { rows: out } = await stack.sql.query('select status from public.referrals_out where id = $1', [referralId]);
    expect(out).toEqual([{ status: 'accepted' }]);
    const timeline = await (await page(stack, `/deelnemers/${participantId}`, coach.token)).text();
    expect(timeline.match(/Partner antwoordde: eerste afspraak op 15 dec/g)).toHaveLength(2); // the timeline entry, and the referral's line
    expect((await stack.sql.query("select action from public.access_link_views where participant_id = $1 and action = 'referral_answered'", [participantId])).rows.length).toBeGreaterThanOrEqual(1);
  });

  it('a follow-up task that is open is completed by the answer\'s record, once', async () => {
    const { participantId, referralId } = await withReferral('Mertens');
    const activities = activitiesOn(stack, { db: stack.db });
    const where = { participantId, siteId, pathRun: 1 };
    await activities.createTask({ ...where, key: `${participantId}/1/90/task/referral_follow_up`, kind: 'referral_follow_up', dueAt: Date.now(), coachId: coach.id, cause: `referral/${referralId}` });
    const referral = await referralOf(participantId);
    const event = {
      type: 'referral_answered' as const,
      at: Date.now(),
      referral: { ...referral, status: 'accepted' as const, partnerAnswer: { at: Date.now(), answer: 'accepted' as const, linkId: referralId } },
      settlesTask: `referral/${referralId}`,
    };
    await activities.recordEvent({ ...where, key: `${participantId}/1/91/record/referral_answered`, event });
    const first = (await stack.sql.query('select status, completed_at from public.tasks where participant_id = $1', [participantId])).rows;
    expect(first).toEqual([{ status: 'done', completed_at: expect.any(Date) }]);
    // A retry changes nothing.
    await activities.recordEvent({ ...where, key: `${participantId}/1/91/record/referral_answered`, event });
    expect((await stack.sql.query('select status, completed_at from public.tasks where participant_id = $1', [participantId])).rows).toEqual(first);
    const tasks = await (await page(stack, '/taken', coach.token)).text();
    expect(tasks).not.toContain(`/deelnemers/${participantId}`);
  });
});
