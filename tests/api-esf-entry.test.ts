import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentParticipantId } from '../api/path-service.js';
import { addDays, formatLocalDate, localTimeToInstant, parseLocalDate, parseSpan, toLocalDate } from '../domain/calendar.js';
import { loadConfig } from '../infra/config.js';
import { ESF_ENTRY_ITEMS, ESF_LABELS } from '../domain/esf.js';
import { pathWorkflowId } from '../domain/messages.js';
import { api, json, page, peopleAtTwoSites, submit, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The ESF+ entry snapshot through the API and the pages (README, "Entry snapshot"): the intake's
 * questions (a wrong code is a 400 naming the field, in Dutch), version 1 written once however the
 * intake is retried, the staff task while the record is incomplete, completion and correction
 * (API and the participant page's form), who sees the special answers, re-entry keeping the first
 * entry's record, and erasure keeping the rows without the reasons.
 */

let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;
let coach2: Person;
let staffElsewhere: Person;

beforeAll(async () => {
  // Not the default grace (2 weeks), so the task's due date shows the configuration is used.
  stack = await startTestStack({ ESF_ENTRY_GRACE: '10 days' });
  ({ siteId, staff, coach, coach2, staffElsewhere } = await peopleAtTwoSites(stack));
});
afterAll(async () => {
  await stack?.stop();
});

type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };
type Version = Record<string, unknown>;

const rows = async <T = Record<string, unknown>>(text: string, values: unknown[]) => (await stack.sql.query(text, values)).rows as T[];

const versionsOf = (participant: string) =>
  rows<Version>(
    `select e.version, e.entered_on::text, e.age_band::text, e.labour_status::text, e.education::text, e.gender::text, e.homeless::text, e.complete,
            e.reason_note_id, e.recorded_by, s.disability::text, s.minority::text
       from public.esf_entries e join public.esf_entry_special s on s.entry_id = e.id where e.participant_id = $1 order by e.version`,
    [participant],
  );

const esfTasks = (participant: string) =>
  rows<{ status: string; due_at: Date; assignee_id: string | null; completed_by: string | null }>(
    "select status, due_at, assignee_id, completed_by from public.tasks where participant_id = $1 and kind = 'esf_entry_incomplete'",
    [participant],
  );

const today = () => formatLocalDate(toLocalDate(Date.now()));
let counter = 0;
const person = (o: Record<string, unknown> = {}) => ({ siteId, firstName: 'Esra', lastName: `Instap-${Date.now()}-${(counter += 1)}`, birthDate: '1990-04-12', referralSource: 'vdab', ...o });

async function intake(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await api(stack, '/api/intakes', { token: staff.token, body, headers });
  if (res.status !== 201 && res.status !== 200) throw new Error(`intake: ${res.status} ${await res.text()}`);
  return json<{ participantId: string; created: boolean; reentered: boolean }>(res);
}

const correct = (participant: string, body: unknown, who: Person = coach) => api(stack, `/api/participants/${participant}/esf-entry`, { token: who.token, body });

describe('configuration', () => {
  it('the ESF+ entry grace is 2 weeks unless configured', () => {
    expect(loadConfig({ GROEIPAD_ENV: 'test' }).ESF_ENTRY_GRACE).toEqual(parseSpan('2 weeks'));
    expect(stack.config.ESF_ENTRY_GRACE).toEqual(parseSpan('10 days'));
  });
});

describe('intake with the ESF+ questions', () => {
  it('records version 1 with the answers, the day of entry and the age band on that day; complete: no task', async () => {
    // Thirty today (Brussels): 30 to 54; thirty tomorrow: still 18 to 29.
    const now = parseLocalDate(today());
    const thirtyToday = formatLocalDate({ ...now, year: now.year - 30 });
    const thirtyTomorrow = formatLocalDate(addDays({ ...now, year: now.year - 30 }, 1));
    const answers = { labourStatus: 'long_term_unemployed', education: 'isced_0_2', gender: 'male', homeless: 'refused', disability: 'yes', minority: 'refused' };
    const a = await intake(person({ birthDate: thirtyToday, coachId: coach.id, ...answers }));
    const b = await intake(person({ birthDate: thirtyTomorrow, ...answers }));
    expect(await versionsOf(a.participantId)).toEqual([
      {
        version: 1, entered_on: today(), age_band: 'age_30_54', labour_status: 'long_term_unemployed', education: 'isced_0_2', gender: 'male', homeless: 'refused',
        complete: true, reason_note_id: null, recorded_by: staff.id, disability: 'yes', minority: 'refused',
      },
    ]);
    expect((await versionsOf(b.participantId)).map((v) => v.age_band)).toEqual(['age_18_29']);
    expect(await esfTasks(a.participantId)).toEqual([]);
  });

  it('refuses a wrong code with 400 naming the field, in Dutch, and writes nothing', async () => {
    const body = person({ disability: 'maybe', labourStatus: 'retired' });
    const res = await api(stack, '/api/intakes', { token: staff.token, body });
    expect(res.status).toBe(400);
    const error = (await json<ErrorBody>(res)).error;
    expect(error.code).toBe('invalid_input');
    expect(error.fields).toEqual({
      disability: 'kies een van: Ja, Nee, Wil niet antwoorden',
      labourStatus: `kies een van: ${[...ESF_ENTRY_ITEMS.labourStatus.values, 'refused'].map((v) => ESF_LABELS[v]).join(', ')}`,
    });
    expect(await rows('select 1 from public.participants where last_name = $1', [body.lastName])).toEqual([]);
  });

  it('an incomplete record (a refusal, questions left open) gives staff a task, due the configured grace after the intake; the path gets no answer', async () => {
    const { participantId } = await intake(person({ labourStatus: 'refused', gender: 'female', disability: 'no' }));
    expect((await versionsOf(participantId)).map((v) => [v.version, v.labour_status, v.education, v.complete])).toEqual([[1, 'refused', null, false]]);
    const created = await rows<{ created_at: Date }>('select created_at from public.participants where id = $1', [participantId]);
    const due = localTimeToInstant(addDays(toLocalDate(created[0]!.created_at.getTime()), 10), stack.config.LOCAL_HOUR);
    expect(await esfTasks(participantId)).toEqual([{ status: 'open', due_at: new Date(due), assignee_id: null, completed_by: null }]);
    // Staff see it in their own list (theirs and the site's unassigned ones).
    const tasks = (await json<{ tasks: Array<{ kind: string; participantId: string }> }>(await api(stack, '/api/tasks', { token: staff.token }))).tasks;
    expect(tasks.filter((t) => t.participantId === participantId).map((t) => t.kind)).toEqual(['esf_entry_incomplete']);
    // Special-category answers never enter the workflow: not in its input, not in its history.
    const history = await stack.client.workflow.getHandle(pathWorkflowId(participantId)).fetchHistory();
    // Payloads are bytes: read them as the text they are.
    const text = JSON.stringify(history, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
    expect(text).toContain(participantId);
    expect(text).not.toMatch(/labourStatus|disability|labour_status|"refused"/);
  });

  it('a retried intake makes no second version; one that stopped after the participant row writes the record it missed', async () => {
    const key = `esf-${Date.now()}`;
    const body = person({ labourStatus: 'employed', education: 'isced_5_8', gender: 'female', disability: 'yes' });
    const first = await intake(body, { 'idempotency-key': key });
    expect(first.participantId).toBe(idempotentParticipantId(staff.id, key));
    const retry = await intake({ ...body, labourStatus: 'inactive' }, { 'idempotency-key': key });
    expect(retry).toMatchObject({ participantId: first.participantId, created: false });
    expect((await versionsOf(first.participantId)).map((v) => [v.version, v.labour_status])).toEqual([[1, 'employed']]);

    // As if the first request had stopped between the participant row and the record.
    await stack.sql.query('delete from public.esf_entries where participant_id = $1', [first.participantId]);
    await intake(body, { 'idempotency-key': key });
    expect((await versionsOf(first.participantId)).map((v) => [v.version, v.labour_status, v.disability, v.entered_on])).toEqual([[1, 'employed', 'yes', today()]]);
  });

  it('the intake form asks the questions in a fieldset, each with "Wil niet antwoorden", and shows a wrong code next to its field', async () => {
    const form = await (await page(stack, '/inschrijving', staff.token)).text();
    expect(form).toContain('<legend>ESF-gegevens</legend>');
    expect(form).toContain('Europees Sociaal Fonds');
    for (const key of Object.keys(ESF_ENTRY_ITEMS)) expect(form, key).toContain(`name="${key}"`);
    expect(form.match(/<option value="refused">Wil niet antwoorden<\/option>/g)).toHaveLength(Object.keys(ESF_ENTRY_ITEMS).length);
    expect(form).toContain('Gevoelig gegeven: alleen de coach van de deelnemer ziet het antwoord.');

    const values = { firstName: 'Femke', lastName: `Formulier-${Date.now()}`, birthDate: '1975-05-05', referralSource: 'ocmw' };
    const bad = await submit(stack, '/inschrijving', { ...values, gender: 'unknown' }, { token: staff.token });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('<p class="field-error" id="intake-gender-error">Kies een van de mogelijkheden.</p>');
    const ok = await submit(stack, '/inschrijving', { ...values, gender: 'female', labourStatus: 'unemployed', education: 'refused', minority: 'no' }, { token: staff.token });
    expect(ok.status).toBe(303);
    const id = ok.headers.get('location')!.match(/[0-9a-f-]{36}/)![0];
    expect((await versionsOf(id)).map((v) => [v.gender, v.labour_status, v.education, v.minority, v.complete, v.age_band])).toEqual([['female', 'unemployed', 'refused', 'no', false, 'age_30_54']]);
  });
});

describe('completion and correction', () => {
  let id: string;

  beforeAll(async () => {
    ({ participantId: id } = await intake(person({ coachId: coach.id, gender: 'female', disability: 'yes', minority: 'no' })));
  });

  it('API: a correction needs a reason (400), changes something (409), and is made by staff of the site or the own coach only (403)', async () => {
    const noReason = await correct(id, { labourStatus: 'unemployed' });
    expect(noReason.status).toBe(400);
    expect((await json<ErrorBody>(noReason)).error.fields).toEqual({ reason: 'schrijf waarom je de ESF-gegevens verbetert' });
    const wrongCode = await correct(id, { education: 'phd', reason: 'x' });
    expect(wrongCode.status).toBe(400);
    expect((await json<ErrorBody>(wrongCode)).error.fields).toHaveProperty('education');
    const unchanged = await correct(id, { gender: 'female', reason: 'Nagekeken.' });
    expect(unchanged.status).toBe(409);
    expect((await json<ErrorBody>(unchanged)).error.message).toBe('Er verandert niets aan de ESF-gegevens: kies minstens één ander antwoord.');
    expect((await correct(id, { labourStatus: 'unemployed', reason: 'x' }, coach2)).status).toBe(403);
    expect((await correct(id, { labourStatus: 'unemployed', reason: 'x' }, staffElsewhere)).status).toBe(403);
    // Nothing of the refused ones stayed behind: no version, no reason.
    expect(await versionsOf(id)).toHaveLength(1);
    expect(await rows('select body from public.notes where participant_id = $1', [id])).toEqual([]);

    const res = await correct(id, { labourStatus: 'unemployed', education: 'isced_3_4', reason: 'Aangevuld in het eerste gesprek.' });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ version: 2, complete: true });
    const [, v2] = await versionsOf(id);
    expect(v2).toMatchObject({ labour_status: 'unemployed', education: 'isced_3_4', gender: 'female', disability: 'yes', minority: 'no', recorded_by: coach.id, complete: true });
    expect(await rows('select body from public.notes where id = $1', [v2!.reason_note_id])).toEqual([{ body: 'Aangevuld in het eerste gesprek.' }]);
    expect(await esfTasks(id)).toMatchObject([{ status: 'done', completed_by: coach.id }]);
  });

  it('staff see that the sensitive questions were answered, never the answers; the own coach sees them', async () => {
    const asStaff = await json<{ readsSpecial: boolean; current: { answers: Record<string, string>; answered: string[] } }>(await api(stack, `/api/participants/${id}/esf-entry`, { token: staff.token }));
    expect(asStaff.readsSpecial).toBe(false);
    expect(asStaff.current.answers).toEqual({ labourStatus: 'unemployed', education: 'isced_3_4', gender: 'female' });
    expect(asStaff.current.answered).toEqual(expect.arrayContaining(['disability', 'minority']));
    const asCoach = await json<{ readsSpecial: boolean; current: { answers: Record<string, string> } }>(await api(stack, `/api/participants/${id}/esf-entry`, { token: coach.token }));
    expect(asCoach.readsSpecial).toBe(true);
    expect(asCoach.current.answers).toMatchObject({ disability: 'yes', minority: 'no' });

    const staffPage = await (await page(stack, `/deelnemers/${id}`, staff.token)).text();
    expect(staffPage).toContain('<h2 id="esf-gegevens">ESF-gegevens</h2>');
    expect(staffPage).toContain('<dd id="esf-antwoord-disability">ingevuld</dd>');
    expect(staffPage).toContain('<dd id="esf-antwoord-minority">ingevuld</dd>');
    expect(staffPage).toContain('<dd id="esf-antwoord-labourStatus">Werkloos (korter dan 12 maanden)</dd>');
    // The values appear nowhere in the staff's page: not in the list, not in the form.
    expect(staffPage).not.toMatch(/Laten zoals het is \((Ja|Nee)\)/);
    expect(staffPage).toContain('Laten zoals het is (ingevuld)');
    const coachPage = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(coachPage).toContain('<dd id="esf-antwoord-disability">Ja</dd>');
    expect(coachPage).toContain('<dd id="esf-antwoord-minority">Nee</dd>');
  });

  it('the page\'s form: the reason missing comes back next to its field; a correction is a new version with who and why', async () => {
    const back = await submit(stack, `/deelnemers/${id}/esf-gegevens`, { homeless: 'no' }, { token: staff.token });
    expect(back.status).toBe(422);
    const body = await back.text();
    expect(body).toContain('<p class="field-error" id="esf-reason-error">schrijf waarom je de ESF-gegevens verbetert</p>');
    expect(body).toMatch(/<option value="no" selected="">Nee<\/option>|<option value="no" selected>Nee<\/option>/);
    const bad = await submit(stack, `/deelnemers/${id}/esf-gegevens`, { gender: 'x', reason: 'Typfout.' }, { token: staff.token });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('<p class="field-error" id="esf-gender-error">Kies een van de mogelijkheden.</p>');

    const saved = await submit(stack, `/deelnemers/${id}/esf-gegevens`, { homeless: 'no', reason: 'Heeft sinds kort een eigen studio.' }, { token: staff.token });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/deelnemers/${id}?esf-bewaard#esf-gegevens`);
    expect((await versionsOf(id)).map((v) => [v.version, v.homeless, v.recorded_by])).toEqual([
      [1, null, staff.id],
      [2, null, coach.id],
      [3, 'no', staff.id],
    ]);
    const after = await (await page(stack, `/deelnemers/${id}?esf-bewaard`, staff.token)).text();
    expect(after).toContain('De ESF-gegevens zijn bewaard.');
    expect(after).toContain('Reden: Heeft sinds kort een eigen studio.');
    expect(after).toContain('Reden: Aangevuld in het eerste gesprek.');
    expect(after).toContain('Volledig: telt mee in het ESF-rapport.');
  });
});

