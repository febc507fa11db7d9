import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { page, registerParticipants, submit, takeIn, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The web pages as a browser without JavaScript uses them, on the real stack: who may open
 * which page, forms that come back with the input and the errors next to the fields (422), a
 * refusal by the path with its reason (409), and post/redirect/get (303) on success.
 */

let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;
let coach2: Person;
let coordinator: Person;

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site('Stuyfplek Gent-Centrum');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  coach2 = await stack.person('coach', siteId);
  coordinator = await stack.person('coordinator', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

const html = async (res: Response) => res.text();
const notesOf = async (participantId: string) =>
  (await stack.sql.query<{ body: string }>('select body from public.notes where participant_id = $1 order by created_at', [participantId])).rows.map((r) => r.body);

describe('who may open which page', () => {
  it('sends each role home from /', async () => {
    expect((await page(stack, '/', coach.token)).headers.get('location')).toBe('/deelnemers');
    expect((await page(stack, '/', staff.token)).headers.get('location')).toBe('/deelnemers');
    expect((await page(stack, '/', coordinator.token)).headers.get('location')).toBe('/rapport');
    expect((await page(stack, '/')).headers.get('location')).toBe('/inloggen');
  });

  it('opens each page for its roles and refuses the others with a Dutch page (403)', async () => {
    const cases: Array<[string, Person[], Person[]]> = [
      ['/deelnemers', [coach, staff], [coordinator]],
      ['/inschrijving', [staff], [coach, coordinator]],
      ['/taken', [coach, staff], [coordinator]],
      ['/rapport', [coordinator], [coach, staff]],
    ];
    for (const [path, allowed, refused] of cases) {
      for (const who of allowed) {
        const res = await page(stack, path, who.token);
        expect(res.status, `${path}`).toBe(200);
        const body = await html(res);
        expect(body).toContain('<html lang="nl-BE">');
        expect(body).toContain('name="viewport"');
      }
      for (const who of refused) {
        const res = await page(stack, path, who.token);
        expect(res.status, `${path}`).toBe(403);
        expect(await html(res)).toContain('Geen toegang');
      }
      expect((await page(stack, path)).status).toBe(303);
    }
  });

  it('refuses a participant page to another coach (403) and an unknown one (404)', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Mira', coachId: coach.id });
    expect((await page(stack, `/deelnemers/${id}`, coach.token)).status).toBe(200);
    expect((await page(stack, `/deelnemers/${id}`, coach2.token)).status).toBe(403);
    expect((await page(stack, '/deelnemers/5a1e0000-0000-4000-8000-00000000dead', coach.token)).status).toBe(404);
    expect((await page(stack, '/deelnemers/geen-id', coach.token)).status).toBe(404);
  });
});

describe('the participant list of a busy site', () => {
  it('pages by 25 with the filter kept, and finds a name', async () => {
    const site = await stack.site('Stuyfplek Druk');
    const desk = await stack.person('staff', site);
    const an = await stack.person('coach', site);
    await registerParticipants(stack, { staff: desk, siteId: site, coachId: an.id, count: 30, lastName: 'Maes' });
    await takeIn(stack, desk, site, { firstName: 'Zeynep', lastName: 'Öztürk', coachId: an.id });

    const first = await html(await page(stack, '/deelnemers', desk.token));
    expect(first).toContain('31 deelnemers');
    expect(first.match(/<li>/g)?.length).toBe(25);
    expect(first).toContain('Pagina 1 van 2');
    expect(first).toContain('href="/deelnemers?pagina=2" rel="next"');

    const second = await html(await page(stack, '/deelnemers?pagina=2', desk.token));
    expect(second.match(/<li>/g)?.length).toBe(6);
    expect(second).toContain('rel="prev"');

    // The search is kept in the paging links and in the field.
    const found = await html(await page(stack, `/deelnemers?zoek=${encodeURIComponent('zeynep öz')}`, desk.token));
    expect(found).toContain('1 deelnemer gevonden');
    expect(found).toContain('Zeynep Öztürk');
    expect(found).toContain('value="zeynep öz"');
    expect(found).not.toContain('Maes');
  });
});

describe('intake form', () => {
  it('comes back with 422, the input kept and each error next to its field', async () => {
    const res = await submit(stack, '/inschrijving', { firstName: 'Nina', lastName: '', birthDate: '2001-02-30', email: 'nina@', referralSource: '' }, { token: staff.token });
    expect(res.status).toBe(422);
    const body = await html(res);
    expect(body).toContain('value="Nina"');
    expect(body).toContain('value="nina@"');
    for (const field of ['lastName', 'birthDate', 'email', 'referralSource']) {
      expect(body, field).toContain(`id="intake-${field}-error"`);
      expect(body, field).toMatch(new RegExp(`id="intake-${field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="intake-${field}"`));
    }
    expect(body).toContain('vul een familienaam in');
    expect(body).toContain('moet een datum zijn (JJJJ-MM-DD)');
    expect(body).toContain('<p class="field-error" id="intake-referralSource-error">Maak een keuze.</p>');
    expect(body).not.toContain('ontving undefined');
    expect(body).not.toContain('id="intake-firstName-error"');
  });

  it('takes the person in and redirects to the participant page (303); the same person again finds the same path', async () => {
    const values = { firstName: 'Olivier', lastName: 'De Smet', birthDate: '1984-09-17', referralSource: 'care_facility', coachId: coach.id, consentEmail: 'on', email: 'olivier@example.be' };
    const res = await submit(stack, '/inschrijving', values, { token: staff.token });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/deelnemers\/[0-9a-f-]{36}\?ingeschreven$/);
    const id = location.slice('/deelnemers/'.length, location.indexOf('?'));
    const { rows } = await stack.sql.query('select first_name, consent_email, coach_id, site_id, referral_source from public.participants where id = $1', [id]);
    expect(rows[0]).toEqual({ first_name: 'Olivier', consent_email: true, coach_id: coach.id, site_id: siteId, referral_source: 'care_facility' });
    const pageRes = await page(stack, location, staff.token);
    const body = await html(pageRes);
    expect(body).toContain('Ingeschreven. Het groeipad is gestart in oriëntatie.');
    expect(body).toContain('Olivier De Smet');

    const again = await submit(stack, '/inschrijving', values, { token: staff.token });
    expect(again.headers.get('location')).toBe(`/deelnemers/${id}?bestond`);
  });
});

