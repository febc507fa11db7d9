import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import type { PathView } from '../domain/path-state.js';
import { api, json, page, submit, takeIn, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The complete path through the API, the forms and the database, on the real stack with the
 * time-skipping server (months pass in seconds): steps validated from orientation on, a crisis
 * confirmed later, a move back to orientation with the configured default for the agreement,
 * a goal required, aftercare closed by the reconnect task, and a re-entry from the intake desk.
 * The funder report counts what happened.
 */

const DAY = 86_400_000;
let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;
let coordinator: Person;

beforeAll(async () => {
  stack = await startTestStack({}, { timeSkipping: inject('temporalTestServer') });
  siteId = await stack.site('Stuyfplek Gent');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  coordinator = await stack.person('coordinator', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };
const act = (participantId: string, type: string, body: unknown) => api(stack, `/api/participants/${participantId}/actions/${type}`, { token: coach.token, body });
async function acted(participantId: string, type: string, body: unknown): Promise<PathView> {
  const res = await act(participantId, type, body);
  if (res.status !== 200) throw new Error(`${type}: ${res.status} ${await res.text()}`);
  return (await json<{ path: PathView }>(res)).path;
}
const rows = async <T>(sql: string, params: unknown[]) => (await stack.sql.query<T & Record<string, unknown>>(sql, params)).rows;
/** Waits until the worker wrote what the query selects (it writes just after the workflow decided). */
const written = <T>(sql: string, params: unknown[], what: string) =>
  until(async () => {
    const found = await rows<T>(sql, params);
    return found.length ? found : undefined;
  }, what);

async function report(): Promise<Record<string, unknown>> {
  const today = toLocalDate(await stack.temporal.currentTimeMs());
  const from = formatLocalDate({ ...today, year: today.year - 2 });
  const to = formatLocalDate({ ...today, year: today.year + 2 });
  const res = await api(stack, `/api/reports/funder?from=${from}&to=${to}`, { token: coordinator.token });
  if (res.status !== 200) throw new Error(`report: ${res.status} ${await res.text()}`);
  return (await json<{ report: Record<string, unknown> }>(res)).report;
}

describe('the complete path through the API', () => {
  it('a goal is required: 400 with the field, in Dutch; nothing is signed', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Ine', coachId: coach.id });
    await acted(id, 'changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    const res = await act(id, 'signAgreement', { commitments: ['open_house'] });
    expect(res.status).toBe(400);
    expect((await json<ErrorBody>(res)).error.fields).toEqual({ note: 'schrijf het groeidoel op, in de woorden van de deelnemer' });
    const blank = await submit(stack, `/deelnemers/${id}/acties/signAgreement`, { note: '   ', commitments: 'open_house' }, { token: coach.token });
    expect(blank.status).toBe(422);
    expect(await blank.text()).toContain('schrijf het groeidoel op');
    expect((await stack.client.workflow.getHandle(pathWorkflowId(id)).query(pathQuery)).agreement).toBeNull();
  });

  it('steps set in orientation are validated with their evidence and shown on the page', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Ward', coachId: coach.id });
    const step = (await acted(id, 'registerStep', { status: 'needed', note: 'Zelf de bus nemen naar de Stuyfplek' })).steps[0]!;
    const missing = await act(id, 'validateStep', { stepId: step.id });
    expect(missing.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(missing)).error.fields ?? {})).toEqual(['evidence']);
    const done = await submit(stack, `/deelnemers/${id}/acties/validateStep`, { stepId: step.id, evidence: 'observed', note: 'Kwam drie weken op rij alleen.' }, { token: coach.token });
    expect(done.status).toBe(303);
    const [row] = await written<{ status: string; evidence: string; validated_by: string; agreement_id: string | null }>(
      'select status, evidence, validated_by, agreement_id from public.steps where id = $1 and validated_at is not null',
      [step.id],
      'the validated step',
    );
    expect(row).toEqual({ status: 'done', evidence: 'observed', validated_by: coach.id, agreement_id: null });
    const html = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(html).toContain('Zelf de bus nemen naar de Stuyfplek');
    expect(html).toMatch(/Gevalideerd op [^<]+ — de coach zag het gebeuren/);
    const again = await act(id, 'validateStep', { stepId: step.id, evidence: 'work' });
    expect(again.status).toBe(409);
    expect((await json<ErrorBody>(again)).error.message).toBe('Deze stap is al gevalideerd.');
  });

  it('a crisis confirmed later: the crisis counts as moved, the timeline says when, the report counts it', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Nora', coachId: coach.id });
    await acted(id, 'signalCrisis', { kind: 'focus_crisis', move: false, note: 'Wat wil ik nu echt?' });
    await stack.temporal.sleep(3 * DAY);
    await acted(id, 'changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    const [crisis] = await written<{ moved: boolean }>('select moved from public.crises where participant_id = $1 and confirmed_at is not null', [id], 'the confirmed crisis');
    expect(crisis).toEqual({ moved: true });
    expect(await rows('select 1 from public.phase_changes where participant_id = $1 and crisis_signalled_at is not null', [id])).toHaveLength(1);
    const html = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(html).not.toContain('voorgesteld, nog niet gemaakt');
    expect(html).toMatch(/Overstap naar focus gemaakt op/);
    const crises = (await report()).crises as Record<string, { moved_later: number }>;
    expect(crises.focus_crisis!.moved_later).toBeGreaterThanOrEqual(1);
  });

  it('back to orientation during an agreement: the configured default (pause) without a choice; resumed later with the end moved', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Jef', coachId: coach.id });
    await acted(id, 'changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    const signed = await acted(id, 'signAgreement', { commitments: ['stuyflab'], note: 'Een eigen fietsherstelplaats.' });
    const form = await (await page(stack, `/deelnemers/${id}`, coach.token)).text();
    expect(form).toContain('Niets gekozen: de groeiovereenkomst pauzeert');
    const back = await acted(id, 'changePhase', { to: 'orientation', reason: 'step_back' });
    expect(back.agreement?.pausedAt).toBeDefined();
    expect(stack.config.AGREEMENT_ON_MOVE_BACK).toBe('pause');
    await written('select 1 from public.agreements where id = $1 and paused_at is not null', [signed.agreement!.id], 'the paused agreement');
    expect(await rows("select agreement_choice from public.phase_changes where participant_id = $1 and to_phase = 'orientation' and from_phase = 'focus'", [id])).toEqual([
      { agreement_choice: 'pause' },
    ]);
    await stack.temporal.sleep(31 * DAY);
    const resumed = await acted(id, 'resumeAgreement', {});
    expect(resumed.agreement!.endDate > signed.agreement!.endDate).toBe(true);
    await written('select 1 from public.agreements where id = $1 and paused_at is null and end_date = $2', [signed.agreement!.id, resumed.agreement!.endDate], 'the resumed agreement');
    expect(((await report()).moves_back_with_agreement as Record<string, number>).pause).toBeGreaterThanOrEqual(1);
  });

  it('aftercare: the reconnect task done is the reconnect conversation; the path closes as "reached", once', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Lien', coachId: coach.id });
    await acted(id, 'outflow', { type: 'regular_job' });
    await stack.temporal.sleep(95 * DAY);
    const [task] = await written<{ id: string; status: string }>("select id, status from public.tasks where participant_id = $1 and kind = 'aftercare_reconnect'", [id], 'the reconnect task');
    expect(task!.status).toBe('open');
    const handle = stack.client.workflow.getHandle(pathWorkflowId(id));
    expect((await handle.query(pathQuery)).status).toBe('aftercare');
    expect((await submit(stack, `/taken/${task!.id}/afgewerkt`, { terug: `/deelnemers/${id}` }, { token: coach.token })).status).toBe(303);
    // Pressed again (a second tab): refused, and nothing happens twice.
    expect((await submit(stack, `/taken/${task!.id}/afgewerkt`, { terug: `/deelnemers/${id}` }, { token: coach.token })).status).toBe(409);
    expect((await handle.query(pathQuery)).aftercare?.outcome).toBe('reached');
    const [aftercare] = await written<{ outcome: string }>('select outcome from public.aftercare where participant_id = $1 and outcome is not null', [id], 'the closed aftercare');
    expect(aftercare).toEqual({ outcome: 'reached' });
    expect(await rows("select status from public.paths where participant_id = $1", [id])).toEqual([{ status: 'closed' }]);
    expect(await rows("select status from public.tasks where participant_id = $1 and kind = 'aftercare_reconnect'", [id])).toEqual([{ status: 'done' }]);
    // Past the grace period nothing more happens: one closing.
    await stack.temporal.sleep(40 * DAY);
    expect(await rows("select 1 from public.path_events where participant_id = $1 and type = 'aftercare_closed'", [id])).toHaveLength(1);
    expect(((await report()).aftercare as Record<string, number>).reached).toBeGreaterThanOrEqual(1);
  });

  it('re-entry from the intake desk: the same person after outflow comes back in the phase staff chose, counted as an intake', async () => {
    const person = { firstName: 'Mo', lastName: `Terug-${Date.now()}`, birthDate: '1988-02-03' };
    const first = await api(stack, '/api/intakes', { token: staff.token, body: { siteId, ...person, referralSource: 'ocmw', coachId: coach.id } });
    expect(first.status).toBe(201);
    const { participantId: id } = await json<{ participantId: string }>(first);
    const step = (await acted(id, 'registerStep', { status: 'done', note: 'Een cv gemaakt' })).steps[0]!;
    await acted(id, 'validateStep', { stepId: step.id, evidence: 'work' });
    // A repeated intake while the path runs finds it again, without a re-entry.
    const repeated = await api(stack, '/api/intakes', { token: staff.token, body: { siteId, ...person, referralSource: 'ocmw' } });
    expect(await json(repeated)).toMatchObject({ participantId: id, created: false, reentered: false });
    await acted(id, 'outflow', { type: 'education' });

    const back = await submit(stack, '/inschrijving', { ...person, referralSource: 'vdab', reentryPhase: 'focus' }, { token: staff.token });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/deelnemers/${id}?opnieuw`);
    const view = await stack.client.workflow.getHandle(pathWorkflowId(id)).query(pathQuery);
    expect(view).toMatchObject({ pathRun: 2, phase: 'focus', status: 'active', referralSource: 'vdab', earlierPaths: [{ pathRun: 1, outflowType: 'education' }] });
    expect(view.steps.map((s) => [s.id, s.validation?.evidence])).toEqual([[step.id, 'work']]);
    await written("select 1 from public.paths where participant_id = $1 and path_run = 2 and status = 'active'", [id], 'the new run');
    const intakes = await written<{ path_run: number; source: string }>('select path_run, source::text from public.referrals_in where participant_id = $1 order by path_run', [id], 'the intakes');
    expect(intakes).toEqual([
      { path_run: 1, source: 'ocmw' },
      { path_run: 2, source: 'vdab' },
    ]);
    expect(await rows("select 1 from public.steps where id = $1 and validated_at is not null", [step.id])).toHaveLength(1);
    const html = await (await page(stack, `/deelnemers/${id}?opnieuw`, staff.token)).text();
    expect(html).toContain('het groeipad start opnieuw');
    expect(html).toContain('Via het onthaal; doorverwezen door: VDAB');
  });
});
