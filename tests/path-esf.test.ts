import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, formatLocalDate, parseLocalDate, toLocalDate } from '../domain/calendar.js';
import type { PathEvent } from '../domain/path-events.js';
import { ALREADY_ANSWERED, NO_OPEN_QUESTION } from '../domain/path-rules.js';
import { pathHarnessPerFile, type Path } from './support/path-harness.js';

/**
 * ESF+ after a leaving, on the time-skipping server: the result task at the end of the 28-day
 * window while no result is recorded, the last situation in the window, the exclusive pairs
 * refused, the six-month follow-up (the coach's task and the participant's question) in calendar
 * months in Europe/Brussels, across continue-as-new and re-entry, and nothing after `forget`.
 * Timed tasks come at 09:00 Brussels time.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const h = pathHarnessPerFile();

async function refusal(path: Path, type: Parameters<Path['act']>[0], input: Record<string, unknown>): Promise<{ type: string | undefined; message: string }> {
  const error = await path.act(type, input).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: (cause as ApplicationFailure).type ?? undefined, message: String(cause?.message) };
}

const esfTasks = (path: Path, kind: 'esf_leaving_result' | 'esf_follow_up') => path.tasks().filter((t) => t.kind === kind);
const results = (path: Path) =>
  path
    .events()
    .map((e) => ({ pathRun: e.pathRun, event: e.event }))
    .filter((e): e is { pathRun: number; event: Extract<PathEvent, { type: 'esf_result_recorded' }> } => e.event.type === 'esf_result_recorded');
const questions = (path: Path) => path.emails().filter((e) => e.template === 'esf_follow_up_question');
const shift = (date: string, days: number) => formatLocalDate(addDays(parseLocalDate(date), days));

/** A path started at 10:00 UTC on the next occurrence of a local date (as little time skipped as possible). */
async function pathStartingOn(month: number, day: number, o: Parameters<typeof h.start>[0] = {}): Promise<{ path: Path; year: number }> {
  const now = await h.now();
  let year = new Date(now).getUTCFullYear();
  if (Date.UTC(year, month - 1, day, 10) <= now) year += 1;
  await h.skipTo(Date.UTC(year, month - 1, day, 10));
  return { path: await h.start(o), year };
}

