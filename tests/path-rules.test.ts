import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addMonths, formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { linkUpdates, pathWorkflowId, referralAnswerUpdateId } from '../domain/messages.js';
import type { temporal } from '@temporalio/proto';
import { KEPT_DEADLINE_TIMER } from '../workflows/participant-path.js';
import { GOAL_NOTE_ID, pathHarnessPerFile, startPathHarness, type Path, type PathHarness } from './support/path-harness.js';

/**
 * Every rule of the domain (README, "The path workflow") on the time-skipping server (the activity boundary
 * replaced by an idempotent recorder; the real activities have their own tests).
 */

const DAY = 86_400_000;

/** The id in a patch marker's details (the SDK's own encoding: JSON `{ id, deprecated }`). */
function patchId(event: temporal.api.history.v1.IHistoryEvent): string {
  const data = event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
  return (JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { id: string }).id;
}
const h = pathHarnessPerFile();

/** Expects the action to be refused with a reason matching `reason`, and the path unchanged. */
async function expectRefused(path: Path, type: Parameters<Path['act']>[0], input: Record<string, unknown>, reason: RegExp) {
  const before = await path.view();
  const error = await path.act(type, input).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(String((error as WorkflowUpdateFailedError).cause?.message)).toMatch(reason);
  expect(await path.view()).toEqual(before);
}

async function inFocus(): Promise<Path> {
  const path = await h.start();
  await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
  return path;
}

describe('intake', () => {
  it('starts in orientation, records the start and sends the welcome email and the coach notice', async () => {
    const path = await h.start();
    const view = await path.view();
    expect(view.phase).toBe('orientation');
    expect(view.status).toBe('active');
    expect(view.pathRun).toBe(1);
    await h.env.sleep(1000);
    expect(path.events().map((e) => e.event.type)).toEqual(['path_started']);
    expect(path.emails().map((e) => e.template).sort()).toEqual(['coach_new_participant', 'welcome']);
  });

  it('asks for one patch, which stands for every earlier rule: one marker at the start, not four', async () => {
    const path = await h.start();
    await path.view();
    const events = (await path.handle.fetchHistory()).events ?? [];
    const patches = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').map((e) => patchId(e));
    expect(patches).toEqual([KEPT_DEADLINE_TIMER]);
  });

  it('a repeated start of the same participant returns the same path, never a second', async () => {
    const path = await h.start();
    const again = await h.env.client.workflow.start('participantPath', {
      workflowId: pathWorkflowId(path.participantId),
      taskQueue: h.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{}],
    });
    expect(again.firstExecutionRunId).toBe(path.handle.firstExecutionRunId);
  });
});

describe('phase changes', () => {
  it('go in any direction with a reason, each kept with time, who and why', async () => {
    const path = await h.start();
    await path.act('changePhase', { to: 'activation', reason: 'coach_assessment' });
    const t = await h.now();
    const view = await path.act('changePhase', { to: 'orientation', reason: 'step_back' });
    expect(view.phase).toBe('orientation');
    expect(view.phaseHistory.map((c) => [c.from, c.to, c.reason])).toEqual([
      [null, 'orientation', 'other'],
      ['orientation', 'activation', 'coach_assessment'],
      ['activation', 'orientation', 'step_back'],
    ]);
    const last = view.phaseHistory.at(-1)!;
    expect(last.by).toBe(path.coachId);
    expect(Math.abs(last.at - t)).toBeLessThan(5_000);
  });

  it('need a reason, and refuse a move to the phase the participant is in', async () => {
    const path = await h.start();
    await expectRefused(path, 'changePhase', { to: 'focus' }, /reason/);
    await expectRefused(path, 'changePhase', { to: 'orientation', reason: 'other' }, /zit al in de fase oriëntatie/);
  });
});

