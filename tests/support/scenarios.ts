import { linkUpdates, pathUpdates, referralAnswerUpdateId } from '../../domain/messages.js';
import { GOAL_NOTE_ID, type PathHarness } from './path-harness.js';

/**
 * Whole paths as they happen in a Stuyfplek, used to record the histories in tests/histories/
 * that the replay test checks every later change of the workflow against.
 */

const DAY = 86_400_000;

async function wait(h: PathHarness, days: number) {
  await h.skipTo((await h.now()) + days * DAY);
}

/** Eighteen months: orientation, a warm referral, the focus crisis, an agreement with steps, the status crisis, activation, outflow and aftercare. */
export async function eighteenMonthPath(h: PathHarness) {
  const path = await h.start();
  await wait(h, 21);
  await path.act('logAttendance', { kind: 'open_house' });
  await path.act('logContact', { kind: 'conversation', noteId: 'dddddddd-0000-4000-8000-000000000001' });
  const referred = await path.act('referOut', { partner: 'ocmw' });
  const housing = referred.referrals[0]!.id;
  await path.act('updateReferral', { referralId: housing, status: 'introduced' });
  await wait(h, 15);
  await path.act('updateReferral', { referralId: housing, status: 'accepted' });
  await wait(h, 35);
  await path.act('logAttendance', { kind: 'connectors_table' });
  await path.act('signalCrisis', { kind: 'focus_crisis', move: true });
  await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['connectors_table', 'coworking', 'stuyflab'], privileges: ['space', 'resources', 'network'] });
  const step = await path.act('registerStep', { status: 'needed' });
  await wait(h, 30);
  await path.act('registerStep', { stepId: step.steps[0]!.id, status: 'done' });
  await wait(h, 50);
  await path.act('logAttendance', { kind: 'coworking' });
  await path.act('signalCrisis', { kind: 'status_crisis', move: true });
  const starter = await path.act('referOut', { partner: 'starterslabo' });
  const lab = starter.referrals[1]!.id;
  await path.act('updateReferral', { referralId: lab, status: 'introduced' });
  await wait(h, 20);
  await path.act('updateReferral', { referralId: lab, status: 'accepted' });
  await wait(h, 230);
  await path.act('closeAgreement', { outcome: 'completed' });
  await path.act('outflow', { type: 'self_employed' });
  await wait(h, 60);
  await path.act('logContact', { kind: 'reply' });
  await wait(h, 100);
  return path;
}

/** Outflow, aftercare, a closed path, and a re-entry into focus a while later. */
export async function reentryPath(h: PathHarness) {
  const path = await h.start();
  await path.act('signalCrisis', { kind: 'focus_crisis', move: false });
  await path.act('outflow', { type: 'stopped' });
  await wait(h, 100);
  await path.act('reenter', { phase: 'focus' });
  await wait(h, 1);
  await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['open_house'] });
  await path.act('assignCoach', { coachId: 'eeeeeeee-0000-4000-8000-000000000005' });
  await wait(h, 50);
  return path;
}

/** A participant who asks to be forgotten. */
export async function forgottenPath(h: PathHarness) {
  const path = await h.start();
  await path.act('changePhase', { to: 'focus', reason: 'participant_request' });
  await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['stuyflab'] });
  await path.act('forget');
  await path.handle.result();
  return path;
}

/**
 * Warm referrals answered by partners through their links: one answered before the follow-up
 * (no follow-up ever comes), one after the follow-up task went out (the answer settles it), the
 * same form sent twice (one update), and an answer refused because the coach closed it first.
 */
export async function partnerAnswerPath(h: PathHarness) {
  const path = await h.start();
  const linkA = 'ffffffff-0000-4000-8000-00000000000a';
  const linkB = 'ffffffff-0000-4000-8000-00000000000b';
  const linkC = 'ffffffff-0000-4000-8000-00000000000c';
  const answer = (referralId: string, linkId: string, input: Record<string, string>) =>
    path.handle.executeUpdate(linkUpdates.answerReferral, { args: [{ referralId, linkId, ...input } as never], updateId: referralAnswerUpdateId(linkId) });
  const first = (await path.act('referOut', { partner: 'vdab' })).referrals[0]!.id;
  await path.act('updateReferral', { referralId: first, status: 'introduced' });
  await wait(h, 3);
  await answer(first, linkA, { answer: 'appointment', appointmentDate: '2026-12-15' });
  await answer(first, linkA, { answer: 'appointment', appointmentDate: '2026-12-15' });
  const second = (await path.act('referOut', { partner: 'starterslabo' })).referrals[1]!.id;
  await path.act('updateReferral', { referralId: second, status: 'introduced' });
  await wait(h, 16);
  await answer(second, linkB, { answer: 'declined' });
  const third = (await path.act('referOut', { partner: 'ocmw' })).referrals[2]!.id;
  await path.act('updateReferral', { referralId: third, status: 'introduced' });
  await path.act('updateReferral', { referralId: third, status: 'accepted' });
  await answer(third, linkC, { answer: 'accepted' }).catch(() => undefined);
  await wait(h, 20);
  return path;
}