describe('the result within 28 days after leaving', () => {
  it('comes as a task at leaving + 28 days (09:00 Brussels), once, while none is recorded; a later result settles it; the last observed counts', async () => {
    const { path, year } = await pathStartingOn(3, 2);
    // Before any leaving there is nothing to record.
    expect((await refusal(path, 'recordLeavingResult', { situations: [] })).message).toMatch(/nog niet uitgestroomd/);
    expect((await refusal(path, 'recordFollowUp', { answer: 'working' })).message).toMatch(/nog niet uitgestroomd/);

    const out = await path.act('outflow', { type: 'regular_job' });
    expect(out.leavings).toEqual([
      expect.objectContaining({ pathRun: 1, leftOn: `${year}-03-02`, windowEnds: `${year}-03-30`, followUpOn: `${year}-09-02` }),
    ]);
    // 30 March, 09:00: summer time once the clocks went forward (the last Sunday of March, 01:00 UTC).
    const lastSunday = 31 - new Date(Date.UTC(year, 2, 31)).getUTCDay();
    const due = Date.UTC(year, 2, 30, lastSunday <= 30 ? 7 : 8);
    expect(out.nextDeadline).toEqual({ kind: 'esf_leaving_result', at: due });
    // The outflow carries the same days (public.outflows keeps them for the report).
    expect(path.events().filter((e) => e.event.type === 'outflow_recorded').map((e) => e.event)).toEqual([
      expect.objectContaining({ resultWindowEnds: `${year}-03-30`, followUpOn: `${year}-09-02` }),
    ]);
    await h.skipTo(due - HOUR);
    expect(esfTasks(path, 'esf_leaving_result')).toEqual([]);
    await h.skipTo(due + HOUR);
    expect(esfTasks(path, 'esf_leaving_result')).toEqual([
      expect.objectContaining({ kind: 'esf_leaving_result', dueAt: due, pathRun: 1, cause: 'esf_leaving/1', coachId: path.coachId }),
    ]);
    await h.skipTo(due + 20 * DAY);
    expect(esfTasks(path, 'esf_leaving_result')).toHaveLength(1);

    // The window: from the day of leaving to 28 days later, not in the future.
    const leftOn = `${year}-03-02`;
    expect((await refusal(path, 'recordLeavingResult', { situations: ['in_employment'], observedOn: `${year}-03-01` })).message).toBe(
      `Het resultaat na uitstroom telt vanaf de dag van de uitstroom (2 maart ${year}).`,
    );
    expect((await refusal(path, 'recordLeavingResult', { situations: ['in_employment'], observedOn: `${year}-03-31` })).message).toBe(
      `Het resultaat na uitstroom telt tot 30 maart ${year}; kies een datum van 2 maart ${year} tot dan.`,
    );
    expect((await refusal(path, 'recordLeavingResult', { situations: ['in_employment'] })).message).toMatch(/vul de datum in waarop de situatie zo was/);
    const today = formatLocalDate(toLocalDate(await h.now()));
    expect((await refusal(path, 'recordLeavingResult', { situations: ['in_employment'], observedOn: shift(today, 1) })).message).toMatch(/toekomst/);

    await path.act('recordLeavingResult', { situations: ['job_searching'], observedOn: shift(leftOn, 3) });
    await path.act('recordLeavingResult', { situations: ['in_employment', 'in_education'], observedOn: shift(leftOn, 20) });
    // Recorded later, observed earlier: kept in the records, but the last observed still counts.
    const view = await path.act('recordLeavingResult', { situations: [], observedOn: shift(leftOn, 10) });
    expect(view.leavings![0]!.result).toMatchObject({ observedOn: shift(leftOn, 20), situations: ['in_employment', 'in_education'] });
    expect(results(path).map((r) => [r.event.observedOn, r.event.situations, r.event.settlesTask, r.event.source, r.event.by])).toEqual([
      [shift(leftOn, 3), ['job_searching'], 'esf_leaving/1', 'coach', path.coachId],
      [shift(leftOn, 20), ['in_employment', 'in_education'], 'esf_leaving/1', 'coach', path.coachId],
      [shift(leftOn, 10), [], 'esf_leaving/1', 'coach', path.coachId],
    ]);
    expect(esfTasks(path, 'esf_leaving_result')).toHaveLength(1);
  });

  it('no task when the situation was given at outflow: a result observed on the day of leaving', async () => {
    const path = await h.start();
    // Beside it, one left at the same time without the situation: it gets its task.
    const unknown = await h.start();
    await unknown.act('outflow', { type: 'education' });
    const out = await path.act('outflow', { type: 'education', situations: ['in_education', 'job_searching'] });
    const leftOn = formatLocalDate(toLocalDate(out.leavings![0]!.at));
    expect(out.leavings![0]!.result).toMatchObject({ observedOn: leftOn, situations: ['in_education', 'job_searching'] });
    expect(out.nextDeadline?.kind).toBe('aftercare');
    await h.skipTo((await h.now()) + 35 * DAY);
    expect(esfTasks(unknown, 'esf_leaving_result')).toHaveLength(1);
    expect(esfTasks(path, 'esf_leaving_result')).toEqual([]);
    expect(results(path)).toEqual([
      {
        pathRun: 1,
        event: { type: 'esf_result_recorded', at: out.leavings![0]!.at, kind: 'leaving', pathRun: 1, observedOn: leftOn, situations: ['in_education', 'job_searching'], source: 'coach', by: path.coachId },
      },
    ]);
  });

  it('"none of these" at outflow is a result (empty), unlike situations left out (not known yet)', async () => {
    const none = await h.start();
    expect((await none.act('outflow', { type: 'stopped', situations: [] })).leavings![0]!.result?.situations).toEqual([]);
    const unknown = await h.start();
    expect((await unknown.act('outflow', { type: 'stopped' })).leavings![0]!.result).toBeUndefined();
  });

  it('the waits are configuration; a path whose timings lack them (started before) waits 28 days and 6 months', async () => {
    const configured = await h.start({ timings: { esfResultWindow: { days: 14 }, esfFollowUpAfter: { months: 3 } } });
    const out = (await configured.act('outflow', { type: 'stopped' })).leavings![0]!;
    expect([out.windowEnds, out.followUpOn]).toEqual([shift(out.leftOn, 14), formatLocalDate(addMonths(parseLocalDate(out.leftOn), 3))]);
    // Timings carried from before: no such fields at all (JSON drops the undefined ones).
    const earlier = await h.start({ timings: { esfResultWindow: undefined, esfFollowUpAfter: undefined } as never });
    const left = (await earlier.act('outflow', { type: 'stopped' })).leavings![0]!;
    expect([left.windowEnds, left.followUpOn]).toEqual([shift(left.leftOn, 28), formatLocalDate(addMonths(parseLocalDate(left.leftOn), 6))]);
    await h.skipTo(out.at + 15 * DAY);
    expect(esfTasks(configured, 'esf_leaving_result').map((t) => formatLocalDate(toLocalDate(t.dueAt)))).toEqual([out.windowEnds]);
    expect(esfTasks(earlier, 'esf_leaving_result')).toEqual([]);
  });

  it('refuses the exclusive pairs together, with the Dutch reason on the field, and changes nothing', async () => {
    const path = await h.start();
    const atOutflow = await refusal(path, 'outflow', { type: 'regular_job', situations: ['job_searching', 'in_employment'] });
    expect(atOutflow).toEqual({ type: 'InvalidInput', message: 'situations: "Werkzoekend" en "Aan het werk (ook als zelfstandige)" sluiten elkaar uit; kies er één' });
    expect((await path.view()).status).toBe('active');
    await path.act('outflow', { type: 'regular_job' });
    const later = await refusal(path, 'recordLeavingResult', { situations: ['in_education', 'gained_qualification'] });
    expect(later).toEqual({ type: 'InvalidInput', message: 'situations: "Volgt onderwijs of een opleiding" en "Behaalde een kwalificatie" sluiten elkaar uit; kies er één' });
    expect((await path.view()).leavings![0]!.result).toBeUndefined();
    expect(results(path)).toEqual([]);
  });
});