describe('updates from a client other than the API', () => {
  it('a malformed update is refused naming the field, the path unchanged and still taking actions', async () => {
    const path = await h.start();
    await expectRefused(path, 'changePhase', { to: 'nowhere', reason: 'other' }, /^to: kies uit/);
    await expectRefused(path, 'signalCrisis', { kind: 'focus_crisis', move: 'yes' }, /^move: moet waar of onwaar zijn/);
    await expectRefused(path, 'logContact', { by: 'me', kind: 'conversation' }, /^by: moet een geldige id zijn/);
    await expectRefused(path, 'signAgreement', { commitments: [] }, /^commitments: kies minstens één groepsmoment/);
    const notAnObject = await path.handle.executeUpdate(linkUpdates.confirmAgreement, { args: ['akkoord' as never] }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(String((notAnObject as WorkflowUpdateFailedError).cause?.message)).toBe('input: verwacht een object');
    expect((await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' })).phase).toBe('focus');
  });
});

describe('crises', () => {
  it('a focus crisis in orientation, confirmed, moves to focus and creates a coaching-conversation task', async () => {
    const path = await h.start();
    const view = await path.act('signalCrisis', { kind: 'focus_crisis', move: true });
    expect(view.phase).toBe('focus');
    expect(view.crises).toMatchObject([{ kind: 'focus_crisis', proposed: 'focus', moved: true }]);
    expect(view.phaseHistory.at(-1)).toMatchObject({ from: 'orientation', to: 'focus', reason: 'crisis' });
    await h.env.sleep(1000);
    expect(path.tasks().map((t) => [t.kind, t.cause])).toEqual([['coaching_conversation', 'focus_crisis']]);
  });

  it('a crisis the coach does not confirm leaves the phase, and still creates the task', async () => {
    const path = await h.start();
    const view = await path.act('signalCrisis', { kind: 'focus_crisis', move: false });
    expect(view.phase).toBe('orientation');
    expect(view.crises).toMatchObject([{ proposed: 'focus', moved: false }]);
    await h.env.sleep(1000);
    expect(path.tasks().map((t) => t.kind)).toEqual(['coaching_conversation']);
  });

  it('a status crisis in focus proposes activation', async () => {
    const path = await inFocus();
    const view = await path.act('signalCrisis', { kind: 'status_crisis', move: true });
    expect(view.phase).toBe('activation');
  });

  it('a proposed move from the wrong phase is refused with the reason', async () => {
    const path = await h.start();
    await expectRefused(path, 'signalCrisis', { kind: 'status_crisis', move: true }, /alleen vanuit focus een overstap naar activering/);
  });
});

describe('growth agreement', () => {
  it('is refused in orientation, and a second one while one is active', async () => {
    const path = await h.start();
    await expectRefused(path, 'signAgreement', { commitments: ['open_house'] }, /focus- of activeringsfase/);
    await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await expectRefused(path, 'signAgreement', { commitments: [] }, /minstens één groepsmoment/);
    const signed = await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['connectors_table', 'stuyflab'], privileges: ['space', 'network'] });
    expect(signed.agreement).toMatchObject({ status: 'active', commitments: ['connectors_table', 'stuyflab'], privileges: ['space', 'network'], coachId: path.coachId });
    await expectRefused(path, 'signAgreement', { commitments: ['open_house'] }, /loopt al een groeiovereenkomst/);
  });

  it('refuses a start date so far back that the agreement would already be over', async () => {
    const path = await inFocus();
    const year = new Date(await h.now()).getUTCFullYear();
    await expectRefused(path, 'signAgreement', { commitments: ['open_house'], startDate: `${year - 2}-01-15` }, /al afgelopen/);
  });

  it('renewal adds twelve months from the old end; closing stops its timers', async () => {
    const path = await inFocus();
    // The 15th of next month, from the server's clock, so the test holds whatever today is.
    const start = { ...addMonths(toLocalDate(await h.now()), 1), day: 15 };
    const [startDate, endDate, renewedEnd] = [0, 12, 24].map((months) => formatLocalDate(addMonths(start, months)));
    const signed = await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['coworking'], startDate });
    expect([signed.agreement?.startDate, signed.agreement?.endDate]).toEqual([startDate, endDate]);
    const renewed = await path.act('renewAgreement');
    expect([renewed.agreement?.startDate, renewed.agreement?.endDate, renewed.agreement?.renewals]).toEqual([endDate, renewedEnd, 1]);
    const closed = await path.act('closeAgreement', { outcome: 'completed' });
    expect(closed.agreement?.status).toBe('completed');
    expect(closed.nextDeadline).toBeNull(); // in focus without agreement nothing is waiting
    await expectRefused(path, 'renewAgreement', {}, /geen groeiovereenkomst/);
    await expectRefused(path, 'closeAgreement', { outcome: 'stopped' }, /geen groeiovereenkomst/);
  });

  it('is refused without a goal, with the reason in Dutch', async () => {
    const path = await inFocus();
    await expectRefused(path, 'signAgreement', { commitments: ['open_house'] }, /heeft een groeidoel/);
    expect((await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['open_house'] })).agreement?.goalNoteId).toBe(GOAL_NOTE_ID);
  });

});

