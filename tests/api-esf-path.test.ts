import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, formatLocalDate, parseLocalDate, toLocalDate } from '../domain/calendar.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import type { EsfReport } from '../api/report.js';
import { api, json, ORIGIN, page, submit, takeIn, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { issueLink } from '../activities/access-links.js';
import { dutchDate } from '../activities/emails/templates.js';
import { parseSpan } from '../domain/calendar.js';
import { formatDate } from '../api/web/labels.js';

/**
 * ESF+ after a leaving through the API, the forms, the database and the participant's own page,
 * on the real stack with the time-skipping server (months pass in seconds): the coach records the
 * situation after leaving through the form on the participant page (an exclusive pair comes back
 * with the Dutch reason next to the field; the API answers 400 on the field), the result task
 * comes while it is missing and is settled by the result; six months later the participant gets
 * the question by email and answers it on their own page through the link in it, once. First, one
 * participant the whole way: an incomplete entry record completed by staff, the exit, the result
 * at 28 days and the question at six months, each snapshot and task exactly once.
 */

const DAY = 86_400_000;
let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;
let coordinator: Person;

beforeAll(async () => {
  stack = await startTestStack({}, { timeSkipping: inject('temporalTestServer') });
  siteId = await stack.site('Stuyfplek Leuven');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  coordinator = await stack.person('coordinator', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };
const act = (participantId: string, type: string, body: unknown) => api(stack, `/api/participants/${participantId}/actions/${type}`, { token: coach.token, body });
async function acted(participantId: string, type: string, body: unknown): Promise<void> {
  const res = await act(participantId, type, body);
  if (res.status !== 200) throw new Error(`${type}: ${res.status} ${await res.text()}`);
}
const rows = async <T>(sql: string, params: unknown[]) => (await stack.sql.query<T & Record<string, unknown>>(sql, params)).rows;
/** Waits until the worker wrote what the query selects. */
const written = <T>(sql: string, params: unknown[], what: string) =>
  until(async () => {
    const found = await rows<T>(sql, params);
    return found.length ? found : undefined;
  }, what);
const view = (participantId: string) => stack.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery);
const form = (participantId: string, type: string, values: Record<string, string | string[]>) => submit(stack, `/deelnemers/${participantId}/acties/${type}`, values, { token: coach.token });
const shift = (date: string, days: number) => formatLocalDate(addDays(parseLocalDate(date), days));
/** The text of the element with this id (the first level of it), for errors shown next to a field. */
const textOf = (html: string, id: string) =>
  new RegExp(`id="${id}"[^>]*>([^<]*)<`)
    .exec(html)?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('ESF+ from intake to six months after leaving', () => {
  it('every snapshot and every task exactly once: an incomplete entry completed by staff, the exit, the result at 28 days, the question at six months', async () => {
    const email = `noor.${Date.now()}@example.be`;
    // At the intake desk: labour status and gender answered, education not asked yet, a sensitive
    // item refused; the age band comes from the birth date. Incomplete for the fund: staff get a task.
    const intake = await api(stack, '/api/intakes', {
      token: staff.token,
      body: {
        siteId,
        firstName: 'Noor',
        lastName: `Van Acker-${Date.now()}`,
        birthDate: '1990-05-17',
        referralSource: 'ocmw',
        coachId: coach.id,
        email,
        consentEmail: true,
        labourStatus: 'long_term_unemployed',
        gender: 'female',
        disability: 'refused',
        homeless: 'no',
      },
    });
    expect(intake.status).toBe(201);
    const id = (await json<{ participantId: string }>(intake)).participantId;
    const [entryTask] = await written<{ id: string; status: string; assignee_id: string | null }>(
      "select id, status, assignee_id from public.tasks where participant_id = $1 and kind = 'esf_entry_incomplete'",
      [id],
      'the task to complete the entry record',
    );
    expect(entryTask).toMatchObject({ status: 'open', assignee_id: null });
    // The path carries ids and codes only: no ESF+ answer is in its history.
    const history = JSON.stringify(await stack.client.workflow.getHandle(pathWorkflowId(id)).fetchHistory());
    for (const answer of ['long_term_unemployed', 'disability']) expect(history).not.toContain(answer);

    // A week later staff complete it: education, with the reason; the task is done, once.
    await stack.temporal.sleep(7 * DAY);
    const completed = await api(stack, `/api/participants/${id}/esf-entry`, { token: staff.token, body: { education: 'isced_0_2', reason: 'Diploma nagevraagd bij het tweede gesprek.' } });
    expect(completed.status).toBe(201);
    const completedAt = new Date(await stack.temporal.currentTimeMs()).toISOString();
    expect(await rows("select status, completed_by from public.tasks where id = $1", [entryTask!.id])).toEqual([{ status: 'done', completed_by: staff.id }]);

    // Coaching, then the outflow (situation not known yet): the exit snapshot.
    await acted(id, 'changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await stack.temporal.sleep(60 * DAY);
    await acted(id, 'outflow', { type: 'social_economy_job' });
    const leaving = (await view(id)).leavings![0]!;
    await written("select 1 from public.outflows where participant_id = $1", [id], 'the exit');

    // No result in 28 days: the task; the coach records the situation of day 10; the task is done.
    await stack.temporal.sleep(29 * DAY);
    const [resultTask] = await written<{ id: string }>("select id from public.tasks where participant_id = $1 and kind = 'esf_leaving_result'", [id], 'the result task');
    await acted(id, 'recordLeavingResult', { situations: ['in_employment'], observedOn: shift(leaving.leftOn, 10) });
    await written("select 1 from public.tasks where id = $1 and status = 'done'", [resultTask!.id], 'the settled result task');

    // Six months after leaving: the coach's task and the question by email; the coach records the answer.
    await stack.temporal.sleep(160 * DAY);
    const [followUpTask] = await written<{ id: string; due_at: Date }>("select id, due_at from public.tasks where participant_id = $1 and kind = 'esf_follow_up'", [id], 'the follow-up task');
    expect(formatLocalDate(toLocalDate(followUpTask!.due_at.getTime()))).toBe(leaving.followUpOn);
    await until(async () => stack.outbox.emails().find((e) => e.to.includes(email) && e.subject === 'Een korte vraag: werk je op dit moment?'), 'the question by email', 30_000);
    await acted(id, 'recordFollowUp', { answer: 'working' });
    await written("select 1 from public.tasks where id = $1 and status = 'done'", [followUpTask!.id], 'the settled follow-up task');

    // A year on, nothing more comes: every snapshot and every task exactly once.
    await stack.temporal.sleep(365 * DAY);
    await written("select 1 from public.aftercare where participant_id = $1 and outcome is not null", [id], 'aftercare closed');
    expect(await rows('select version, age_band::text, labour_status::text, education::text, gender::text, homeless::text, complete from public.esf_entries where participant_id = $1 order by version', [id])).toEqual([
      { version: 1, age_band: 'age_30_54', labour_status: 'long_term_unemployed', education: null, gender: 'female', homeless: 'no', complete: false },
      { version: 2, age_band: 'age_30_54', labour_status: 'long_term_unemployed', education: 'isced_0_2', gender: 'female', homeless: 'no', complete: true },
    ]);
    // The special part travels with each version (read here as the service role; the coach alone reads it through the API).
    expect(await rows('select disability::text from public.esf_entry_special s join public.esf_entries e on e.id = s.entry_id where e.participant_id = $1 order by e.version', [id])).toEqual([
      { disability: 'refused' },
      { disability: 'refused' },
    ]);
    // The exit, with the leaving's window end and follow-up day exactly as the path computed them (leavingDates).
    expect(await rows('select result_window_ends::text, follow_up_on::text from public.outflows where participant_id = $1', [id])).toEqual([
      { result_window_ends: leaving.windowEnds, follow_up_on: leaving.followUpOn },
    ]);
    expect(await rows('select kind::text, observed_on::text, situations::text, follow_up::text, source from public.esf_results where participant_id = $1 order by kind', [id])).toEqual([
      { kind: 'leaving', observed_on: shift(leaving.leftOn, 10), situations: '{in_employment}', follow_up: null, source: 'coach' },
      { kind: 'six_months', observed_on: expect.any(String), situations: null, follow_up: 'working', source: 'coach' },
    ]);
    const esfTasks = await rows<{ kind: string; status: string }>("select kind::text, status from public.tasks where participant_id = $1 and kind::text like 'esf_%' order by public.tasks.kind", [id]);
    expect(esfTasks).toEqual([
      { kind: 'esf_entry_incomplete', status: 'done' },
      { kind: 'esf_leaving_result', status: 'done' },
      { kind: 'esf_follow_up', status: 'done' },
    ]);
    expect(await rows("select count(*)::int as n from public.email_log where participant_id = $1 and template = 'esf_follow_up_question'", [id])).toEqual([{ n: 1 }]);
    expect(stack.outbox.emails().filter((e) => e.to.includes(email) && e.subject === 'Een korte vraag: werk je op dit moment?')).toHaveLength(1);

    // What the path and the intake wrote is what the coordinator's report counts (she is the
    // site's only participant so far): one complete entry, one leaver in employment, working at six months.
    const from = formatLocalDate(toLocalDate(Date.parse(completedAt)));
    const to = formatLocalDate(toLocalDate(await stack.temporal.currentTimeMs()));
    const res = await api(stack, `/api/reports/esf?from=${shift(from, -30)}&to=${to}`, { token: coordinator.token });
    expect(res.status).toBe(200);
    const { esf } = await json<{ esf: EsfReport }>(res);
    expect(esf.entries).toMatchObject({ participants: 1, complete: 1, incomplete: 0 });
    expect(esf.entries.labour_status).toMatchObject({ long_term_unemployed: 1 });
    expect(esf.entries.education).toMatchObject({ isced_0_2: 1 });
    expect(esf.entries.age_band).toMatchObject({ age_30_54: 1 });
    expect(esf.entries.special).toMatchObject({ disclosed: false, items: null });
    expect(esf.leavers).toMatchObject({ participants: 1, complete: 1, outflow_type: { social_economy_job: 1 }, result_28_days: { in_employment: 1, job_searching: 0 } });
    expect(esf.six_months).toMatchObject({ participants: 1, complete: 1, follow_up: { working: 1, not_working: 0 } });
  });
});

describe('ESF+ after leaving, through the API and the pages', () => {
  it('the coach records the situation after leaving through the form; an exclusive pair comes back with the Dutch reason; the task comes while it is missing', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Sara', coachId: coach.id });
    // The outflow form without a situation: not known yet.
    expect((await form(id, 'outflow', { type: 'regular_job', note: 'Vaste job als magazijnier.' })).status).toBe(303);
    const leaving = (await view(id)).leavings![0]!;
    expect(leaving.result).toBeUndefined();
    let html = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(html).toContain('ESF: uitstroom en resultaten');
    expect(html).toContain(`Nog niet genoteerd; telt tot`);

    // The API: 400 with the field and the reason, nothing recorded.
    const pair = await act(id, 'recordLeavingResult', { situations: ['job_searching', 'in_employment'] });
    expect(pair.status).toBe(400);
    expect((await json<ErrorBody>(pair)).error.fields).toEqual({ situations: '"Werkzoekend" en "Aan het werk (ook als zelfstandige)" sluiten elkaar uit; kies er één' });
    const outflowPair = await act(id, 'outflow', { type: 'education', situations: ['in_education', 'gained_qualification'] });
    expect(outflowPair.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(outflowPair)).error.fields ?? {})).toEqual(['situations']);

    // The form: the same reason next to the checkboxes, what was ticked kept.
    const back = await form(id, 'recordLeavingResult', { situations: ['job_searching', 'in_employment'] });
    expect(back.status).toBe(422);
    html = await back.text();
    expect(textOf(html, 'actie-recordLeavingResult-situations-error')).toBe('"Werkzoekend" en "Aan het werk (ook als zelfstandige)" sluiten elkaar uit; kies er één');
    expect(html).toMatch(/name="situations" value="job_searching" checked/);
    // Nothing ticked is no answer; "none of these" is one, but not with a situation.
    expect(textOf(await (await form(id, 'recordLeavingResult', {})).text(), 'actie-recordLeavingResult-situations-error')).toBe('Vink aan wat de deelnemer nu doet, of "Geen van deze".');
    expect(textOf(await (await form(id, 'recordLeavingResult', { situations: ['none', 'in_employment'] })).text(), 'actie-recordLeavingResult-situations-error')).toBe(
      '"Geen van deze" gaat niet samen met een andere situatie.',
    );
    expect(await rows('select 1 from public.esf_results where participant_id = $1', [id])).toEqual([]);

    // Nothing recorded in 28 days: the task, once.
    await stack.temporal.sleep(29 * DAY);
    const [task] = await written<{ id: string; status: string; path_run: number; cause: string }>(
      "select id, status, path_run, cause from public.tasks where participant_id = $1 and kind = 'esf_leaving_result'",
      [id],
      'the result task',
    );
    expect(task).toMatchObject({ status: 'open', path_run: 1, cause: 'esf_leaving/1' });

    // A date outside the window is refused (409, the form says why); then the situation as it was on day 20.
    const late = await form(id, 'recordLeavingResult', { situations: ['in_employment'], observedOn: shift(leaving.leftOn, 29) });
    expect(late.status).toBe(409);
    expect(await late.text()).toContain('Het resultaat na uitstroom telt tot');
    const done = await form(id, 'recordLeavingResult', { situations: ['in_employment', 'in_education'], observedOn: shift(leaving.leftOn, 20) });
    expect(done.status).toBe(303);
    const [result] = await written<Record<string, unknown>>(
      "select path_run, kind::text, observed_on::text, situations::text, follow_up, source, recorded_by from public.esf_results where participant_id = $1",
      [id],
      'the leaving result',
    );
    expect(result).toEqual({
      path_run: 1,
      kind: 'leaving',
      observed_on: shift(leaving.leftOn, 20),
      situations: '{in_employment,in_education}',
      follow_up: null,
      source: 'coach',
      recorded_by: coach.id,
    });
    await written("select 1 from public.tasks where id = $1 and status = 'done'", [task!.id], 'the settled task');
    expect(await rows("select 1 from public.tasks where participant_id = $1 and kind = 'esf_leaving_result'", [id])).toHaveLength(1);
    html = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(html).toContain('Aan het werk (ook als zelfstandige), Volgt onderwijs of een opleiding (op');
  });

  it('left again inside the first window: the form asks which leaving, and a result for the first settles its task', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Wout', coachId: coach.id });
    expect((await form(id, 'outflow', { type: 'stopped' })).status).toBe(303);
    await stack.temporal.sleep(3 * DAY);
    await acted(id, 'reenter', { phase: 'focus' });
    await stack.temporal.sleep(3 * DAY);
    expect((await form(id, 'outflow', { type: 'regular_job' })).status).toBe(303);
    const [first, second] = (await view(id)).leavings!;
    await stack.temporal.sleep(29 * DAY);
    const tasks = await until(async () => {
      const found = await rows<{ id: string; path_run: number }>("select id, path_run from public.tasks where participant_id = $1 and kind = 'esf_leaving_result' order by path_run", [id]);
      return found.length === 2 ? found : undefined;
    }, 'both result tasks');

    // Two leavings without a result: the coach picks one (the last preselected).
    const html = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(html).toContain('Over welke uitstroom?');
    expect(html).toMatch(/name="pathRun" value="1"(?! checked)/);
    expect(html).toMatch(/name="pathRun" value="2" checked/);
    // A leaving that does not exist: refused with the reason on the form, nothing recorded.
    const wrong = await form(id, 'recordLeavingResult', { pathRun: '3', situations: ['in_employment'] });
    expect(wrong.status).toBe(409);
    expect(await wrong.text()).toContain('Er is geen uitstroom van groeipad 3 om een resultaat voor te noteren.');
    // The first leaving's situation, on a day of its own window; its task is done, the second's stays open.
    expect((await form(id, 'recordLeavingResult', { pathRun: '1', situations: ['job_searching'], observedOn: shift(first!.leftOn, 1) })).status).toBe(303);
    await written("select 1 from public.tasks where id = $1 and status = 'done'", [tasks[0]!.id], "the first leaving's settled task");
    expect(await rows('select status from public.tasks where id = $1', [tasks[1]!.id])).toEqual([{ status: 'open' }]);
    expect(await rows("select path_run, observed_on::text from public.esf_results where participant_id = $1", [id])).toEqual([{ path_run: 1, observed_on: shift(first!.leftOn, 1) }]);
    // The API takes the same field; a run that is no whole number is a 400 on the field.
    const bad = await act(id, 'recordLeavingResult', { situations: [], pathRun: 0 });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(bad)).error.fields ?? {})).toEqual(['pathRun']);
    await acted(id, 'recordLeavingResult', { situations: ['in_employment'], observedOn: second!.leftOn, pathRun: 2 });
    await written("select 1 from public.tasks where id = $1 and status = 'done'", [tasks[1]!.id], "the second leaving's settled task");
  });

  it('six months later the participant gets the question by email and answers it on their own page through its link, once; the task is settled', async () => {
    const email = `amina.${Date.now()}@example.be`;
    const id = await takeIn(stack, staff, siteId, { firstName: 'Amina', coachId: coach.id, email });
    // The situation at leaving, ticked on the outflow form: a result observed that day, no task.
    expect((await form(id, 'outflow', { type: 'education', situations: ['in_education'] })).status).toBe(303);
    const out = await view(id);
    const leftOn = out.leavings![0]!.leftOn;
    const [atLeaving] = await written<Record<string, unknown>>(
      "select observed_on::text, situations::text, source from public.esf_results where participant_id = $1 and kind = 'leaving'",
      [id],
      'the result at leaving',
    );
    expect(atLeaving).toEqual({ observed_on: leftOn, situations: '{in_education}', source: 'coach' });
    // Before six months the coach cannot record the answer, and the participant's page asks nothing.
    const early = await act(id, 'recordFollowUp', { answer: 'working' });
    expect(early.status).toBe(409);
    expect((await json<ErrorBody>(early)).error.message).toMatch(/^Het antwoord op de opvolgvraag na de uitstroom van .+ kan pas genoteerd worden vanaf /);
    // Her own page before the question: an answer posted anyway comes back with a notice (there is no form to show an error next to).
    const before = `/mijn-pad/${(await issueLink(stack.db, stack.config.LINK_SECRET, { participantId: id, siteId, purpose: 'participant_page', validity: parseSpan('400 days') })).token}`;
    for (const values of [{}, { answer: 'working' }] as Array<Record<string, string>>) {
      const posted = await submit(stack, `${before}/werk`, values);
      expect(posted.status).toBe(303);
      expect(posted.headers.get('location')).toBe(`${before}?gedaan=werk-geen-vraag`);
    }
    expect(await (await stack.app.request(`${ORIGIN}${before}?gedaan=werk-geen-vraag`)).text()).toContain('Er staat nu geen vraag voor je open.');

    // Beside her, someone who left the same day with an address but without consent to email.
    const quiet = `jonas.${Date.now()}@example.be`;
    const intake = await api(stack, '/api/intakes', {
      token: staff.token,
      body: { siteId, firstName: 'Jonas', lastName: `Stil-${Date.now()}`, birthDate: '1985-07-01', referralSource: 'vdab', coachId: coach.id, email: quiet, consentEmail: false },
    });
    expect(intake.status).toBe(201);
    const jonas = (await json<{ participantId: string }>(intake)).participantId;
    // "Geen van deze" on the outflow form: a result with no situation (not "not known yet").
    expect((await form(jonas, 'outflow', { type: 'regular_job', situations: ['none'] })).status).toBe(303);
    const [noneOfThese] = await written<{ situations: string }>("select situations::text from public.esf_results where participant_id = $1", [jonas], "Jonas's result at leaving");
    expect(noneOfThese).toEqual({ situations: '{}' });

    await stack.temporal.sleep(190 * DAY);
    const [task] = await written<{ id: string; due_at: Date }>("select id, due_at from public.tasks where participant_id = $1 and kind = 'esf_follow_up' and status = 'open'", [id], 'the follow-up task');
    expect(formatLocalDate(toLocalDate(task!.due_at.getTime()))).toBe(out.leavings![0]!.followUpOn);
    expect(await rows("select 1 from public.tasks where participant_id = $1 and kind = 'esf_leaving_result'", [id])).toEqual([]);
    const question = await until(async () => stack.outbox.emails().find((e) => e.to.includes(email) && e.subject === 'Een korte vraag: werk je op dit moment?'), 'the question by email', 30_000);
    expect(question.text).toContain('werk je op dit moment');
    // The day of leaving, not a fixed span (the wait is configurable); answering is choosing and sending.
    expect(question.text).toContain(`Sinds je vertrek bij de Stuyfplek op ${dutchDate(leftOn)}`);
    expect(question.text).toContain('kies je antwoord en verstuur het');
    const link = /Bekijk je groeipad: (\S+)/.exec(question.text ?? '')?.[1];
    expect(link).toBeDefined();
    const own = new URL(link!).pathname;

    let html = await (await stack.app.request(`${ORIGIN}${own}`)).text();
    expect(html).toContain('Werk je op dit moment?');
    expect(html).toContain(`Sinds je vertrek bij de Stuyfplek op ${formatDate(leftOn)}`);
    expect(html).not.toContain('half jaar');
    for (const answer of ['Ja, ik werk (ook als zelfstandige)', 'Nee, nu niet', 'Zeg ik liever niet']) expect(html).toContain(answer);
    // No answer chosen: the page again, with the error next to the question.
    const none = await submit(stack, `${own}/werk`, {});
    expect(none.status).toBe(422);
    expect(textOf(await none.text(), 'werk-answer-error')).toBe('Kies een van de antwoorden.');
    const answered = await submit(stack, `${own}/werk`, { answer: 'working' });
    expect(answered.status).toBe(303);
    expect(answered.headers.get('location')).toBe(`${own}?gedaan=werk-bedankt`);
    html = await (await stack.app.request(`${ORIGIN}${own}?gedaan=werk-bedankt`)).text();
    expect(html).toContain('Bedankt voor je antwoord!');
    expect(html).not.toContain('Antwoord versturen');
    const again = await submit(stack, `${own}/werk`, { answer: 'not_working' });
    expect(again.headers.get('location')).toBe(`${own}?gedaan=werk-al-beantwoord`);
    // Answered already and posted without an answer: the notice, not a form that is no longer there.
    const empty = await submit(stack, `${own}/werk`, {});
    expect(empty.status).toBe(303);
    expect(empty.headers.get('location')).toBe(`${own}?gedaan=werk-al-beantwoord`);

    const [answer] = await written<Record<string, unknown>>(
      "select path_run, observed_on::text, situations, follow_up::text, source, recorded_by from public.esf_results where participant_id = $1 and kind = 'six_months'",
      [id],
      'the answer',
    );
    expect(answer).toMatchObject({ path_run: 1, situations: null, follow_up: 'working', source: 'participant', recorded_by: null });
    await written("select 1 from public.tasks where id = $1 and status = 'done'", [task!.id], 'the settled follow-up task');
    expect(await rows("select 1 from public.esf_results where participant_id = $1 and kind = 'six_months'", [id])).toHaveLength(1);
    expect(await rows("select 1 from public.access_link_views where participant_id = $1 and action = 'follow_up_answered'", [id])).toHaveLength(1);
    expect(await rows("select 1 from public.email_log where participant_id = $1 and template = 'esf_follow_up_question'", [id])).toHaveLength(1);
    expect(await (await page(stack, `/deelnemers/${id}`, coach.token)).text()).toContain('Werkt (ook als zelfstandige) — antwoord van de deelnemer op de eigen pagina');

    // Consent as for every email: Jonas's coach has the task, Jonas gets no email.
    await written("select 1 from public.tasks where participant_id = $1 and kind = 'esf_follow_up' and status = 'open'", [jonas], "Jonas's follow-up task");
    const [skipped] = await written<{ status: string; reason: string }>(
      "select status, reason from public.email_log where participant_id = $1 and template = 'esf_follow_up_question' and status <> 'queued' and status <> 'sending'",
      [jonas],
      "Jonas's question, decided",
    );
    expect(skipped).toEqual({ status: 'skipped', reason: 'no_consent' });
    expect(stack.outbox.emails().filter((e) => e.to.includes(quiet))).toEqual([]);
  });
});