describe('six months after leaving', () => {
  it('outflow on 31 August: the task and the question on the last day of February at 09:00 winter time, once; aftercare closed meanwhile', async () => {
    const { path, year } = await pathStartingOn(8, 31);
    const out = await path.act('outflow', { type: 'regular_job' });
    expect((await refusal(path, 'answerFollowUp', { answer: 'working' })).message).toBe(NO_OPEN_QUESTION);
    // 31 August + 28 days = 28 September, 09:00 summer time.
    expect(out.nextDeadline).toEqual({ kind: 'esf_leaving_result', at: Date.UTC(year, 8, 28, 7) });
    // Six calendar months: 31 August → the last day of February (28, or 29 in a leap year), as calendar.ts clamps; 09:00 winter time.
    const lastOfFebruary = new Date(Date.UTC(year + 1, 2, 0)).getUTCDate();
    const due = Date.UTC(year + 1, 1, lastOfFebruary, 8);
    expect(out.leavings![0]!.followUpOn).toBe(`${year + 1}-02-${lastOfFebruary}`);

    await h.skipTo(Date.UTC(year + 1, 1, lastOfFebruary - 1, 12));
    // Aftercare ended on its own (not reached after the grace period); the path waits on.
    expect((await path.view()).status).toBe('closed');
    expect((await path.view()).nextDeadline).toEqual({ kind: 'esf_follow_up', at: due });
    expect((await refusal(path, 'recordFollowUp', { answer: 'working' })).message).toBe(
      `Het antwoord op de opvolgvraag na de uitstroom van 31 augustus ${year} kan pas genoteerd worden vanaf ${lastOfFebruary} februari ${year + 1}.`,
    );
    await h.skipTo(due - 1);
    expect(esfTasks(path, 'esf_follow_up')).toEqual([]);
    expect(questions(path)).toEqual([]);
    await h.skipTo(due + HOUR);
    expect(esfTasks(path, 'esf_follow_up')).toEqual([expect.objectContaining({ dueAt: due, pathRun: 1, cause: 'esf_follow_up/1', coachId: path.coachId })]);
    expect(questions(path)).toEqual([expect.objectContaining({ template: 'esf_follow_up_question', recipient: { participantId: path.participantId }, params: { leftOn: `${year}-08-31` } })]);
    expect((await path.view()).leavings![0]!.followUpAt).toBe(due);

    // The participant answers on their own page (a link action, no `by`), once.
    const answered = await path.act('answerFollowUp', { answer: 'not_working' });
    expect(answered.leavings![0]!.followUp).toMatchObject({ answer: 'not_working', source: 'participant' });
    expect((await refusal(path, 'answerFollowUp', { answer: 'working' })).message).toBe(ALREADY_ANSWERED);
    // The coach may still correct it (the last answer counts).
    await path.act('recordFollowUp', { answer: 'working' });
    await h.skipTo((await h.now()) + 60 * DAY);
    const sixMonths = results(path).filter((r) => r.event.kind === 'six_months');
    expect(sixMonths.map((r) => [r.event.followUp, r.event.source, r.event.by, r.event.settlesTask, r.event.pathRun])).toEqual([
      ['not_working', 'participant', undefined, 'esf_follow_up/1', 1],
      ['working', 'coach', path.coachId, 'esf_follow_up/1', 1],
    ]);
    expect(esfTasks(path, 'esf_follow_up')).toHaveLength(1);
    expect(questions(path)).toHaveLength(1);
    expect(esfTasks(path, 'esf_leaving_result')).toHaveLength(1);
    expect((await path.view()).nextDeadline).toBeNull();
  });

  it('survives continue-as-new and re-entry: the first leaving keeps its timers once; leaving again brings its own', async () => {
    const path = await h.start({ maxHistoryEvents: 30 });
    const first = await path.act('outflow', { type: 'stopped' });
    const left = first.leavings![0]!.at;
    for (let i = 0; i < 4; i += 1) await path.act('logContact', { kind: 'reply' });
    await h.skipTo(left + 10 * DAY);
    // Back before the six months (and before the 28 days): a new run.
    const back = await path.act('reenter', { phase: 'focus' });
    expect(back).toMatchObject({ pathRun: 2, status: 'active' });
    expect(back.leavings!.map((l) => l.pathRun)).toEqual([1]);
    for (let i = 0; i < 4; i += 1) await path.act('logContact', { kind: 'conversation' });
    await h.skipTo(left + 200 * DAY);
    expect(esfTasks(path, 'esf_leaving_result').map((t) => [t.pathRun, t.cause])).toEqual([[1, 'esf_leaving/1']]);
    expect(esfTasks(path, 'esf_follow_up').map((t) => [t.pathRun, t.cause])).toEqual([[1, 'esf_follow_up/1']]);
    // On the path again when it came: the email says so (`back`), not "a step outside".
    expect(questions(path).map((q) => q.params)).toEqual([{ leftOn: first.leavings![0]!.leftOn, back: 1 }]);
    // The participant, active again, answers the question about the first leaving.
    const answered = await path.act('answerFollowUp', { answer: 'working' });
    expect(answered.leavings![0]!.followUp?.answer).toBe('working');

    // Leaving again: a new leaving with its own timers; the first one's stay done.
    const second = await path.act('outflow', { type: 'regular_job' });
    expect(second.leavings!.map((l) => l.pathRun)).toEqual([1, 2]);
    await h.skipTo(second.leavings![1]!.at + 200 * DAY);
    expect(esfTasks(path, 'esf_leaving_result').map((t) => [t.pathRun, t.cause])).toEqual([
      [1, 'esf_leaving/1'],
      [2, 'esf_leaving/2'],
    ]);
    expect(esfTasks(path, 'esf_follow_up').map((t) => [t.pathRun, t.cause])).toEqual([
      [1, 'esf_follow_up/1'],
      [2, 'esf_follow_up/2'],
    ]);
    expect(questions(path).map((q) => q.params)).toEqual([
      { leftOn: first.leavings![0]!.leftOn, back: 1 },
      { leftOn: second.leavings![1]!.leftOn },
    ]);
    expect(results(path).map((r) => [r.pathRun, r.event.pathRun, r.event.kind])).toEqual([[2, 1, 'six_months']]);

    // It continued as new more than at the re-entry: the first run's history ended with it, and so did others.
    let runs = 1;
    let runId: string | undefined = path.handle.firstExecutionRunId;
    for (;;) {
      const history = await h.env.client.workflow.getHandle(path.handle.workflowId, runId).fetchHistory();
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      if (!runId) break;
      runs += 1;
    }
    expect(runs).toBeGreaterThan(3);
  });

  it('left again inside the first window: the coach settles each leaving by its run; the participant answers the latest question only', async () => {
    const path = await h.start();
    const first = (await path.act('outflow', { type: 'stopped' })).leavings![0]!;
    await h.skipTo(first.at + 5 * DAY);
    await path.act('reenter', { phase: 'focus' });
    await h.skipTo(first.at + 10 * DAY);
    const second = (await path.act('outflow', { type: 'regular_job' })).leavings![1]!;
    await h.skipTo(second.at + 30 * DAY);
    expect(esfTasks(path, 'esf_leaving_result').map((t) => t.cause)).toEqual(['esf_leaving/1', 'esf_leaving/2']);
    // The first leaving's result, on a day of its own window (before the second leaving).
    const view = await path.act('recordLeavingResult', { situations: ['job_searching'], observedOn: shift(first.leftOn, 2), pathRun: 1 });
    expect(view.leavings!.map((l) => l.result?.observedOn)).toEqual([shift(first.leftOn, 2), undefined]);
    expect((await refusal(path, 'recordLeavingResult', { situations: [], pathRun: 4 })).message).toBe('Er is geen uitstroom van groeipad 4 om een resultaat voor te noteren.');
    await path.act('recordLeavingResult', { situations: ['in_employment'], observedOn: second.leftOn });
    expect(results(path).map((r) => [r.event.pathRun, r.event.settlesTask])).toEqual([
      [1, 'esf_leaving/1'],
      [2, 'esf_leaving/2'],
    ]);
    // Both questions out: the participant's answer is about the second leaving (their page shows it).
    await h.skipTo(second.at + 200 * DAY);
    expect(questions(path)).toHaveLength(2);
    const answered = await path.act('answerFollowUp', { answer: 'working' });
    expect(answered.leavings!.map((l) => l.followUp?.answer)).toEqual([undefined, 'working']);
    expect((await refusal(path, 'answerFollowUp', { answer: 'working' })).message).toBe(ALREADY_ANSWERED);
    const coach = await path.act('recordFollowUp', { answer: 'not_working', pathRun: 1 });
    expect(coach.leavings!.map((l) => l.followUp?.answer)).toEqual(['not_working', 'working']);
  });

  it('forget stops them: no task, no question after it', async () => {
    const path = await h.start();
    // Beside it, one that left at the same time and is not forgotten: it gets both.
    const kept = await h.start();
    await kept.act('outflow', { type: 'stopped' });
    expect((await path.act('outflow', { type: 'stopped' })).nextDeadline?.kind).toBe('esf_leaving_result');
    await path.act('forget', { reason: 'participant_request' });
    await path.handle.result();
    await h.skipTo((await h.now()) + 200 * DAY);
    expect(esfTasks(kept, 'esf_leaving_result')).toHaveLength(1);
    expect(esfTasks(kept, 'esf_follow_up')).toHaveLength(1);
    expect(questions(kept)).toHaveLength(1);
    expect(esfTasks(path, 'esf_leaving_result')).toEqual([]);
    expect(esfTasks(path, 'esf_follow_up')).toEqual([]);
    expect(questions(path)).toEqual([]);
  });
});