describe('check-ins and reach-outs', () => {
  it('in orientation, four weeks without contact gives a reach-out task, again every four weeks', async () => {
    const path = await h.start();
    const start = await h.now();
    await h.skipTo(start + 27 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(0);
    await h.skipTo(start + 29 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(1);
    await h.skipTo(start + 57 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(2);
  });

  it('a contact moves "last contact" forward and restarts the wait', async () => {
    const path = await h.start();
    const start = await h.now();
    await h.skipTo(start + 20 * DAY);
    const view = await path.act('logContact', { kind: 'conversation' });
    expect(view.lastContactAt).toBeGreaterThanOrEqual(start + 20 * DAY);
    await h.skipTo(start + 40 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(0);
    await h.skipTo(start + 50 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(1);
  });

  it('keeps its one timer while actions leave the deadline where it was; a deadline that moves replaces it', async () => {
    const path = await h.start();
    const timers = async () => {
      const events = (await path.handle.fetchHistory()).events ?? [];
      return { started: events.filter((e) => e.timerStartedEventAttributes).length, cancelled: events.filter((e) => e.timerCanceledEventAttributes).length };
    };
    await path.view();
    expect(await timers()).toEqual({ started: 1, cancelled: 0 });
    // Noon (UTC) on a later day: the first contact moves the reach-out, the next two the same day do not.
    const noon = Math.ceil((await h.now()) / DAY) * DAY + DAY / 2;
    await h.skipTo(noon);
    for (let i = 0; i < 3; i += 1) await path.act('logContact', { kind: 'conversation' });
    expect(await timers()).toEqual({ started: 2, cancelled: 1 });
    await h.skipTo(noon + 10 * DAY);
    await path.act('logContact', { kind: 'reply' });
    expect(await timers()).toEqual({ started: 3, cancelled: 2 });
    // The replacing timer fires four weeks after that contact.
    await h.skipTo(noon + 37 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(0);
    await h.skipTo(noon + 39 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(1);
  });

  it('during an agreement, six weeks without contact gives a check-in task; attendance counts as contact', async () => {
    const path = await inFocus();
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['open_house'] });
    const signed = await h.now();
    await h.skipTo(signed + 30 * DAY);
    const attended = await path.act('logAttendance', { kind: 'open_house' });
    expect(attended.attendance).toEqual({ open_house: 1 });
    expect(attended.lastContactKind).toBe('group_moment');
    await h.skipTo(signed + 30 * DAY + 41 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'check_in')).toHaveLength(0);
    await h.skipTo(signed + 30 * DAY + 43 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'check_in')).toHaveLength(1);
    expect(path.tasks().filter((t) => t.kind === 'reach_out')).toHaveLength(0);
  });
});

describe('warm referrals out', () => {
  it('go proposed → introduced → accepted, with a follow-up task two weeks after the introduction', async () => {
    const path = await h.start();
    const proposed = await path.act('referOut', { partner: 'vdab' });
    const referralId = proposed.referrals[0]!.id;
    expect(proposed.referrals[0]!.status).toBe('proposed');
    await expectRefused(path, 'updateReferral', { referralId, status: 'accepted' }, /voorgesteld.*aanvaard/);
    await path.act('updateReferral', { referralId, status: 'introduced' });
    const introduced = await h.now();
    await h.skipTo(introduced + 13 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'referral_follow_up')).toHaveLength(0);
    await h.skipTo(introduced + 15 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'referral_follow_up').map((t) => t.cause)).toEqual([`referral/${referralId}`]);
    const accepted = await path.act('updateReferral', { referralId, status: 'accepted' });
    expect(accepted.referrals[0]!.status).toBe('accepted');
    await expectRefused(path, 'updateReferral', { referralId, status: 'declined' }, /aanvaard.*afgewezen/);
  });
});

describe('a partner answers a warm referral through its link', () => {
  /** A path with one referral introduced to a partner; `answer` sends the partner's answer as the link page does. */
  async function introduced() {
    const path = await h.start();
    const proposed = await path.act('referOut', { partner: 'vdab' });
    const referralId = proposed.referrals[0]!.id;
    await path.act('updateReferral', { referralId, status: 'introduced' });
    const linkId = randomUUID();
    const answer = (input: Record<string, unknown>, updateId = referralAnswerUpdateId(linkId)) =>
      path.handle.executeUpdate(linkUpdates.answerReferral, { args: [{ referralId, linkId, ...input } as never], updateId });
    return { path, referralId, linkId, answer, introducedAt: await h.now() };
  }

  async function refusedAnswer(send: Promise<unknown>): Promise<string> {
    const error = await send.then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    return String((error as WorkflowUpdateFailedError).cause?.message);
  }

  it('accepted: the referral is accepted, the answer recorded, and the follow-up deadline is gone', async () => {
    const { path, referralId, linkId, answer, introducedAt } = await introduced();
    expect((await path.view()).nextDeadline?.kind).toBe('referral_follow_up');
    const view = await answer({ answer: 'accepted' });
    expect(view.referrals[0]).toMatchObject({ status: 'accepted', partnerAnswer: { answer: 'accepted', linkId } });
    expect(view.nextDeadline?.kind).not.toBe('referral_follow_up');
    // Past the two weeks: no follow-up task ever comes.
    await h.skipTo(introducedAt + 20 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'referral_follow_up')).toHaveLength(0);
    const answered = path.events().filter((e) => e.event.type === 'referral_answered');
    expect(answered).toHaveLength(1);
    expect(answered[0]!.event).toMatchObject({ referral: { id: referralId, status: 'accepted' } });
    expect(answered[0]!.event).not.toHaveProperty('settlesTask');
  });

  it('declined: the referral is declined', async () => {
    const { answer } = await introduced();
    const view = await answer({ answer: 'declined' });
    expect(view.referrals[0]).toMatchObject({ status: 'declined', partnerAnswer: { answer: 'declined' } });
    expect(view.referrals[0]!.partnerAnswer).not.toHaveProperty('appointmentDate');
  });

  it('a first appointment counts as accepted and keeps its date; without a date it is refused as invalid', async () => {
    const { path, answer } = await introduced();
    expect(await refusedAnswer(answer({ answer: 'appointment' }, randomUUID()))).toMatch(/datum van de eerste afspraak/);
    expect(await refusedAnswer(answer({ answer: 'declined', appointmentDate: '2026-12-10' }, randomUUID()))).toMatch(/alleen bij een eerste afspraak/);
    expect((await path.view()).referrals[0]!.status).toBe('introduced');
    const view = await answer({ answer: 'appointment', appointmentDate: '2026-12-10' });
    expect(view.referrals[0]).toMatchObject({ status: 'accepted', partnerAnswer: { answer: 'appointment', appointmentDate: '2026-12-10' } });
  });

  it('the same answer sent twice under the link\'s update id is one update; another answer later is refused in Dutch', async () => {
    const { path, answer } = await introduced();
    const first = await answer({ answer: 'accepted' });
    const again = await answer({ answer: 'accepted' });
    expect(again.referrals[0]!.partnerAnswer).toEqual(first.referrals[0]!.partnerAnswer);
    expect(path.events().filter((e) => e.event.type === 'referral_answered')).toHaveLength(1);
    expect(await refusedAnswer(answer({ answer: 'declined' }, randomUUID()))).toMatch(/al geantwoord/);
  });

  it('is refused when the referral is not introduced (any more), or does not exist', async () => {
    const path = await h.start();
    const proposed = await path.act('referOut', { partner: 'unizo' });
    const referralId = proposed.referrals[0]!.id;
    const send = (id: string) =>
      path.handle.executeUpdate(linkUpdates.answerReferral, { args: [{ referralId: id, linkId: randomUUID(), answer: 'accepted' }] });
    expect(await refusedAnswer(send(referralId))).toMatch(/wacht niet meer op een antwoord.*voorgesteld/);
    expect(await refusedAnswer(send(randomUUID()))).toMatch(/bestaat niet/);
    await path.act('updateReferral', { referralId, status: 'introduced' });
    await path.act('updateReferral', { referralId, status: 'declined' });
    expect(await refusedAnswer(send(referralId))).toMatch(/wacht niet meer op een antwoord.*afgewezen/);
    expect((await path.view()).referrals[0]!.partnerAnswer).toBeUndefined();
  });

  it('settles a follow-up task that already went out: the record names it, once', async () => {
    const { path, referralId, answer, introducedAt } = await introduced();
    await h.skipTo(introducedAt + 15 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'referral_follow_up').map((t) => t.cause)).toEqual([`referral/${referralId}`]);
    await answer({ answer: 'appointment', appointmentDate: '2027-01-05' });
    await h.env.sleep(1000);
    const answered = path.events().filter((e) => e.event.type === 'referral_answered');
    expect(answered.map((e) => e.event)).toEqual([expect.objectContaining({ settlesTask: `referral/${referralId}` })]);
    // One follow-up task, never a second.
    await h.skipTo(introducedAt + 40 * DAY);
    expect(path.tasks().filter((t) => t.kind === 'referral_follow_up')).toHaveLength(1);
  });
});

