import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentParticipantId } from '../api/path-service.js';
import { addDays, addMonths, formatLocalDate, localTimeToInstant, parseLocalDate, parseSpan, toLocalDate } from '../domain/calendar.js';
import { loadConfig } from '../infra/config.js';
import { ESF_ENTRY_ITEMS, ESF_LABELS, ageBandOn } from '../domain/esf.js';
import { pathWorkflowId } from '../domain/messages.js';
import { api, json, page, peopleAtTwoSites, submit, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The ESF+ entry snapshot through the API and the pages (README, "Entry snapshot"): the intake's
 * questions (a wrong code is a 400 naming the field, in Dutch), version 1 written once however the
 * intake is retried, the staff task while a core question is unanswered, completion and
 * correction (API and the participant page's form; concurrent ones; a failed one leaving nothing),
 * who sees the special answers (and that staff learn none through a refusal), re-entry keeping the
 * first entry's record (and saying so), and erasure keeping the rows without the reasons.
 */

let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;
let coach2: Person;
let staffElsewhere: Person;
let coordinator: Person;

beforeAll(async () => {
  // Not the default grace (2 weeks), so the task's due date shows the configuration is used.
  stack = await startTestStack({ ESF_ENTRY_GRACE: '10 days' });
  ({ siteId, staff, coach, coach2, coordinator, staffElsewhere } = await peopleAtTwoSites(stack));
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
  return json<{ participantId: string; created: boolean; reentered: boolean; esfRecorded: boolean }>(res);
}

/** The birth dates of who turns thirty on a day and of who turns thirty the day after (the month's end when that day has no match). */
function thirtyOn(day: string): [string, string] {
  const born = addMonths(parseLocalDate(day), -30 * 12);
  return [formatLocalDate(born), formatLocalDate(addDays(born, 1))];
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
    const [thirtyToday, thirtyTomorrow] = thirtyOn(today());
    // On 29 February too, when thirty years before has no 29 February.
    expect(thirtyOn('2028-02-29')).toEqual(['1998-02-28', '1998-03-01']);
    expect(thirtyOn('2028-02-29').map((born) => ageBandOn(born, '2028-02-29'))).toEqual(['age_30_54', 'age_18_29']);
    const answers = { labourStatus: 'long_term_unemployed', education: 'isced_0_2', gender: 'male', homeless: 'refused', disability: 'yes', minority: 'refused' };
    const a = await intake(person({ birthDate: thirtyToday, coachId: coach.id, ...answers }));
    const b = await intake(person({ birthDate: thirtyTomorrow, ...answers }));
    expect(a).toMatchObject({ created: true, esfRecorded: true });
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

  it('a refusal is an answer: every core question answered, one refused, gives no task (the record stays incomplete for the fund)', async () => {
    const { participantId } = await intake(person({ labourStatus: 'refused', education: 'isced_3_4', gender: 'female' }));
    expect((await versionsOf(participantId)).map((v) => [v.labour_status, v.complete])).toEqual([['refused', false]]);
    expect(await esfTasks(participantId)).toEqual([]);
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

describe('who learns what, and corrections that fail or cross', () => {
  const view = (participant: string, who: Person) => api(stack, `/api/participants/${participant}/esf-entry`, { token: who.token });

  it('GET esf-entry: staff of the site and the own coach; another coach, a coordinator, staff of another site are refused (403)', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'male' }));
    expect((await view(id, staff)).status).toBe(200);
    expect((await view(id, coach)).status).toBe(200);
    for (const [name, who] of [['another coach', coach2], ['a coordinator', coordinator], ['staff of another site', staffElsewhere]] as const) {
      expect((await view(id, who)).status, name).toBe(403);
    }
  });

  it('staff who send the stored special answer get a version (201), not the refusal that would confirm it; the own coach is refused (409)', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, labourStatus: 'employed', education: 'isced_3_4', gender: 'female', disability: 'yes' }));
    const asStaff = await correct(id, { disability: 'yes', reason: 'Nagekeken aan de balie.' }, staff);
    expect(asStaff.status).toBe(201);
    expect(await json(asStaff)).toMatchObject({ version: 2 });
    const asCoach = await correct(id, { disability: 'yes', reason: 'Nagekeken.' }, coach);
    expect(asCoach.status).toBe(409);
    expect((await versionsOf(id)).map((v) => [v.version, v.disability, v.recorded_by])).toEqual([
      [1, 'yes', staff.id],
      [2, 'yes', staff.id],
    ]);
    // The reason is a note by who corrected.
    expect(await rows('select author_id, body from public.notes where participant_id = $1', [id])).toEqual([{ author_id: staff.id, body: 'Nagekeken aan de balie.' }]);
  });

  it('the reason field tells that staff read it and that it names no sensitive answer', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'male' }));
    const html = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(html).toContain('Staff van je Stuyfplek lezen deze reden: noem er geen gevoelige antwoorden in.');
  });

  it('a correction that fails in the database leaves neither a reason nor a version (500, not half written)', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'male' }));
    await stack.sql.query(`create function public.test_fail_esf_special() returns trigger language plpgsql as $$
      begin if new.participant_id = '${id}' then raise exception 'injected failure'; end if; return new; end $$`);
    await stack.sql.query('create trigger test_fail_esf_special before insert on public.esf_entry_special for each row execute function public.test_fail_esf_special()');
    try {
      expect((await correct(id, { labourStatus: 'inactive', reason: 'Zei het in het tweede gesprek.' })).status).toBe(500);
    } finally {
      await stack.sql.query('drop trigger test_fail_esf_special on public.esf_entry_special');
      await stack.sql.query('drop function public.test_fail_esf_special()');
    }
    expect(await rows('select body from public.notes where participant_id = $1', [id])).toEqual([]);
    expect((await versionsOf(id)).map((v) => v.version)).toEqual([1]);
  });

  it('two corrections at once both become versions, 2 and 3, each with its own reason; the same one twice at once is one version and a clean refusal', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'male' }));
    const both = await Promise.all([
      correct(id, { labourStatus: 'inactive', reason: 'Van de coach.' }, coach),
      correct(id, { education: 'isced_0_2', reason: 'Van de balie.' }, staff),
    ]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    expect((await Promise.all(both.map((r) => json<{ version: number }>(r)))).map((r) => r.version).sort()).toEqual([2, 3]);
    const versions = await versionsOf(id);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    // The later one carried the earlier one forward.
    expect(versions.at(-1)).toMatchObject({ labour_status: 'inactive', education: 'isced_0_2', gender: 'male' });
    expect((await rows<{ body: string }>('select body from public.notes where participant_id = $1', [id])).map((n) => n.body).sort()).toEqual(['Van de balie.', 'Van de coach.']);

    const same = await Promise.all([0, 1].map(() => correct(id, { homeless: 'yes', reason: 'Dakloos sinds vorige week.' }, staff)));
    expect(same.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await versionsOf(id)).map((v) => v.version)).toEqual([1, 2, 3, 4]);
  });

  it('for staff, the API does not read the special answers at all: only which were answered', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'female', disability: 'no', minority: 'refused' }));
    // Were the API to read esf_entry_special for staff, it would fail now.
    await stack.sql.query('revoke select on public.esf_entry_special from service_role');
    try {
      const res = await view(id, staff);
      expect(res.status).toBe(200);
      const body = await json<{ current: { answers: Record<string, string>; answered: string[] } }>(res);
      expect(body.current.answers).toEqual({ gender: 'female' });
      expect(body.current.answered.sort()).toEqual(['disability', 'gender', 'minority']);
      // The own coach reads them, so for the coach it is read (and fails without the privilege).
      expect((await view(id, coach)).status).toBe(500);
    } finally {
      await stack.sql.query('grant select on public.esf_entry_special to service_role');
    }
    expect((await json<{ current: { answers: Record<string, string> } }>(await view(id, coach))).current.answers).toMatchObject({ disability: 'no', minority: 'refused' });
  });

  it('a task closed by hand is not opened again by a correction that still leaves a question unanswered', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'female' }));
    const [task] = await rows<{ id: string }>("select id from public.tasks where participant_id = $1 and kind = 'esf_entry_incomplete'", [id]);
    expect((await api(stack, `/api/tasks/${task!.id}/complete`, { token: staff.token, body: {} })).status).toBe(200);
    expect((await correct(id, { labourStatus: 'unemployed', reason: 'Aangevuld.' }, staff)).status).toBe(201);
    expect(await esfTasks(id)).toMatchObject([{ status: 'done', completed_by: staff.id }]);
  });
});