describe('coach action forms', () => {
  let id: string;
  beforeAll(async () => {
    id = await takeIn(stack, staff, siteId, { firstName: 'Pieter', lastName: 'Claes', coachId: coach.id });
  });
  const action = (type: string, values: Record<string, string | string[]>, who: Person = coach) => submit(stack, `/deelnemers/${id}/acties/${type}`, values, { token: who.token });

  it('shows every coach action as a form with a label on every field', async () => {
    const body = await html(await page(stack, `/deelnemers/${id}`, coach.token));
    for (const type of ['signalCrisis', 'changePhase', 'signAgreement', 'renewAgreement', 'closeAgreement', 'logContact', 'logAttendance', 'registerStep', 'referOut', 'updateReferral', 'outflow', 'reenter', 'assignCoach', 'forget']) {
      expect(body, type).toContain(`action="/deelnemers/${id}/acties/${type}"`);
    }
    // Every visible input, select and textarea has a label that points at it.
    const ids = [...body.matchAll(/<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(40);
    for (const fieldId of ids) expect(body, fieldId).toContain(`for="${fieldId}"`);
  });

  it('comes back with 422 and the errors next to the fields, keeping the input', async () => {
    const res = await action('changePhase', { to: '', reason: 'step_back', note: 'Heeft even rust nodig.' });
    expect(res.status).toBe(422);
    const body = await html(res);
    expect(body).toContain('<details class="action" id="actie-changePhase" open="">');
    expect(body).toContain('id="actie-changePhase-to-error"');
    expect(body).toContain('<option value="step_back" selected="">');
    expect(body).toContain('Heeft even rust nodig.</textarea>');
    expect(await notesOf(id)).toEqual([]);
  });

  it('shows a refusal by the path with its reason (409), keeps the input and drops the note', async () => {
    const res = await action('signAgreement', { note: 'Een eigen naaiatelier.', commitments: ['open_house', 'stuyflab'], privileges: 'space' });
    expect(res.status).toBe(409);
    const body = await html(res);
    expect(body).toContain('Dit kan nu niet');
    expect(body).toContain('Een groeiovereenkomst wordt getekend in de focus- of activeringsfase, niet in oriëntatie.');
    expect(body).toContain('Een eigen naaiatelier.</textarea>');
    expect(body).toMatch(/name="commitments" value="open_house" checked=""/);
    expect(body).toMatch(/name="commitments" value="stuyflab" checked=""/);
    expect(body).not.toMatch(/name="commitments" value="coworking" checked=""/);
    expect(await notesOf(id)).toEqual([]);
  });

  it('signals a focus crisis with the move: 303 back to the page, phase Focus on the timeline with the note', async () => {
    const res = await action('signalCrisis', { kind: 'focus_crisis', move: 'on', note: 'Wil iets met textiel, weet niet wat.' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/deelnemers/${id}?gedaan=signalCrisis`);
    const body = await html(await page(stack, res.headers.get('location')!, coach.token));
    expect(body).toContain('De crisis is genoteerd.');
    expect(body).toMatch(/<dd id="fase"><span class="badge phase-focus">Focus<\/span><\/dd>/);
    expect(body).toContain('Fase: Oriëntatie → Focus');
    expect(body).toContain('Focuscrisis gesignaleerd');
    expect(body).toContain('Wil iets met textiel, weet niet wat.');
    expect(await notesOf(id)).toEqual(['Wil iets met textiel, weet niet wat.']);
    // A reload of the form's address goes back to the page.
    const reload = await page(stack, `/deelnemers/${id}/acties/signalCrisis`, coach.token);
    expect(reload.status).toBe(303);
  });

  it('signs an agreement through the form now that the participant is in focus', async () => {
    const res = await action('signAgreement', { note: 'Een eigen naaiatelier.', commitments: ['open_house', 'stuyflab'], privileges: 'space', startDate: '' });
    expect(res.status).toBe(303);
    const body = await html(await page(stack, `/deelnemers/${id}`, coach.token));
    expect(body).toContain('Groeiovereenkomst getekend');
    expect(body).toContain('Een eigen naaiatelier.');
  });

  it('asks for a reason and a confirmation before forgetting someone', async () => {
    const res = await action('forget', {});
    expect(res.status).toBe(422);
    const body = await html(res);
    expect(body).toContain('Vink aan dat je de gegevens wist');
    expect(body).toContain('id="actie-forget-reason-error"');
    const noConfirm = await action('forget', { reason: 'participant_request' });
    expect(noConfirm.status).toBe(422);
  });

  it('refuses an unknown action (404) and a coach who does not follow the participant (403)', async () => {
    expect((await action('teleport', {})).status).toBe(404);
    expect((await action('logContact', { kind: 'reply' }, coach2)).status).toBe(403);
  });
});

describe('tasks and report pages', () => {
  it('lists my tasks and completes one through the form (303)', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Quinten', lastName: 'Goossens', coachId: coach2.id });
    const crisis = await submit(stack, `/deelnemers/${id}/acties/signalCrisis`, { kind: 'focus_crisis' }, { token: coach2.token });
    expect(crisis.status).toBe(303);
    const taskId = await until(async () => {
      const { rows } = await stack.sql.query<{ id: string }>("select id from public.tasks where participant_id = $1 and kind = 'coaching_conversation'", [id]);
      return rows[0]?.id;
    }, 'the task');
    const list = await html(await page(stack, '/taken?wanneer=vandaag', coach2.token));
    expect(list).toContain('Coachingsgesprek plannen');
    expect(list).toContain('Quinten Goossens');
    const done = await submit(stack, `/taken/${taskId}/afgewerkt`, { terug: '/taken?wanneer=vandaag' }, { token: coach2.token });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/taken?wanneer=vandaag&afgewerkt');
    const after = await html(await page(stack, done.headers.get('location')!, coach2.token));
    expect(after).toContain('De taak is afgewerkt.');
    expect(after).not.toContain('Quinten Goossens');
    const again = await submit(stack, `/taken/${taskId}/afgewerkt`, {}, { token: coach2.token });
    expect(again.status).toBe(409);
    expect(await html(again)).toContain('Deze taak is al afgewerkt.');
  });

  it('shows the report for a period with a CSV link, and 422 for a period that ends before it starts', async () => {
    const year = new Date().getUTCFullYear();
    const res = await page(stack, `/rapport?from=${year}-01-01&to=${year}-12-31`, coordinator.token);
    expect(res.status).toBe(200);
    const body = await html(res);
    expect(body).toContain('Inschrijvingen per doorverwijzer');
    expect(body).toContain(`href="/api/reports/funder?from=${year}-01-01&amp;to=${year}-12-31&amp;format=csv"`);
    const bad = await page(stack, `/rapport?from=${year}-12-31&to=${year}-01-01`, coordinator.token);
    expect(bad.status).toBe(422);
    expect(await html(bad)).toContain('het einde van de periode ligt voor het begin');
  });
});
