import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { GOAL_NOTE_ID, pathHarnessPerFile, type Path } from './support/path-harness.js';

/**
 * The path as the methodology describes it, on the time-skipping server: steps that travel with
 * the person, a crisis whose move is made later, the agreement's clock on a move back to
 * orientation, aftercare that waits for the reconnect conversation, and a re-entry that records
 * who referred the person this time. Dates are chosen from the server's clock (the next year),
 * so the suite holds whatever year it runs in. Timed events come at 09:00 Brussels time.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const h = pathHarnessPerFile();

async function refusal(path: Path, type: Parameters<Path['act']>[0], input: Record<string, unknown>): Promise<string> {
  const error = await path.act(type, input).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((error as WorkflowUpdateFailedError).cause?.message);
}

/** 09:00 in Brussels on a local date of `year` (month 1-based), in winter (UTC+1) or summer (UTC+2). */
function nineAm(year: number, month: number, day: number, summer: boolean): number {
  return Date.UTC(year, month - 1, day, summer ? 7 : 8);
}

/**
 * A path started at 10:00 UTC on the next occurrence of a local date: as little time skipped as
 * possible, since every open path of this file works through its timers on the way.
 */
async function pathStartingOn(month: number, day: number): Promise<{ path: Path; year: number }> {
  const now = await h.now();
  let year = new Date(now).getUTCFullYear();
  if (Date.UTC(year, month - 1, day, 10) <= now) year += 1;
  await h.skipTo(Date.UTC(year, month - 1, day, 10));
  return { path: await h.start(), year };
}