describe('re-entry and erasure', () => {
  const act = (participant: string, type: string, body: unknown) => api(stack, `/api/participants/${participant}/actions/${type}`, { token: staff.token, body });

  it('a re-entry intake keeps the first entry\'s record: no new version, whatever the desk answers this time', async () => {
    const who = person({ coachId: coach.id, labourStatus: 'unemployed', education: 'isced_0_2', gender: 'male', disability: 'no' });
    const { participantId: id } = await intake(who);
    expect((await act(id, 'outflow', { type: 'regular_job' })).status).toBe(200);
    const again = await intake({ ...who, labourStatus: 'employed', education: 'isced_5_8', disability: 'yes', reentryPhase: 'focus' });
    // The answers given now were not recorded, and the answer says so.
    expect(again).toMatchObject({ participantId: id, reentered: true, esfRecorded: false });
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

  it('at such a re-entry the task is due the grace after this intake (not the first one) and belongs to the new run', async () => {
    const who = person({ coachId: coach.id });
    const { participantId: id } = await intake(who);
    expect((await act(id, 'outflow', { type: 'other' })).status).toBe(200);
    await stack.sql.query('delete from public.esf_entries where participant_id = $1', [id]);
    await stack.sql.query('delete from public.tasks where participant_id = $1 and kind = $2', [id, 'esf_entry_incomplete']);
    // Taken in long ago.
    await stack.sql.query("update public.participants set created_at = now() - interval '40 days' where id = $1", [id]);
    const before = Date.now();
    const again = await intake({ ...who, gender: 'male', reentryPhase: 'focus' });
    expect(again).toMatchObject({ reentered: true, esfRecorded: true });
    const [task] = await rows<{ status: string; due_at: Date; path_run: number }>("select status, due_at, path_run from public.tasks where participant_id = $1 and kind = 'esf_entry_incomplete'", [id]);
    const dueFrom = (at: number) => localTimeToInstant(addDays(toLocalDate(at), 10), stack.config.LOCAL_HOUR);
    expect([dueFrom(before), dueFrom(Date.now())]).toContain(task!.due_at.getTime());
    expect(task).toMatchObject({ status: 'open', path_run: 2 });
  });

  it('the intake form of someone with a record already says the answers given were not recorded, only when answers were given', async () => {
    const values = { firstName: 'Bram', lastName: `Terug-${Date.now()}`, birthDate: '1982-03-03', referralSource: 'ocmw' };
    const first = await submit(stack, '/inschrijving', { ...values, gender: 'male' }, { token: staff.token });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).not.toContain('esf-behouden');
    const again = await submit(stack, '/inschrijving', { ...values, gender: 'refused', labourStatus: 'employed' }, { token: staff.token });
    expect(again.status).toBe(303);
    const location = again.headers.get('location')!;
    expect(location).toMatch(/\?bestond&esf-behouden$/);
    const shown = await (await page(stack, location, staff.token)).text();
    expect(shown).toContain('Deze persoon was al ingeschreven: dit is het bestaande groeipad. De ESF-gegevens van de eerste inschrijving blijven gelden; de antwoorden van deze inschrijving zijn niet bewaard.');
    const id = location.match(/[0-9a-f-]{36}/)![0];
    expect((await versionsOf(id)).map((v) => [v.version, v.gender, v.labour_status])).toEqual([[1, 'male', null]]);
    // No answers given: nothing to say about them.
    const plain = await submit(stack, '/inschrijving', values, { token: staff.token });
    expect(plain.headers.get('location')).toMatch(/\?bestond$/);
  });

  it('erasure (forget) cancels the open ESF+ task', async () => {
    const { participantId: id } = await intake(person({ coachId: coach.id, gender: 'female' }));
    expect((await esfTasks(id)).map((t) => t.status)).toEqual(['open']);
    expect((await act(id, 'forget', { confirm: true, reason: 'participant_request' })).status).toBe(200);
    await until(async () => ((await rows('select 1 from public.participants where id = $1 and erased_at is not null', [id])).length ? true : undefined), 'the erasure');
    expect((await esfTasks(id)).map((t) => t.status)).toEqual(['cancelled']);
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