/**
 * The participant confirms their agreement on their own page ("akkoord"), once: a second press
 * is refused by the validator (no event in the history), and the agreement runs on to its evaluation.
 */
export async function agreementConfirmedPath(h: PathHarness) {
  const path = await h.start();
  await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
  const signed = await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['connectors_table', 'stuyflab'], privileges: ['space'] });
  const agreementId = signed.agreement!.id;
  await wait(h, 2);
  await path.act('confirmAgreement', { agreementId });
  await path.act('confirmAgreement', { agreementId }).then(
    () => {
      throw new Error('a second confirmation was accepted');
    },
    () => undefined,
  );
  await wait(h, 60);
  await path.act('registerStep', { status: 'needed' });
  await wait(h, 30);
  return path;
}

/**
 * The path as the methodology has it: a step set and validated in orientation, a focus crisis
 * whose move is made a week later, a move back to orientation that pauses the agreement and a
 * move on that resumes it, outflow, aftercare closed as "not reached" after the grace period, and
 * a re-entry through the intake desk (a new referral source) that keeps the steps.
 */
export async function completePath(h: PathHarness) {
  const path = await h.start();
  const step = (await path.act('registerStep', { status: 'needed', noteId: 'dddddddd-0000-4000-8000-000000000011' })).steps[0]!;
  await wait(h, 10);
  await path.act('validateStep', { stepId: step.id, evidence: 'group_moment' });
  await path.act('signalCrisis', { kind: 'focus_crisis', move: false });
  await wait(h, 7);
  await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
  await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['connectors_table', 'stuyflab'] });
  await path.act('registerStep', { status: 'done' });
  await wait(h, 40);
  await path.act('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'pause' });
  await wait(h, 45);
  await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
  await wait(h, 60);
  await path.act('outflow', { type: 'structural_volunteering' });
  await wait(h, 130);
  await path.act('reenter', { phase: 'focus', referralSource: 'vdab' });
  await wait(h, 10);
  return path;
}

/**
 * Group moments as they happen: a focus crisis (an invitation to the next connectors table),
 * two registers counting the participant's attendance with the moment's id — the second sent
 * twice (one update by its id) and once more under another id (refused: already counted) — and
 * a stuyflab after outflow: people stay in the network.
 */
export async function groupMomentPath(h: PathHarness) {
  const path = await h.start();
  const facilitator = 'eeeeeeee-0000-4000-8000-0000000000f1';
  const table = 'abababab-0000-4000-8000-000000000001';
  const lab = 'abababab-0000-4000-8000-000000000002';
  const attend = (momentId: string, kind: string, updateId: string) =>
    path.handle.executeUpdate(pathUpdates.logAttendance, { args: [{ by: facilitator, kind, momentId } as never], updateId });
  await path.act('signalCrisis', { kind: 'focus_crisis', move: true });
  await wait(h, 7);
  await attend(table, 'connectors_table', `attendance/${table}/p`);
  await attend(table, 'connectors_table', `attendance/${table}/p`);
  await attend(table, 'connectors_table', 'another-id').then(
    () => {
      throw new Error('a second attendance at the same moment was counted');
    },
    () => undefined,
  );
  await path.act('outflow', { type: 'structural_volunteering' });
  await wait(h, 30);
  await attend(lab, 'stuyflab', `attendance/${lab}/p`);
  await wait(h, 20);
  return path;
}

/**
 * ESF+ after leaving (behind patched('esf-timers-after-leaving')): an outflow without the
 * situation, its result task after 28 days and the result recorded late in the window; a run
 * continued as new on the way (a small maxHistoryEvents); a re-entry before the six months; the
 * six-month task and question, the participant's answer and a second answer refused; then a
 * second leaving with the situation given at outflow.
 */
export async function esfPath(h: PathHarness) {
  const path = await h.start({ maxHistoryEvents: 30 });
  const out = await path.act('outflow', { type: 'regular_job' });
  for (let i = 0; i < 3; i += 1) await path.act('logContact', { kind: 'reply' });
  await wait(h, 30);
  const leftOn = new Date(out.leavings![0]!.at + 20 * DAY).toISOString().slice(0, 10);
  await path.act('recordLeavingResult', { situations: ['in_employment'], observedOn: leftOn });
  await wait(h, 40);
  await path.act('reenter', { phase: 'focus', referralSource: 'vdab' });
  await wait(h, 120);
  await path.act('answerFollowUp', { answer: 'working' });
  await path.act('answerFollowUp', { answer: 'not_working' }).then(
    () => {
      throw new Error('a second answer was accepted');
    },
    () => undefined,
  );
  await path.act('outflow', { type: 'education', situations: ['in_education'] });
  await wait(h, 35);
  return path;
}

export const SCENARIOS = {
  'complete-path': completePath,
  'group-moment-path': groupMomentPath,
  'eighteen-month-path': eighteenMonthPath,
  'reentry-path': reentryPath,
  'forgotten-path': forgottenPath,
  'partner-answer-path': partnerAnswerPath,
  'agreement-confirmed-path': agreementConfirmedPath,
  'esf-path': esfPath,
};
