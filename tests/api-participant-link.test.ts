import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLink, openLink, participantPageLinksForEmails, readLink, revokeLink, signLink } from '../activities/access-links.js';
import { addDays, formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { api, page, submit, until, ORIGIN, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The participant's own page behind a signed link (/mijn-pad/…), on the real stack: it shows this
 * person's path and nobody else's; every bad link (changed, another person's, expired, revoked,
 * erased) gets the same 404; every view and action is recorded; the agreement is confirmed once
 * through the path workflow; the emails carry a working link; the coach makes and revokes links.
 */

let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;
let otherCoach: Person;
let lotte: string;
let youssef: string;

const TOKEN = /\/mijn-pad\/([A-Za-z0-9_-]{72})/;
const GOAL = 'Een eigen kookatelier voor de buurt';
const STEP = 'Een cursus boekhouden volgen';

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId, 'an.coach@stuyfplek.test');
  otherCoach = await stack.person('coach', siteId);
  await stack.sql.query('update public.profiles set display_name = $2 where id = $1', [coach.id, 'An Claes']);
  lotte = await intake('Lotte', 'Peeters', 'lotte.peeters@example.be');
  youssef = await intake('Youssef', 'El Amrani', 'youssef@example.be', otherCoach.id);
  for (const [type, body] of [
    ['changePhase', { to: 'focus', reason: 'ready_for_next_step' }],
    ['signAgreement', { commitments: ['connectors_table', 'stuyflab'], privileges: ['space', 'network'], note: GOAL }],
    ['registerStep', { status: 'needed', note: STEP }],
  ] as const) {
    const res = await api(stack, `/api/participants/${lotte}/actions/${type}`, { token: coach.token, body });
    expect(res.status, type).toBe(200);
  }
});
afterAll(async () => {
  await stack?.stop();
});