describe('outflow, aftercare and re-entry', () => {
  it('outflow ends the agreement; aftercare comes three months after the last contact, and a contact restarts it', async () => {
    const path = await inFocus();
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['stuyflab'] });
    const out = await path.act('outflow', { type: 'regular_job' });
    expect(out.status).toBe('aftercare');
    expect(out.agreement?.status).toBe('ended_by_outflow');
    expect(out.outflow?.type).toBe('regular_job');
    await expectRefused(path, 'outflow', { type: 'other' }, /al uitgestroomd/);
    await expectRefused(path, 'changePhase', { to: 'activation', reason: 'other' }, /uitgestroomd/);

    const lastContact = out.lastContactAt;
    const t0 = await h.now();
    await h.skipTo(t0 + 60 * DAY);
    const contact = await path.act('logContact', { kind: 'reply' });
    expect(contact.status).toBe('aftercare');
    // Three months after the new contact, not after the old one or the outflow date.
    await h.skipTo(lastContact + 100 * DAY);
    expect((await path.view()).status).toBe('aftercare');
    expect(path.tasks().filter((t) => t.kind === 'aftercare_reconnect')).toHaveLength(0);
    await h.skipTo(contact.lastContactAt + 93 * DAY);
    // The task is out; the path waits for the reconnect conversation (tests/path-aftercare.test.ts has the grace period).
    const due = await path.view();
    expect(due.status).toBe('aftercare');
    expect(due.aftercare?.taskAt).toBe(due.aftercare?.dueAt);
    expect(path.tasks().filter((t) => t.kind === 'aftercare_reconnect')).toHaveLength(1);
    expect(path.emails().filter((e) => e.template === 'aftercare_check_in')).toHaveLength(1);
    const closed = await path.act('logContact', { kind: 'conversation' });
    expect(closed.status).toBe('closed');
    expect(closed.aftercare).toMatchObject({ outcome: 'reached', reconnectedAt: closed.lastContactAt });
  });

  it('a former participant comes back into a chosen phase; the earlier path stays in the history', async () => {
    const path = await h.start();
    await path.act('logAttendance', { kind: 'open_house' });
    await expectRefused(path, 'reenter', { phase: 'focus' }, /opnieuw instappen kan pas na uitstroom/);
    await path.act('outflow', { type: 'education' });
    const back = await path.act('reenter', { phase: 'activation' });
    expect(back.status).toBe('active');
    expect(back.phase).toBe('activation');
    expect(back.pathRun).toBe(2);
    expect(back.earlierPaths).toMatchObject([{ pathRun: 1, outflowType: 'education' }]);
    expect(back.attendance).toEqual({}); // counts belong to a run
    // Re-entry starts a fresh run of the workflow (continue-as-new) with the earlier one kept.
    await h.env.sleep(1000);
    const description = await path.handle.describe();
    expect(description.runId).not.toBe(path.handle.firstExecutionRunId);
    expect((await path.view()).pathRun).toBe(2);
    expect(path.events().map((e) => [e.pathRun, e.event.type]).slice(-2)).toEqual([
      [2, 'path_reentered'],
      [2, 'phase_changed'],
    ]);
  });

  it('assigns another coach, who gets the notice', async () => {
    const path = await h.start();
    const other = 'bbbbbbbb-0000-4000-8000-000000000002';
    const view = await path.act('assignCoach', { coachId: other });
    expect(view.coachId).toBe(other);
    await expectRefused(path, 'assignCoach', { coachId: other }, /volgt de deelnemer al/);
    await h.env.sleep(1000);
    expect(path.emails().some((e) => 'coachId' in e.recipient && e.recipient.coachId === other && e.template === 'coach_new_participant')).toBe(true);
  });
});