describe('re-entry and erasure', () => {
  const act = (participant: string, type: string, body: unknown) => api(stack, `/api/participants/${participant}/actions/${type}`, { token: staff.token, body });

  it('a re-entry intake keeps the first entry\'s record: no new version, whatever the desk answers this time', async () => {
    const who = person({ coachId: coach.id, labourStatus: 'unemployed', education: 'isced_0_2', gender: 'male', disability: 'no' });
    const { participantId: id } = await intake(who);
    expect((await act(id, 'outflow', { type: 'regular_job' })).status).toBe(200);
    const again = await intake({ ...who, labourStatus: 'employed', education: 'isced_5_8', disability: 'yes', reentryPhase: 'focus' });
    expect(again).toMatchObject({ participantId: id, reentered: true });
    expect((await versionsOf(id)).map((v) => [v.version, v.labour_status, v.education, v.disability])).toEqual([[1, 'unemployed', 'isced_0_2', 'no']]);
  });

  it('a re-entry of someone without any record (taken in before the questions existed) records version 1', async () => {
    const who = person({ coachId: coach.id });
    const { participantId: id } = await intake(who);
    expect((await act(id, 'outflow', { type: 'other' })).status).toBe(200);
    await stack.sql.query('delete from public.esf_entries where participant_id = $1', [id]);
    await intake({ ...who, labourStatus: 'inactive', education: 'isced_3_4', gender: 'female' });
    expect((await versionsOf(id)).map((v) => [v.version, v.labour_status, v.complete])).toEqual([[1, 'inactive', true]]);
  });

  it('erasure (forget) keeps the versions, codes only, and drops the reasons', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'female', disability: 'yes' }));
    expect((await correct(id, { labourStatus: 'inactive', education: 'isced_0_2', reason: 'Zei het in het tweede gesprek.' })).status).toBe(201);
    const forget = await act(id, 'forget', { confirm: true, reason: 'participant_request' });
    expect(forget.status).toBe(200);
    await until(async () => ((await rows('select 1 from public.participants where id = $1 and erased_at is not null', [id])).length ? true : undefined), 'the erasure');
    expect((await versionsOf(id)).map((v) => [v.version, v.labour_status, v.gender, v.disability, v.reason_note_id, v.complete])).toEqual([
      [1, null, 'female', 'yes', null, false],
      [2, 'inactive', 'female', 'yes', null, true],
    ]);
    expect(await rows('select 1 from public.notes where participant_id = $1', [id])).toEqual([]);
    // The record stays as it is: no correction after erasure.
    const after = await correct(id, { gender: 'male', reason: 'x' });
    expect(after.status).toBe(409);
    const pageHtml = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(pageHtml).toContain('Reden gewist');
  });
});