async function intake(firstName: string, lastName: string, email: string, coachId = coach.id, consentEmail = true): Promise<string> {
  const res = await api(stack, '/api/intakes', {
    token: staff.token,
    body: { siteId, firstName, lastName, birthDate: '1990-04-12', email, consentEmail, referralSource: 'ocmw', coachId },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { participantId: string }).participantId;
}

/** The coach presses "Maak een nieuwe link" on the participant page; returns the token shown once. */
async function newLink(participantId: string, by: Person = coach): Promise<string> {
  const res = await submit(stack, `/deelnemers/${participantId}/eigen-pagina`, {}, { token: by.token });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const body = await res.text();
  expect(body).toContain('<svg');
  const token = TOKEN.exec(body)?.[1];
  expect(token).toBeDefined();
  return token!;
}

const open = (token: string) => stack.app.request(`${ORIGIN}/mijn-pad/${token}`, { redirect: 'manual' });
const linkIdOf = (token: string) => readLink(stack.config.LINK_SECRET, token)!.linkId;
const uses = async (token: string, action = 'view') =>
  (await stack.sql.query<{ n: number }>('select count(*)::int as n from public.access_link_views where link_id = $1 and action = $2', [linkIdOf(token), action])).rows[0]!.n;

describe("the participant's own page", () => {
  let token: string;
  let page200: string;

  beforeAll(async () => {
    token = await newLink(lotte);
  });

  it('shows this person their path in plain words, their agreement, steps, coach and email choice', async () => {
    const res = await open(token);
    expect(res.status).toBe(200);
    page200 = await res.text();
    expect(page200).toContain('Dag Lotte');
    expect(page200).toContain('Je weet wat je wil, en je zoekt hoe je daar komt.');
    expect(page200).toContain(GOAL);
    expect(page200).toContain('Connectorstafel, Stuyflab');
    expect(page200).toContain('Gebruik van de ruimte, Het netwerk');
    expect(page200).toContain(STEP);
    expect(page200).toContain('Je coach is An Claes.');
    expect(page200).toContain('Er staat nog geen groepsmoment voor je gepland.');
    expect(page200).toContain('Stop met e-mails');
    expect(page200).toContain('>Akkoord</button>');
    // Nobody else's data: not the other participant, not their coach, not the family name.
    expect(page200).not.toContain('Youssef');
    expect(page200).not.toContain('El Amrani');
    expect(page200).not.toContain('Peeters');
  });

  it("shows the group moments the participant is invited to, soonest first", async () => {
    const date = formatLocalDate(addDays(toLocalDate(Date.now()), 10));
    expect((await api(stack, '/api/group-moments/invitations', { token: staff.token, body: { kind: 'stuyflab', date } })).status).toBe(202);
    await until(async () => ((await stack.sql.query("select 1 from public.email_log where participant_id = $1 and template = 'group_moment_invitation'", [lotte])).rowCount ? true : undefined), 'the invitation');
    const body = await (await open(token)).text();
    const [year, month, day] = date.split('-').map(Number);
    const when = new Intl.DateTimeFormat('nl-BE', { timeZone: 'Europe/Brussels', day: 'numeric', month: 'long', year: 'numeric' }).format(Date.UTC(year!, month! - 1, day!, 12));
    expect(body).toContain(`Stuyflab op ${when}`);
    expect(body).not.toContain('Er staat nog geen groepsmoment voor je gepland.');
  });

  it('sends no referrer, no index and no cache', async () => {
    const res = await open(token);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-robots-tag')).toContain('noindex');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toMatch(/<meta name="robots" content="noindex[^"]*"/);
  });

  it('records every view, and the coach sees "laatst bekeken op"', async () => {
    const before = await uses(token);
    await open(token);
    await open(token);
    expect(await uses(token)).toBe(before + 2);
    // A HEAD (a mail scanner, a link preview) is no reader.
    expect((await stack.app.request(`${ORIGIN}/mijn-pad/${token}`, { method: 'HEAD' })).status).toBe(200);
    expect(await uses(token)).toBe(before + 2);
    const coachPage = await (await page(stack, `/deelnemers/${lotte}`, coach.token)).text();
    expect(coachPage).toMatch(/id="laatst-bekeken">Laatst bekeken op /);
    // The token is never shown again, also not at the address it was shown at.
    expect(coachPage).not.toContain(token);
    const reopened = await page(stack, `/deelnemers/${lotte}/eigen-pagina`, coach.token);
    expect(reopened.status).toBe(303);
    expect(reopened.headers.get('location')).toBe(`/deelnemers/${lotte}#eigen-pagina`);
  });

  it('only the coach and staff of the site make or revoke links for a participant', async () => {
    expect((await submit(stack, `/deelnemers/${lotte}/eigen-pagina`, {}, { token: otherCoach.token })).status).toBe(403);
    expect((await submit(stack, `/deelnemers/${lotte}/eigen-pagina/${linkIdOf(token)}/intrekken`, {}, { token: otherCoach.token })).status).toBe(403);
    // Without a session: to the sign-in page, nothing made.
    const before = (await stack.sql.query('select 1 from public.access_links where participant_id = $1', [lotte])).rowCount;
    expect((await submit(stack, `/deelnemers/${lotte}/eigen-pagina`, {})).status).toBe(303);
    expect((await stack.sql.query('select 1 from public.access_links where participant_id = $1', [lotte])).rowCount).toBe(before);
    expect((await open(token)).status).toBe(200);
  });

  it('confirms the agreement once through the workflow; a second press says "al bevestigd"', async () => {
    const agreementId = /name="agreementId" value="([0-9a-f-]{36})"/.exec(page200)?.[1];
    expect(agreementId).toBeDefined();
    const first = await submit(stack, `/mijn-pad/${token}/akkoord`, { agreementId: agreementId! });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/mijn-pad/${token}?gedaan=akkoord`);
    const second = await submit(stack, `/mijn-pad/${token}/akkoord`, { agreementId: agreementId! });
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe(`/mijn-pad/${token}?gedaan=al-akkoord`);
    const again = await (await stack.app.request(`${ORIGIN}${second.headers.get('location')}`)).text();
    expect(again).toContain('al bevestigd');
    expect(again).toMatch(/Je zei akkoord op /);
    expect(again).not.toContain('>Akkoord</button>');
    expect(await uses(token, 'agreement_confirmed')).toBe(1);

    const confirmedAt = await until(async () => {
      const { rows } = await stack.sql.query<{ confirmed_at: Date | null }>('select confirmed_at from public.agreements where id = $1', [agreementId]);
      return rows[0]?.confirmed_at ?? undefined;
    }, 'the confirmation in the database');
    expect(Date.now() - confirmedAt.getTime()).toBeLessThan(60_000);
    const events = await stack.sql.query("select 1 from public.path_events where participant_id = $1 and type = 'agreement_confirmed'", [lotte]);
    expect(events.rowCount).toBe(1);

    const coachPage = await (await page(stack, `/deelnemers/${lotte}`, coach.token)).text();
    expect(coachPage).toMatch(/id="akkoord-deelnemer">Bevestigd door de deelnemer op \d/);
    expect(coachPage).toContain('Groeiovereenkomst bevestigd door de deelnemer');
    // Coaches cannot confirm on the participant's behalf: it is not one of their actions.
    const byCoach = await api(stack, `/api/participants/${lotte}/actions/confirmAgreement`, { token: coach.token, body: { agreementId } });
    expect(byCoach.status).toBe(404);
  });

  it('stops and starts the emails again, as the opt-out link does, and records both', async () => {
    const optedOut = async () => (await stack.sql.query<{ opted_out_at: Date | null }>('select opted_out_at from public.participants where id = $1', [lotte])).rows[0]!.opted_out_at;
    const stop = await submit(stack, `/mijn-pad/${token}/e-mails`, { keuze: 'stop' });
    expect(stop.headers.get('location')).toBe(`/mijn-pad/${token}?gedaan=gestopt`);
    expect(await optedOut()).not.toBeNull();
    const stopped = await (await open(token)).text();
    expect(stopped).toContain('Stuur me weer e-mails');
    const start = await submit(stack, `/mijn-pad/${token}/e-mails`, { keuze: 'start' });
    expect(start.headers.get('location')).toBe(`/mijn-pad/${token}?gedaan=hervat`);
    expect(await optedOut()).toBeNull();
    expect(await uses(token, 'email_stopped')).toBe(1);
    expect(await uses(token, 'email_restarted')).toBe(1);
  });

  it('never starts emails for someone who gave no consent at intake', async () => {
    const nadia = await intake('Nadia', 'Bouzid', 'nadia@example.be', coach.id, false);
    const nadiaToken = await newLink(nadia);
    const body = await (await open(nadiaToken)).text();
    expect(body).toContain('geen e-mails van ons te krijgen');
    expect(body).not.toContain('Stuur me weer e-mails');
    const start = await submit(stack, `/mijn-pad/${nadiaToken}/e-mails`, { keuze: 'start' });
    expect(start.headers.get('location')).toBe(`/mijn-pad/${nadiaToken}?gedaan=geen-toestemming`);
    const { rows } = await stack.sql.query('select consent_email, opted_out_at from public.participants where id = $1', [nadia]);
    expect(rows).toEqual([{ consent_email: false, opted_out_at: null }]);
  });
});

describe('every bad link gets the same 404', () => {
  it('changed, another person\'s, another purpose, expired, revoked and erased: one page, one body', async () => {
    const secret = stack.config.LINK_SECRET;
    const good = await newLink(lotte);
    const youssefToken = await newLink(youssef, otherCoach);
    const claims = readLink(secret, good)!;
    const cases: Record<string, string> = {};

    // One character of the signature changed.
    cases.tampered = `${good.slice(0, 60)}${good[60] === 'A' ? 'B' : 'A'}${good.slice(61)}`;
    // Youssef's link id with Lotte's id, correctly signed (only the database knows they do not belong together).
    cases.otherPersonsLink = signLink(secret, { ...claims, linkId: readLink(secret, youssefToken)!.linkId });
    // Lotte's link id spliced into Youssef's token, the signature kept.
    const spliced = Buffer.from(youssefToken, 'base64url');
    Buffer.from(claims.linkId.replace(/-/g, ''), 'hex').copy(spliced, 1);
    cases.splicedLinkId = spliced.toString('base64url');
    cases.otherPurpose = signLink(secret, { ...claims, purpose: 'referral' });
    // Issued 40 days ago: its 30 days are over.
    const old = await issueLink(stack.db, secret, { participantId: lotte, siteId, purpose: 'participant_page', validity: stack.config.PARTICIPANT_LINK_VALIDITY, now: Date.now() - 40 * 86_400_000 });
    cases.expired = old.token;
    // A genuine link whose signed expiry was stretched beyond its row's (re-signed with our secret).
    cases.stretched = signLink(secret, { ...readLink(secret, old.token)!, expiresAt: claims.expiresAt });
    cases.nonsense = 'geen-token';

    // Revoked by the coach, with the button on the participant page.
    const revoked = await newLink(lotte);
    expect((await open(revoked)).status).toBe(200);
    const res = await submit(stack, `/deelnemers/${lotte}/eigen-pagina/${linkIdOf(revoked)}/intrekken`, {}, { token: coach.token });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/deelnemers/${lotte}?ingetrokken#eigen-pagina`);
    cases.revoked = revoked;
    // Another participant's link cannot be revoked through this participant's page.
    const wrong = await submit(stack, `/deelnemers/${lotte}/eigen-pagina/${linkIdOf(youssefToken)}/intrekken`, {}, { token: coach.token });
    expect(wrong.status).toBe(404);
    expect((await open(youssefToken)).status).toBe(200);

    // Erased: the participant asked to be forgotten.
    const mira = await intake('Mira', 'Vergeten', 'mira@example.be');
    const erased = await newLink(mira);
    expect((await open(erased)).status).toBe(200);
    expect((await api(stack, `/api/participants/${mira}/actions/forget`, { token: coach.token, body: { confirm: true, reason: 'participant_request' } })).status).toBe(200);
    await until(async () => ((await stack.sql.query('select 1 from public.participants where id = $1 and erased_at is not null', [mira])).rowCount ? true : undefined), 'the erasure');
    cases.erased = erased;
    // Every link of the person (the coach's and the one made for the welcome email) is revoked.
    const { rows } = await stack.sql.query<{ revoked: boolean }>('select revoked_at is not null as revoked from public.access_links where participant_id = $1', [mira]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => !r.revoked)).toEqual([]);

    const bodies = new Set<string>();
    for (const [name, token] of Object.entries(cases)) {
      for (const [method, path] of [
        ['GET', `/mijn-pad/${token}`],
        ['POST', `/mijn-pad/${token}/akkoord`],
        ['POST', `/mijn-pad/${token}/e-mails`],
      ] as const) {
        const answer = method === 'GET' ? await open(token) : await submit(stack, path, { keuze: 'stop', agreementId: claims.linkId });
        expect(answer.status, `${name} ${method} ${path}`).toBe(404);
        expect(answer.headers.get('referrer-policy'), name).toBe('no-referrer');
        expect(answer.headers.get('cache-control'), name).toBe('no-store');
        bodies.add(await answer.text());
      }
    }
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).toContain('Deze link werkt niet');
    // Nothing was changed by the bad posts.
    expect((await stack.sql.query('select opted_out_at from public.participants where id = $1', [lotte])).rows).toEqual([{ opted_out_at: null }]);
    // The good link still works; openLink itself refuses it once its time is over.
    expect((await open(good)).status).toBe(200);
    expect(await openLink(stack.db, secret, good, 'participant_page', claims.expiresAt * 1000 + 1)).toBeNull();
  });
});