describe('steps that are validated and travel with the person', () => {
  it('are set from orientation on, validated once (who, when, evidence) and kept across agreement, outflow and re-entry', async () => {
    const path = await h.start();
    const early = await path.act('registerStep', { status: 'needed', noteId: 'dddddddd-0000-4000-8000-000000000101' });
    expect(early.agreement).toBeNull();
    const first = early.steps[0]!;
    expect(first).toMatchObject({ status: 'needed', pathRun: 1 });
    expect(first.agreementId).toBeUndefined();

    const validated = await path.act('validateStep', { stepId: first.id, evidence: 'group_moment', noteId: 'dddddddd-0000-4000-8000-000000000102' });
    expect(validated.steps[0]).toMatchObject({ id: first.id, status: 'done', validation: { by: path.coachId, evidence: 'group_moment' } });
    expect(validated.steps[0]!.validation!.at).toBeLessThanOrEqual(await h.now());
    expect(await refusal(path, 'validateStep', { stepId: first.id, evidence: 'observed' })).toBe('Deze stap is al gevalideerd.');
    expect(await refusal(path, 'validateStep', { stepId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', evidence: 'observed' })).toBe('Die stap bestaat niet.');
    expect(await refusal(path, 'validateStep', { stepId: first.id })).toMatch(/evidence/);

    await path.act('signalCrisis', { kind: 'focus_crisis', move: true });
    const signed = await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['stuyflab'] });
    const inAgreement = await path.act('registerStep', { status: 'done' });
    expect(inAgreement.steps[1]).toMatchObject({ agreementId: signed.agreement!.id, pathRun: 1 });
    await path.act('validateStep', { stepId: inAgreement.steps[1]!.id, evidence: 'certificate' });

    await path.act('closeAgreement', { outcome: 'completed' });
    await path.act('outflow', { type: 'structural_volunteering' });
    expect(await refusal(path, 'registerStep', { status: 'needed' })).toMatch(/uitgestroomd/);
    const back = await path.act('reenter', { phase: 'focus' });
    expect(back.pathRun).toBe(2);
    expect(back.steps.map((s) => [s.id, s.validation?.evidence])).toEqual([
      [first.id, 'group_moment'],
      [inAgreement.steps[1]!.id, 'certificate'],
    ]);
    // A step in the new run is added beside them; a validated step no longer changes.
    const later = await path.act('registerStep', { status: 'needed' });
    expect(later.steps.map((s) => s.pathRun)).toEqual([1, 1, 2]);
    expect(await refusal(path, 'registerStep', { stepId: first.id, status: 'needed' })).toBe('Deze stap is al gevalideerd; wijzigen kan niet meer.');

    await h.env.sleep(1000);
    const validations = path.events().filter((e) => e.event.type === 'step_validated');
    expect(validations.map((e) => (e.event as { stepId: string }).stepId)).toEqual([first.id, inAgreement.steps[1]!.id]);
  });
});

describe('a crisis confirmed later', () => {
  it('links the phase change to the crisis that proposed it: the crisis counts as moved', async () => {
    const path = await h.start();
    const crisis = (await path.act('signalCrisis', { kind: 'focus_crisis', move: false })).crises[0]!;
    expect(crisis.moved).toBe(false);
    await h.skipTo((await h.now()) + 5 * DAY);
    await path.act('logContact', { kind: 'conversation' });
    const moved = await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    expect(moved.crises[0]).toMatchObject({ at: crisis.at, moved: true });
    expect(moved.crises[0]!.confirmedAt).toBeGreaterThan(crisis.at);
    expect(moved.phaseHistory.at(-1)).toMatchObject({ to: 'focus', reason: 'ready_for_next_step', crisisAt: crisis.at });
    await h.env.sleep(1000);
    expect(path.events().filter((e) => e.event.type === 'crisis_confirmed').map((e) => e.event)).toEqual([
      { type: 'crisis_confirmed', at: moved.crises[0]!.confirmedAt, crisisAt: crisis.at, kind: 'focus_crisis' },
    ]);
  });

  it('does not link a move the crisis did not propose, nor one after another phase change', async () => {
    const path = await h.start();
    await path.act('signalCrisis', { kind: 'focus_crisis', move: false });
    const other = await path.act('changePhase', { to: 'activation', reason: 'coach_assessment' });
    expect(other.crises[0]!.moved).toBe(false);
    expect(other.phaseHistory.at(-1)!.crisisAt).toBeUndefined();
    const later = await path.act('changePhase', { to: 'focus', reason: 'step_back' });
    expect(later.crises[0]!.moved).toBe(false);
    expect(later.phaseHistory.at(-1)!.crisisAt).toBeUndefined();
  });
});

describe("the agreement's clock when someone moves back to orientation", () => {
  it('pauses: no check-in or evaluation meanwhile, and the end and evaluation move by the pause in calendar terms', async () => {
    const { path, year } = await pathStartingOn(1, 31);
    await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    const signed = await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['connectors_table'] });
    expect([signed.agreement!.startDate, signed.agreement!.endDate]).toEqual([`${year}-01-31`, `${year + 1}-01-31`]);

    await h.skipTo(Date.UTC(year, 1, 10, 10)); // 10 February
    const back = await path.act('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'pause' });
    expect(back.agreement).toMatchObject({ status: 'active', pausedAt: back.phaseHistory.at(-1)!.at });
    expect(back.phaseHistory.at(-1)!.agreementChoice).toBe('pause');
    // While paused the participant is in orientation: a reach-out comes, not a check-in.
    expect(back.nextDeadline?.kind).toBe('reach_out');

    // 10 February → 24 March: one month and 14 days.
    await h.skipTo(Date.UTC(year, 2, 24, 10));
    expect(path.tasks().filter((t) => t.kind === 'check_in')).toHaveLength(0);
    const resumed = await path.act('resumeAgreement', {});
    // 31 January + one month (the last day of February) + 14 days.
    const expectedEnd = `${year + 1}-03-14`;
    expect(resumed.agreement!.endDate).toBe(expectedEnd);
    // The resume is a conversation with the coach: no check-in falls due at once.
    // (24 March + 6 weeks = 5 May), not the one of six weeks after the signature, which fell in the pause.
    expect(resumed.nextDeadline).toEqual({ kind: 'check_in', at: nineAm(year, 5, 5, true) });
    expect(resumed.agreement!.pausedAt).toBeUndefined();
    expect(await refusal(path, 'resumeAgreement', {})).toMatch(/niet gepauzeerd/);
    await h.env.sleep(1000);
    expect(path.events().filter((e) => e.event.type === 'agreement_resumed').map((e) => e.event)).toMatchObject([
      { type: 'agreement_resumed', shift: { months: 1, days: 14 }, endDate: expectedEnd },
    ]);

    // The evaluation comes a month before the new end (14 February, 09:00 winter time), not on 31 December.
    const evaluation = nineAm(year + 1, 2, 14, false);
    await h.skipTo(Date.UTC(year, 11, 31, 12));
    expect(path.tasks().filter((t) => t.kind === 'agreement_evaluation')).toHaveLength(0);
    await h.skipTo(evaluation + HOUR);
    expect(path.tasks().filter((t) => t.kind === 'agreement_evaluation').map((t) => t.dueAt)).toEqual([evaluation]);
    const ending = nineAm(year + 1, 3, 14, false);
    await h.skipTo(ending + HOUR);
    expect((await path.view()).agreement).toMatchObject({ status: 'expired', endedAt: ending });
  });

  it('moving on out of orientation resumes a paused agreement', async () => {
    const { path, year } = await pathStartingOn(3, 1);
    await path.act('changePhase', { to: 'activation', reason: 'ready_for_next_step' });
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['coworking'] });
    await path.act('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'pause' });
    await h.skipTo(Date.UTC(year, 4, 1, 10)); // 1 May: two months
    const onward = await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    expect(onward.agreement).toMatchObject({ status: 'active', endDate: `${year + 1}-05-01` });
    expect(onward.agreement!.pausedAt).toBeUndefined();
  });

  it('a focus crisis that moves the participant on out of orientation resumes the paused agreement', async () => {
    const path = await h.start();
    await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['coworking'] });
    await path.act('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'pause' });
    const moved = await path.act('signalCrisis', { kind: 'focus_crisis', move: true });
    expect(moved.phase).toBe('focus');
    expect(moved.agreement!.pausedAt).toBeUndefined();
    expect(moved.nextDeadline?.kind).toBe('check_in');
  });

  it('an evaluation that went out before the pause comes again for the moved end', async () => {
    const { path, year } = await pathStartingOn(2, 1);
    await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['coworking'] });
    // The evaluation on 1 January (a month before the end on 1 February), then back to orientation on 20 January.
    await h.skipTo(Date.UTC(year + 1, 0, 20, 10));
    expect(path.emails().filter((e) => e.template === 'agreement_ending_soon').map((e) => e.params.endDate)).toEqual([`${year + 1}-02-01`]);
    await path.act('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'pause' });
    await h.skipTo(Date.UTC(year + 1, 1, 20, 10)); // 20 February: one month
    const resumed = await path.act('resumeAgreement', {});
    expect(resumed.agreement!.endDate).toBe(`${year + 1}-03-01`);
    await h.env.sleep(1000);
    expect(path.emails().filter((e) => e.template === 'agreement_ending_soon').map((e) => e.params.endDate)).toEqual([`${year + 1}-02-01`, `${year + 1}-03-01`]);
    expect(path.tasks().filter((t) => t.kind === 'agreement_evaluation')).toHaveLength(2);
  });

  it('continues (the clock runs on) or ends, as the coach chose; without a choice it continues', async () => {
    const continued = await h.start();
    await continued.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    const signed = await continued.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['coworking'] });
    const stays = await continued.act('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'continue' });
    expect(stays.agreement).toMatchObject({ status: 'active', endDate: signed.agreement!.endDate });
    expect(stays.phaseHistory.at(-1)!.agreementChoice).toBe('continue');
    expect(stays.nextDeadline?.kind).toBe('check_in');

    const ended = await h.start();
    await ended.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await ended.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['coworking'] });
    const stopped = await ended.act('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'end' });
    expect(stopped.agreement?.status).toBe('stopped');
    expect(stopped.phaseHistory.at(-1)!.agreementChoice).toBe('end');

    const none = await h.start();
    await none.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await none.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['coworking'] });
    const plain = await none.act('changePhase', { to: 'orientation', reason: 'step_back' });
    expect(plain.agreement?.status).toBe('active');
    expect(plain.phaseHistory.at(-1)!.agreementChoice).toBe('continue');
    // No agreement running: a choice is not recorded.
    const onward = await none.act('changePhase', { to: 'activation', reason: 'ready_for_next_step', agreementChoice: 'end' });
    expect(onward.phaseHistory.at(-1)!.agreementChoice).toBeUndefined();
  });
});