describe('years, not months', () => {
  // A server of its own: skipping a year on the shared one would fire a year of timers of every
  // path the other tests left running, and this test would measure that instead.
  let alone: PathHarness;
  beforeAll(async () => {
    alone = await startPathHarness();
  });
  afterAll(async () => {
    await alone?.stop();
  });

  it('continue-as-new keeps the state and the pending timers', async () => {
    const h = alone;
    const path = await h.start({ maxHistoryEvents: 40 });
    await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['open_house'] });
    for (let i = 0; i < 8; i += 1) await path.act('logContact', { kind: 'conversation' });
    await h.env.sleep(1000);
    const description = await path.handle.describe();
    expect(description.runId).not.toBe(path.handle.firstExecutionRunId);
    const view = await path.view();
    expect(view.phase).toBe('focus');
    expect(view.agreement?.status).toBe('active');
    // The agreement's timers still fire in the new run.
    await h.skipTo(Date.parse(`${view.agreement!.endDate}T12:00:00Z`));
    const after = await path.view();
    expect(after.agreement?.status).toBe('expired');
    expect(path.tasks().filter((t) => t.kind === 'agreement_evaluation')).toHaveLength(1);
    expect(path.emails().filter((e) => e.template === 'agreement_ending_soon')).toHaveLength(1);
  });
});