describe('emails', () => {
  it('every email to a participant carries a working link to their page; a coach email carries none', async () => {
    const to = (address: string) => stack.outbox.emails().filter((e) => e.to.includes(address));
    // The welcome and the agreement's confirmation.
    const emails = await until(async () => (to('lotte.peeters@example.be').length >= 2 ? to('lotte.peeters@example.be') : undefined), "Lotte's emails", 30_000);
    const tokens = new Set<string>();
    for (const email of emails) {
      const line = /Bekijk je groeipad: (\S+)/.exec(email.text ?? '')?.[1];
      expect(line, email.subject).toBeDefined();
      expect(email.html).toContain(`href="${line}"`);
      const path = new URL(line!).pathname;
      const res = await stack.app.request(`${ORIGIN}${path}`);
      expect(res.status, email.subject).toBe(200);
      expect(await res.text()).toContain('Dag Lotte');
      tokens.add(TOKEN.exec(path)![1]!);
    }
    // One system-made link serves the emails while it has weeks left.
    expect(tokens.size).toBe(1);
    const { rows } = await stack.sql.query<{ created_by: string | null }>('select created_by from public.access_links where id = $1', [linkIdOf([...tokens][0]!)]);
    expect(rows).toEqual([{ created_by: null }]);
    const coachEmails = await until(async () => (to('an.coach@stuyfplek.test').length > 0 ? to('an.coach@stuyfplek.test') : undefined), 'the coach email');
    for (const email of coachEmails) {
      expect(email.text).not.toContain('/mijn-pad/');
      expect(email.html).not.toContain('/mijn-pad/');
    }

    // Every email in the outbox to a participant who is still known carries a link that opens their own page.
    const { rows: people } = await stack.sql.query<{ email: string; first_name: string }>('select email, first_name from public.participants where email is not null');
    let checked = 0;
    for (const email of stack.outbox.emails()) {
      const person = people.find((p) => email.to.includes(p.email));
      if (!person) continue;
      const line = /Bekijk je groeipad: (\S+)/.exec(email.text ?? '')?.[1];
      expect(line, `${email.subject} to ${person.first_name}`).toBeDefined();
      const res = await stack.app.request(`${ORIGIN}${new URL(line!).pathname}`);
      expect(res.status, `${email.subject} to ${person.first_name}`).toBe(200);
      expect(await res.text()).toContain(`Dag ${person.first_name}`);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it("an email reuses a system-made link while it has weeks left; never a coach's, a revoked or an almost expired one", async () => {
    const secret = stack.config.LINK_SECRET;
    const o = { participants: [{ participantId: youssef, siteId }], validity: stack.config.PARTICIPANT_LINK_VALIDITY, minLeft: stack.config.PARTICIPANT_LINK_REUSE_MIN_LEFT };
    const systemMade = async (token: string) =>
      (await stack.sql.query<{ created_by: string | null }>('select created_by from public.access_links where id = $1', [linkIdOf(token)])).rows[0]!.created_by === null;
    const first = (await participantPageLinksForEmails(stack.db, secret, o)).get(youssef)!;
    expect(await systemMade(first)).toBe(true);
    expect((await participantPageLinksForEmails(stack.db, secret, o)).get(youssef)).toBe(first);
    await revokeLink(stack.db, linkIdOf(first), otherCoach.id);
    const second = (await participantPageLinksForEmails(stack.db, secret, o)).get(youssef)!;
    expect(second).not.toBe(first);
    expect(await systemMade(second)).toBe(true);
    // Ten days on, the second works less than three weeks more: the next email gets a new one.
    const later = (await participantPageLinksForEmails(stack.db, secret, { ...o, now: Date.now() + 10 * 86_400_000 })).get(youssef)!;
    expect(later).not.toBe(second);
    expect(await systemMade(later)).toBe(true);
    expect((await open(second)).status).toBe(200);
  });
});