describe('aftercare ends when the reconnect happened', () => {
  it('without the conversation, the path closes as "not reached" four weeks after the task, across calendar months', async () => {
    const { path, year } = await pathStartingOn(1, 15);
    await path.act('outflow', { type: 'regular_job' });
    // Three months after the last contact (the intake on 15 January): 15 April, 09:00 summer time.
    const due = nineAm(year, 4, 15, true);
    await h.skipTo(due + HOUR);
    const waiting = await path.view();
    expect(waiting).toMatchObject({ status: 'aftercare', aftercare: { dueAt: due, taskAt: due } });
    expect(path.tasks().filter((t) => t.kind === 'aftercare_reconnect').map((t) => t.dueAt)).toEqual([due]);
    // Attendance at a group moment counts as contact, but is not the reconnect conversation.
    await path.act('logAttendance', { kind: 'stuyflab' });
    // Four weeks after 15 April: 13 May, 09:00.
    const grace = nineAm(year, 5, 13, true);
    expect((await path.view()).nextDeadline).toEqual({ kind: 'aftercare_grace', at: grace });
    await h.skipTo(grace - HOUR);
    expect((await path.view()).status).toBe('aftercare');
    await h.skipTo(grace + HOUR);
    const closed = await path.view();
    expect(closed).toMatchObject({ status: 'closed', aftercare: { outcome: 'not_reached', closedAt: grace } });
    expect(closed.aftercare?.reconnectedAt).toBeUndefined();
    // Closed, the path still waits for the ESF+ follow-up six months after leaving (path-esf.test.ts).
    expect(closed.nextDeadline?.kind).toBe('esf_follow_up');
    await h.env.sleep(1000);
    expect(path.events().filter((e) => e.event.type === 'aftercare_closed').map((e) => e.event)).toEqual([
      { type: 'aftercare_closed', at: grace, outcome: 'not_reached' },
    ]);
    expect(path.tasks().filter((t) => t.kind === 'aftercare_reconnect')).toHaveLength(1);
  });

  it('closes when the coach records the reconnect conversation; no grace period after that', async () => {
    const { path, year } = await pathStartingOn(10, 20);
    await path.act('outflow', { type: 'education' });
    // 20 October + 3 months = 20 January, 09:00 winter time.
    const due = nineAm(year + 1, 1, 20, false);
    await h.skipTo(due + 2 * DAY);
    const reached = await path.act('logContact', { kind: 'conversation' });
    expect(reached.status).toBe('closed');
    expect(reached.aftercare).toMatchObject({ dueAt: due, taskAt: due, outcome: 'reached', reconnectedAt: reached.lastContactAt });
    await h.skipTo(due + 40 * DAY);
    await h.env.sleep(1000);
    expect(path.events().filter((e) => e.event.type === 'aftercare_closed').map((e) => e.event)).toEqual([
      { type: 'aftercare_closed', at: reached.lastContactAt, outcome: 'reached', settlesTask: 'aftercare', by: path.coachId },
    ]);
  });
});

describe('re-entry from the intake desk', () => {
  it('records who referred the person this time; the earlier path and the steps stay', async () => {
    const path = await h.start();
    const step = (await path.act('registerStep', { status: 'needed' })).steps[0]!;
    await path.act('outflow', { type: 'stopped' });
    const back = await path.act('reenter', { phase: 'focus', referralSource: 'vdab' });
    expect(back).toMatchObject({ pathRun: 2, phase: 'focus', referralSource: 'vdab', earlierPaths: [{ pathRun: 1, outflowType: 'stopped' }] });
    expect(back.steps.map((s) => s.id)).toEqual([step.id]);
    await h.env.sleep(1000);
    expect(path.events().find((e) => e.event.type === 'path_reentered')?.event).toMatchObject({ phase: 'focus', previousRun: 1, referralSource: 'vdab' });
  });
});