// History privacy (no name, address or note in any payload) is proven with a real, named intake
// in tests/intake.integration.test.ts and tests/data-erasure.test.ts.
describe('a worker restart', () => {
  // On the dev server: see startPathHarness.
  let dev: PathHarness;
  beforeAll(async () => {
    dev = await startPathHarness(inject('temporalCli'), { devServer: true });
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it('replays the path without a second task or email', async () => {
    const path = await dev.start();
    await path.act('signalCrisis', { kind: 'focus_crisis', move: true });
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['open_house'] });
    await dev.env.sleep(1000);
    const tasks = path.tasks().length;
    const emails = path.emails().length;
    const calls = { ...dev.recorder.calls };
    await dev.restartWorker();
    // The new worker has an empty cache: the next action replays the whole history first.
    await path.act('logContact', { kind: 'conversation' });
    await dev.env.sleep(1000);
    expect(path.tasks()).toHaveLength(tasks);
    expect(path.emails()).toHaveLength(emails);
    expect(dev.recorder.calls.sendEmail).toBe(calls.sendEmail);
    expect(dev.recorder.calls.recordAll).toBe(calls.recordAll + 1); // only the new contact's record
  });
});

describe('search', () => {
  it('publishes phase, coach, site and status as search attributes', async () => {
    const path = await inFocus();
    await h.env.sleep(500);
    const description = await path.handle.describe();
    expect(description.searchAttributes).toMatchObject({ Phase: ['focus'], CoachId: [path.coachId], PathStatus: ['active'] });
  });
});

describe('the participant confirms the agreement (their own page)', () => {
  it('records the confirmation once; a second one, another id or no agreement is refused with a reason', async () => {
    const path = await inFocus();
    await expectRefused(path, 'confirmAgreement', { agreementId: 'aaaaaaaa-0000-4000-8000-00000000beef' }, /loopt niet/);
    const signed = await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['stuyflab'] });
    const agreementId = signed.agreement!.id;
    await expectRefused(path, 'confirmAgreement', { agreementId: 'aaaaaaaa-0000-4000-8000-00000000beef' }, /loopt niet/);
    const confirmed = await path.act('confirmAgreement', { agreementId });
    expect(confirmed.agreement!.confirmedAt).toBeTypeOf('number');
    await expectRefused(path, 'confirmAgreement', { agreementId }, /al bevestigd/);
    await h.env.sleep(1000);
    const records = path.events().filter((e) => e.event.type === 'agreement_confirmed');
    expect(records.map((e) => e.event)).toEqual([{ type: 'agreement_confirmed', agreementId, at: confirmed.agreement!.confirmedAt }]);
    await path.act('closeAgreement', { outcome: 'stopped' });
    await expectRefused(path, 'confirmAgreement', { agreementId }, /loopt niet/);
  });
});
