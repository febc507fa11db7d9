import {
  CRISIS_LABELS,
  CRISIS_PROPOSALS,
  PARTNER_ANSWER_STATUS,
  PHASE_LABELS,
  REFERRAL_NEXT,
  REFERRAL_STATUS_LABELS,
  type Phase,
  type ReferralSource,
  type TaskKind,
} from './codes.js';
import type { ActionInput, CoachActionType, LinkActionType } from './action-spec.js';
import {
  addSpan,
  dueAfter,
  formatLocalDate,
  localTimeToInstant,
  parseLocalDate,
  spanBetween,
  toLocalDate,
} from './calendar.js';
import type { Effect, PathEvent } from './path-events.js';
import type { Agreement, Deadline, Leaving, PathState, PathView, Step } from './path-state.js';
import type { PathTimings } from './timings.js';
import type { AftercareOutcome } from './codes.js';
import type { CalendarSpan, LocalDate } from './calendar.js';
import type { EsfFollowUpAnswer, EsfSituation } from './esf.js';

/**
 * The rules of the growth path (README, "The path workflow") as pure functions over the path state. The workflow calls
 * `refusal` in its update validators and `apply` in its handlers; both run again on replay, so
 * nothing here reads a clock or makes an id: the caller passes `now` and `newId`.
 */

/** A coach's action, one per coach action of domain/action-spec.ts. */
export type Action = { [K in CoachActionType]: { type: K; input: ActionInput<K> } }[CoachActionType];

/** What comes through a signed link rather than from a coach. */
export type LinkAction = { [K in LinkActionType]: { type: K; input: ActionInput<K> } }[LinkActionType];

/** Every update the path takes: a coach's action or an answer through a link. */
export type PathAction = Action | LinkAction;

export interface StartInput {
  participantId: string;
  siteId: string;
  coachId: string | null;
  referralSource: ReferralSource;
  timings: PathTimings;
}

export function initialState(input: StartInput, now: number): PathState {
  return {
    participantId: input.participantId,
    siteId: input.siteId,
    coachId: input.coachId,
    referralSource: input.referralSource,
    pathRun: 1,
    startedAt: now,
    status: 'active',
    phase: 'orientation',
    phaseHistory: [{ at: now, from: null, to: 'orientation', by: 'intake', reason: 'other' }],
    crises: [],
    agreement: null,
    agreementsSigned: 0,
    lastContactAt: now,
    lastContactKind: 'intake',
    attendance: {},
    referrals: [],
    outflow: null,
    aftercare: null,
    steps: [],
    earlierPaths: [],
    seq: 0,
    timings: input.timings,
  };
}

/**
 * A state carried over from an earlier run (continue-as-new) in the shape of today: paths
 * carried before steps belonged to the person hold them in their agreement.
 */
export function upgradeState(state: PathState): PathState {
  state.steps ??= [];
  const agreement = state.agreement;
  if (agreement?.steps) {
    for (const step of agreement.steps) {
      if (!state.steps.some((s) => s.id === step.id)) state.steps.push({ ...step, agreementId: agreement.id, pathRun: state.pathRun });
    }
    delete agreement.steps;
  }
  return state;
}

/** The effects of the intake itself: the path row, the welcome email, the coach's notice. */
export function startEffects(state: PathState): Effect[] {
  const fx = new EffectLog(state);
  fx.record({ type: 'path_started', at: state.startedAt, referralSource: state.referralSource, phase: state.phase, coachId: state.coachId });
  fx.email('welcome', { participantId: state.participantId }, {});
  if (state.coachId) fx.email('coach_new_participant', { coachId: state.coachId }, { participantId: state.participantId });
  return fx.effects;
}

export function agreementIsActive(state: PathState): state is PathState & { agreement: Agreement } {
  return state.agreement?.status === 'active';
}

/** Active and not paused: its clock runs (check-ins, evaluation, end). */
export function agreementIsRunning(state: PathState): state is PathState & { agreement: Agreement } {
  return agreementIsActive(state) && state.agreement.pausedAt === undefined;
}

/**
 * The crisis a move to `to` confirms: the last crisis of this run proposed it, the coach did not
 * make the move then, and the phase has not changed since.
 */
function crisisAwaiting(state: PathState, to: PathState['phase']) {
  const crisis = state.crises.at(-1);
  if (!crisis || crisis.moved || crisis.proposed !== to) return undefined;
  const lastChange = state.phaseHistory.at(-1);
  return lastChange && lastChange.at > crisis.at ? undefined : crisis;
}

/** A step of the person, set in any run (carried agreements' steps were moved here by upgradeState). */
function findStep(state: PathState, id: string): Step | undefined {
  return state.steps.find((s) => s.id === id);
}

/**
 * The grace period of paths started before it was configurable (their timings lack it). Never
 * change this value: a replay of such a path would wait another time. Change AFTERCARE_GRACE.
 */
const GRACE_OF_EARLIER_PATHS = { weeks: 4 } as const;

/**
 * The ESF+ waits of paths started before they were configurable (their timings lack them). Never
 * change these values: a replay of such a path would wait another time. Change DEFAULT_TIMINGS.
 */
const ESF_RESULT_WINDOW_OF_EARLIER_PATHS = { days: 28 } as const;
const ESF_FOLLOW_UP_OF_EARLIER_PATHS = { months: 6 } as const;

function esfResultWindow(timings: PathTimings): CalendarSpan {
  return timings.esfResultWindow ?? ESF_RESULT_WINDOW_OF_EARLIER_PATHS;
}
function esfFollowUpAfter(timings: PathTimings): CalendarSpan {
  return timings.esfFollowUpAfter ?? ESF_FOLLOW_UP_OF_EARLIER_PATHS;
}

/** The leaving's local date (Europe/Brussels), the last day its result counts, and the day its follow-up comes. */
export function leavingDates(leaving: Leaving, timings: PathTimings): { leftOn: string; windowEnds: string; followUpOn: string } {
  const left = toLocalDate(leaving.at);
  return {
    leftOn: formatLocalDate(left),
    windowEnds: formatLocalDate(addSpan(left, esfResultWindow(timings))),
    followUpOn: formatLocalDate(addSpan(left, esfFollowUpAfter(timings))),
  };
}

const MONTH_NAMES = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
/** 2027-02-28 → "28 februari 2027", for the reasons below. */
function dutchDate(text: string): string {
  const d: LocalDate = parseLocalDate(text);
  return `${d.day} ${MONTH_NAMES[d.month - 1]} ${d.year}`;
}

/** The leaving a coach's result is about: the one that ended run `pathRun`, or the last leaving. */
function leavingOf(state: PathState, pathRun: number | undefined): Leaving | undefined {
  return pathRun === undefined ? state.leavings?.at(-1) : state.leavings?.find((l) => l.pathRun === pathRun);
}

/**
 * The participant's question: only the latest leaving whose follow-up went out, the one their
 * page shows. An earlier leaving still unanswered is the coach's to record (`recordFollowUp`).
 */
function latestAsked(state: PathState): Leaving | undefined {
  return [...(state.leavings ?? [])].reverse().find((l) => l.followUpAt !== undefined);
}

/** Why there is no leaving to record a result for (the action's `pathRun`, or none at all). */
function noLeaving(state: PathState, pathRun: number | undefined): string {
  if (pathRun !== undefined && state.leavings?.length) return `Er is geen uitstroom van groeipad ${pathRun} om een resultaat voor te noteren.`;
  // Outflows of runs that started before the ESF+ follow-up (their patch) have no leaving.
  if (state.outflow || state.earlierPaths.length > 0) return NO_ESF_LEAVING;
  return NO_LEAVING;
}

const NO_LEAVING = 'De deelnemer is nog niet uitgestroomd: een resultaat na uitstroom kan pas na de uitstroom.';
const NO_ESF_LEAVING = 'Deze uitstroom werd genoteerd voor de ESF-opvolging bestond: er is geen resultaat na uitstroom te noteren.';
/** The participant's page shows "al beantwoord" for this refusal instead of an error. */
export const ALREADY_ANSWERED = 'Je hebt deze vraag al beantwoord. Dank je wel!';
/** The participant's page shows that there is no question for them now. */
export const NO_OPEN_QUESTION = 'Er staat nu geen vraag voor je open.';

/** Contacts that end aftercare once the reconnect task is out: talking with the person, or their reply. */
const RECONNECT_KINDS: ReadonlySet<string> = new Set(['conversation', 'reply']);

export const CLOSED_FOR_GOOD = 'Dit groeipad is beëindigd op vraag van de deelnemer.';
const NOT_ACTIVE = 'De deelnemer is uitgestroomd; laat hem of haar eerst opnieuw instappen.';
const NO_AGREEMENT = 'Er loopt geen groeiovereenkomst.';
/** The participant's page shows "al bevestigd" for this refusal instead of an error. */
export const ALREADY_CONFIRMED = 'Je hebt deze groeiovereenkomst al bevestigd.';
/** A group moment's register sent again (or retried): the attendance was counted already; the register treats it as done. */
export const ALREADY_COUNTED = 'Deze aanwezigheid op dit groepsmoment is al geteld.';
const NOT_THIS_AGREEMENT = 'Deze groeiovereenkomst loopt niet (meer); vraag je coach naar je huidige groeiovereenkomst.';

/** Why an action cannot be done now, in Dutch for the form; null when it can. */
export function refusal(state: PathState, action: PathAction, now: number): string | null {
  if (state.status === 'forgotten') return CLOSED_FOR_GOOD;
  switch (action.type) {
    case 'signalCrisis': {
      if (state.status !== 'active') return NOT_ACTIVE;
      const proposal = CRISIS_PROPOSALS[action.input.kind];
      if (action.input.move && state.phase !== proposal.from) {
        return `Een ${CRISIS_LABELS[action.input.kind].toLowerCase()} stelt alleen vanuit ${PHASE_LABELS[proposal.from].toLowerCase()} een overstap naar ${PHASE_LABELS[proposal.to].toLowerCase()} voor; de deelnemer zit in ${PHASE_LABELS[state.phase].toLowerCase()}.`;
      }
      return null;
    }
    case 'changePhase':
      if (state.status !== 'active') return NOT_ACTIVE;
      if (state.phase === action.input.to) return `De deelnemer zit al in de fase ${PHASE_LABELS[state.phase].toLowerCase()}.`;
      return null;
    case 'signAgreement':
      if (state.status !== 'active') return NOT_ACTIVE;
      if (state.phase === 'orientation') return 'Een groeiovereenkomst wordt getekend in de focus- of activeringsfase, niet in oriëntatie.';
      if (agreementIsActive(state)) return 'Er loopt al een groeiovereenkomst; verleng of sluit die eerst.';
      if (action.input.startDate && agreementTerm(action.input.startDate, state.timings).endDate < formatLocalDate(toLocalDate(now))) {
        return 'Met deze startdatum zou de groeiovereenkomst al afgelopen zijn; kies een recentere datum.';
      }
      if (!action.input.goalNoteId) return 'Een groeiovereenkomst heeft een groeidoel: schrijf het doel van de deelnemer op.';
      return null;
    case 'renewAgreement':
    case 'closeAgreement':
      if (!agreementIsActive(state)) return NO_AGREEMENT;
      return null;
    case 'resumeAgreement':
      if (!agreementIsActive(state)) return NO_AGREEMENT;
      if (state.agreement.pausedAt === undefined) return 'De groeiovereenkomst is niet gepauzeerd; ze loopt al.';
      return null;
    case 'logContact':
      return null;
    case 'logAttendance':
      if (action.input.momentId && state.attendedMoments?.includes(action.input.momentId)) return ALREADY_COUNTED;
      return null;
    case 'registerStep':
      if (state.status !== 'active') return NOT_ACTIVE;
      if (action.input.stepId) {
        const step = findStep(state, action.input.stepId);
        if (!step) return 'Die stap bestaat niet.';
        if (step.validation) return 'Deze stap is al gevalideerd; wijzigen kan niet meer.';
      }
      return null;
    case 'validateStep': {
      const step = findStep(state, action.input.stepId);
      if (!step) return 'Die stap bestaat niet.';
      if (step.validation) return 'Deze stap is al gevalideerd.';
      return null;
    }
    case 'referOut':
      if (state.status !== 'active') return NOT_ACTIVE;
      return null;
    case 'updateReferral': {
      const referral = state.referrals.find((r) => r.id === action.input.referralId);
      if (!referral) return 'Die doorverwijzing bestaat niet.';
      if (!REFERRAL_NEXT[referral.status].includes(action.input.status)) {
        return `Een doorverwijzing met status "${REFERRAL_STATUS_LABELS[referral.status].toLowerCase()}" kan niet naar "${REFERRAL_STATUS_LABELS[action.input.status].toLowerCase()}".`;
      }
      return null;
    }
    case 'outflow':
      if (state.status !== 'active') return 'De deelnemer is al uitgestroomd.';
      return null;
    case 'recordLeavingResult': {
      const leaving = leavingOf(state, action.input.pathRun);
      if (!leaving) return noLeaving(state, action.input.pathRun);
      const { leftOn, windowEnds } = leavingDates(leaving, state.timings);
      const today = formatLocalDate(toLocalDate(now));
      const observedOn = action.input.observedOn ?? today;
      if (observedOn > today) return 'De datum ligt in de toekomst: noteer de situatie zoals ze al was.';
      if (observedOn < leftOn) return `Het resultaat na uitstroom telt vanaf de dag van de uitstroom (${dutchDate(leftOn)}).`;
      if (observedOn > windowEnds) {
        return action.input.observedOn
          ? `Het resultaat na uitstroom telt tot ${dutchDate(windowEnds)}; kies een datum van ${dutchDate(leftOn)} tot dan.`
          : `Het resultaat na uitstroom telt tot ${dutchDate(windowEnds)}: vul de datum in waarop de situatie zo was, van ${dutchDate(leftOn)} tot dan.`;
      }
      return null;
    }
    case 'recordFollowUp': {
      const leaving = leavingOf(state, action.input.pathRun);
      if (!leaving) return noLeaving(state, action.input.pathRun);
      const { leftOn, followUpOn } = leavingDates(leaving, state.timings);
      // Asked before its day (the configured wait), the answer would not be the follow-up result.
      if (formatLocalDate(toLocalDate(now)) < followUpOn) {
        return `Het antwoord op de opvolgvraag na de uitstroom van ${dutchDate(leftOn)} kan pas genoteerd worden vanaf ${dutchDate(followUpOn)}.`;
      }
      return null;
    }
    case 'reenter':
      if (state.status === 'active') return 'De deelnemer zit nog op zijn of haar groeipad; opnieuw instappen kan pas na uitstroom.';
      return null;
    case 'assignCoach':
      if (state.coachId === action.input.coachId) return 'Deze coach volgt de deelnemer al.';
      return null;
    case 'forget':
      return null;
    case 'answerReferral': {
      const referral = state.referrals.find((r) => r.id === action.input.referralId);
      if (!referral) return 'Die doorverwijzing bestaat niet.';
      if (referral.status !== 'introduced') {
        return referral.partnerAnswer
          ? 'Op deze doorverwijzing werd al geantwoord.'
          : `Deze doorverwijzing wacht niet meer op een antwoord: ze staat op "${REFERRAL_STATUS_LABELS[referral.status].toLowerCase()}".`;
      }
      return null;
    }
    case 'confirmAgreement':
      if (!agreementIsActive(state) || state.agreement.id !== action.input.agreementId) return NOT_THIS_AGREEMENT;
      if (state.agreement.confirmedAt !== undefined) return ALREADY_CONFIRMED;
      return null;
    case 'answerFollowUp': {
      const asked = latestAsked(state);
      if (!asked) return NO_OPEN_QUESTION;
      return asked.followUp ? ALREADY_ANSWERED : null;
    }
  }
}

/** Collects effects with keys that are unique per workflow event. */
class EffectLog {
  readonly effects: Effect[] = [];
  constructor(private readonly state: PathState) {}

  private key(suffix: string): string {
    return `${this.state.participantId}/${this.state.pathRun}/${this.state.seq}/${suffix}`;
  }
  record(event: PathEvent): void {
    this.effects.push({ type: 'record', key: this.key(`record/${event.type}`), pathRun: this.state.pathRun, event });
  }
  /** `pathRun`: the run the task is about, when it is an earlier one (a leaving's ESF+ tasks). */
  task(kind: TaskKind, dueAt: number, cause: string, pathRun = this.state.pathRun): void {
    this.effects.push({
      type: 'task',
      key: this.key(`task/${kind}`),
      pathRun,
      kind,
      dueAt,
      coachId: this.state.coachId,
      cause,
    });
  }
  email(template: Extract<Effect, { type: 'email' }>['template'], recipient: Extract<Effect, { type: 'email' }>['recipient'], params: Record<string, string | number>): void {
    const who = 'participantId' in recipient ? 'participant' : `coach/${recipient.coachId}`;
    this.effects.push({ type: 'email', key: this.key(`email/${template}/${who}`), template, recipient, params });
  }
}

type PhaseChangeExtras = Pick<PathState['phaseHistory'][number], 'crisisAt' | 'agreementChoice'>;

function moveTo(
  state: PathState,
  fx: EffectLog,
  to: Phase,
  by: string,
  reason: PathState['phaseHistory'][number]['reason'],
  now: number,
  noteId?: string,
  extras: PhaseChangeExtras = {},
): void {
  const from = state.phase;
  const change = { at: now, from, to, by, reason, noteId, ...extras };
  state.phaseHistory.push(change);
  state.phase = to;
  fx.record({ type: 'phase_changed', change });
  // Moving on out of orientation (a phase change or a crisis's move) resumes a paused agreement.
  if (from === 'orientation' && to !== 'orientation' && agreementIsActive(state) && state.agreement.pausedAt !== undefined) resumeAgreement(state, fx, now);
}

function touchContact(state: PathState, at: number, kind: PathState['lastContactKind']): void {
  // Contacts are logged as they happen ("now"); an earlier instant never moves the clock back.
  if (at >= state.lastContactAt) {
    state.lastContactAt = at;
    state.lastContactKind = kind;
  }
  // Aftercare waits three months after the last contact: a contact restarts the wait (until the
  // reconnect task is out; then the path waits for the conversation itself).
  if (state.status === 'aftercare' && state.aftercare && state.aftercare.taskAt === undefined) state.aftercare.dueAt = aftercareDue(state);
}

/** Aftercare ends: the path closes, the person stays in the network. */
function closeAftercare(state: PathState, fx: EffectLog, outcome: AftercareOutcome, now: number, by?: string): void {
  state.status = 'closed';
  state.aftercare = { ...state.aftercare!, closedAt: now, outcome, ...(outcome === 'reached' ? { reconnectedAt: now } : {}) };
  // The reconnect task is done once the conversation happened (by whoever had it); after the grace period it stays open.
  fx.record({ type: 'aftercare_closed', at: now, outcome, ...(outcome === 'reached' ? { settlesTask: 'aftercare', ...(by ? { by } : {}) } : {}) });
}

/** A paused agreement runs again: its end (and the evaluation before it) move by the pause, in calendar months and days. */
function resumeAgreement(state: PathState & { agreement: Agreement }, fx: EffectLog, now: number): void {
  const agreement = state.agreement;
  const shift = spanBetween(toLocalDate(agreement.pausedAt!), toLocalDate(now));
  agreement.endDate = formatLocalDate(addSpan(parseLocalDate(agreement.endDate), shift));
  agreement.pausedAt = undefined;
  agreement.resumedAt = now;
  // An evaluation that went out before the pause named the old end: it comes again for the new
  // one, at its moved time (already past when the pause began after it: then at once).
  agreement.evaluationAt = undefined;
  fx.record({ type: 'agreement_resumed', agreementId: agreement.id, at: now, shift, endDate: agreement.endDate });
}

function agreementTerm(startDate: string, timings: PathTimings): { startDate: string; endDate: string } {
  return { startDate, endDate: formatLocalDate(addSpan(parseLocalDate(startDate), timings.agreementLength)) };
}

/**
 * Applies an action that `refusal` allowed. Mutates the state (the workflow's own copy) and
 * returns the effects to carry out, in order.
 */
export function apply(state: PathState, action: PathAction, now: number, newId: () => string): Effect[] {
  state.seq += 1;
  const fx = new EffectLog(state);
  switch (action.type) {
    case 'signalCrisis': {
      const { kind, move, by, noteId } = action.input;
      const proposal = CRISIS_PROPOSALS[kind];
      const proposed = state.phase === proposal.from ? proposal.to : null;
      const crisis = { at: now, kind, by, proposed, moved: move && proposed !== null, noteId };
      state.crises.push(crisis);
      fx.record({ type: 'crisis_signalled', crisis });
      // A crisis always asks for a coaching conversation.
      fx.task('coaching_conversation', now, kind);
      if (crisis.moved && proposed) moveTo(state, fx, proposed, by, 'crisis', now, noteId);
      // A focus crisis invites the participant to the next connectors table of their site.
      if (kind === 'focus_crisis') fx.record({ type: 'connectors_table_invited', at: now });
      break;
    }
    case 'changePhase': {
      const { to, by, reason, noteId } = action.input;
      const crisis = crisisAwaiting(state, to);
      // What the coach chose for a running agreement, on a move back to orientation only.
      const choice = to === 'orientation' && agreementIsRunning(state) ? (action.input.agreementChoice ?? 'continue') : undefined;
      moveTo(state, fx, to, by, reason, now, noteId, { ...(crisis ? { crisisAt: crisis.at } : {}), ...(choice ? { agreementChoice: choice } : {}) });
      if (crisis) {
        crisis.moved = true;
        crisis.confirmedAt = now;
        fx.record({ type: 'crisis_confirmed', at: now, crisisAt: crisis.at, kind: crisis.kind });
      }
      if (choice === 'pause' && agreementIsActive(state)) {
        state.agreement.pausedAt = now;
        fx.record({ type: 'agreement_paused', agreementId: state.agreement.id, at: now });
      }
      if (choice === 'end') endAgreement(state, fx, 'stopped', now);
      break;
    }
    case 'signAgreement': {
      const { by, startDate, commitments, privileges, goalNoteId } = action.input;
      const term = agreementTerm(startDate ?? formatLocalDate(toLocalDate(now)), state.timings);
      const agreement: Agreement = {
        id: newId(),
        coachId: state.coachId ?? by,
        signedAt: now,
        ...term,
        commitments: [...new Set(commitments)],
        privileges: [...new Set(privileges)],
        goalNoteId,
        status: 'active',
        renewals: 0,
      };
      state.agreement = agreement;
      state.agreementsSigned += 1;
      fx.record({ type: 'agreement_signed', agreement });
      fx.email('agreement_confirmation', { participantId: state.participantId }, { startDate: term.startDate, endDate: term.endDate });
      break;
    }
    case 'renewAgreement': {
      const agreement = state.agreement!;
      const term = agreementTerm(agreement.endDate, state.timings);
      Object.assign(agreement, term, { renewals: agreement.renewals + 1, evaluationAt: undefined });
      fx.record({ type: 'agreement_renewed', at: now, agreementId: agreement.id, ...term, renewals: agreement.renewals });
      fx.email('agreement_confirmation', { participantId: state.participantId }, { ...term, renewed: 1 });
      break;
    }
    case 'closeAgreement':
      endAgreement(state, fx, action.input.outcome, now);
      break;
    case 'resumeAgreement':
      resumeAgreement(state as PathState & { agreement: Agreement }, fx, now);
      break;
    case 'logContact':
      touchContact(state, now, action.input.kind);
      fx.record({ type: 'contact_logged', at: now, kind: action.input.kind, by: action.input.by, noteId: action.input.noteId });
      // The reconnect task is out: this conversation (or reply) is the reconnect, and aftercare ends.
      if (state.status === 'aftercare' && state.aftercare?.taskAt !== undefined && RECONNECT_KINDS.has(action.input.kind)) closeAftercare(state, fx, 'reached', now, action.input.by);
      break;
    case 'logAttendance': {
      const { kind, by, momentId } = action.input;
      state.attendance[kind] = (state.attendance[kind] ?? 0) + 1;
      if (momentId) state.attendedMoments = [...(state.attendedMoments ?? []), momentId];
      touchContact(state, now, 'group_moment');
      fx.record({ type: 'attendance_logged', at: now, kind, date: action.input.date ?? formatLocalDate(toLocalDate(now)), by, ...(momentId ? { momentId } : {}) });
      break;
    }
    case 'registerStep': {
      const { stepId, status, noteId, by } = action.input;
      let step = stepId ? findStep(state, stepId) : undefined;
      if (step) Object.assign(step, { status, at: now, noteId: noteId ?? step.noteId });
      else {
        step = { id: newId(), status, at: now, noteId, pathRun: state.pathRun, ...(agreementIsActive(state) ? { agreementId: state.agreement.id } : {}) };
        state.steps.push(step);
      }
      fx.record({ type: 'step_registered', agreementId: step.agreementId, step: { ...step }, by });
      break;
    }
    case 'validateStep': {
      const { stepId, evidence, noteId, by } = action.input;
      const step = findStep(state, stepId)!;
      step.validation = { at: now, by, evidence, ...(noteId ? { noteId } : {}) };
      step.status = 'done';
      fx.record({ type: 'step_validated', stepId, validation: { ...step.validation } });
      break;
    }
    case 'referOut': {
      const referral = { id: newId(), partner: action.input.partner, status: 'proposed' as const, proposedAt: now, noteId: action.input.noteId };
      state.referrals.push(referral);
      fx.record({ type: 'referral_out_changed', at: now, referral: { ...referral }, by: action.input.by });
      break;
    }
    case 'updateReferral': {
      const referral = state.referrals.find((r) => r.id === action.input.referralId)!;
      referral.status = action.input.status;
      if (referral.status === 'introduced') referral.introducedAt = now;
      fx.record({ type: 'referral_out_changed', at: now, referral: { ...referral }, by: action.input.by });
      break;
    }
    case 'outflow': {
      const { type, by, noteId, situations } = action.input;
      if (agreementIsActive(state)) endAgreement(state, fx, 'ended_by_outflow', now);
      state.outflow = { at: now, type, by };
      state.status = 'aftercare';
      state.aftercare = { dueAt: aftercareDue(state) };
      // ESF+: only in a run that decided for the ESF+ timers (its patch, once at the run's start).
      // A run from before replayed on this code must not add leavings for its outflows: the next
      // run would fire their long-due timers at once (a result task, a follow-up, an email to
      // someone long gone). Situations given in such a run are dropped (the workflow logs it);
      // the outflow itself is recorded as always.
      if (!state.rules?.esfTimers) {
        fx.record({ type: 'outflow_recorded', at: now, outflowType: type, by, noteId });
        break;
      }
      // Every leaving is kept, with its own timers (deadlines()); the days its results are about
      // go with the outflow (public.outflows), computed once, here, from the path's own timings.
      const leaving: Leaving = { pathRun: state.pathRun, at: now };
      const { windowEnds, followUpOn } = leavingDates(leaving, state.timings);
      fx.record({ type: 'outflow_recorded', at: now, outflowType: type, by, noteId, resultWindowEnds: windowEnds, followUpOn });
      state.leavings = [...(state.leavings ?? []), leaving];
      // The situation at leaving, when the coach gave it, is its result observed on the day of leaving.
      if (situations) recordLeavingResult(fx, leaving, situations, formatLocalDate(toLocalDate(now)), by, now);
      break;
    }
    case 'recordLeavingResult': {
      const { situations, observedOn, by, pathRun } = action.input;
      recordLeavingResult(fx, leavingOf(state, pathRun)!, situations, observedOn ?? formatLocalDate(toLocalDate(now)), by, now);
      break;
    }
    case 'recordFollowUp':
      recordFollowUp(fx, leavingOf(state, action.input.pathRun)!, action.input.answer, 'coach', now, action.input.by);
      break;
    case 'answerFollowUp':
      recordFollowUp(fx, latestAsked(state)!, action.input.answer, 'participant', now);
      break;
    case 'reenter': {
      const previousRun = state.pathRun;
      state.earlierPaths.push({ pathRun: previousRun, startedAt: state.startedAt, endedAt: now, outflowType: state.outflow?.type ?? null });
      Object.assign(state, {
        pathRun: previousRun + 1,
        startedAt: now,
        status: 'active',
        phaseHistory: [],
        crises: [],
        agreement: null,
        agreementsSigned: 0,
        attendance: {},
        referrals: [],
        outflow: null,
        aftercare: null,
        lastReachOutAt: undefined,
        lastCheckInAt: undefined,
      } satisfies Partial<PathState>);
      // Validated steps (all steps) stay with the person: state.steps is not reset.
      const { referralSource } = action.input;
      if (referralSource) state.referralSource = referralSource;
      const reentryLog = new EffectLog(state);
      const change = { at: now, from: null, to: action.input.phase, by: action.input.by, reason: 're_entry' as const, noteId: action.input.noteId };
      state.phaseHistory.push(change);
      state.phase = action.input.phase;
      touchContact(state, now, 'conversation');
      reentryLog.record({ type: 'path_reentered', at: now, phase: action.input.phase, by: action.input.by, previousRun, ...(referralSource ? { referralSource } : {}) });
      reentryLog.record({ type: 'phase_changed', change });
      return reentryLog.effects;
    }
    case 'assignCoach':
      state.coachId = action.input.coachId;
      fx.record({ type: 'coach_assigned', at: now, coachId: action.input.coachId, by: action.input.by });
      fx.email('coach_new_participant', { coachId: action.input.coachId }, { participantId: state.participantId });
      break;
    case 'forget':
      state.status = 'forgotten';
      if (agreementIsActive(state)) endAgreement(state, fx, 'stopped', now);
      fx.record({ type: 'path_forgotten', at: now, by: action.input.by, ...(action.input.reason ? { reason: action.input.reason } : {}) });
      fx.effects.push({ type: 'erase', key: `${state.participantId}/erase` });
      break;
    case 'answerReferral': {
      const { referralId, answer, appointmentDate, linkId } = action.input;
      const referral = state.referrals.find((r) => r.id === referralId)!;
      // An appointment counts as accepted and keeps its date. Out of "introduced", the
      // follow-up deadline (deadlines()) is gone; a follow-up task that already went out is
      // completed by the record.
      referral.status = PARTNER_ANSWER_STATUS[answer];
      referral.partnerAnswer = { at: now, answer, linkId, ...(appointmentDate ? { appointmentDate } : {}) };
      fx.record({
        type: 'referral_answered',
        at: now,
        referral: { ...referral, partnerAnswer: { ...referral.partnerAnswer } },
        ...(referral.followUpAt !== undefined ? { settlesTask: `referral/${referral.id}` } : {}),
      });
      break;
    }
    case 'confirmAgreement': {
      const agreement = state.agreement!;
      agreement.confirmedAt = now;
      fx.record({ type: 'agreement_confirmed', agreementId: agreement.id, at: now });
      break;
    }
  }
  return fx.effects;
}

/**
 * A situation after the leaving, observed on a day in its window: recorded as it is (every one is
 * in esf_results); the path keeps the last observed, the one that counts. It completes the
 * result task if that already went out; before it, no task comes.
 */
function recordLeavingResult(fx: EffectLog, leaving: Leaving, situations: readonly EsfSituation[], observedOn: string, by: string, now: number): void {
  const unique = [...new Set(situations)];
  if (!leaving.result || observedOn >= leaving.result.observedOn) leaving.result = { observedOn, situations: unique, at: now };
  fx.record({
    type: 'esf_result_recorded',
    at: now,
    kind: 'leaving',
    pathRun: leaving.pathRun,
    observedOn,
    situations: unique,
    source: 'coach',
    by,
    ...(leaving.resultTaskAt !== undefined ? { settlesTask: `esf_leaving/${leaving.pathRun}` } : {}),
  });
}

/** The answer to "werk je op dit moment?": a later answer of the coach corrects it; it completes the follow-up task that went out. */
function recordFollowUp(fx: EffectLog, leaving: Leaving, answer: EsfFollowUpAnswer, source: 'coach' | 'participant', now: number, by?: string): void {
  leaving.followUp = { answer, at: now, source };
  fx.record({
    type: 'esf_result_recorded',
    at: now,
    kind: 'six_months',
    pathRun: leaving.pathRun,
    observedOn: formatLocalDate(toLocalDate(now)),
    followUp: answer,
    source,
    ...(by ? { by } : {}),
    ...(leaving.followUpAt !== undefined ? { settlesTask: `esf_follow_up/${leaving.pathRun}` } : {}),
  });
}

function endAgreement(state: PathState, fx: EffectLog, status: Agreement['status'], now: number): void {
  const agreement = state.agreement!;
  agreement.status = status;
  agreement.endedAt = now;
  agreement.pausedAt = undefined;
  fx.record({ type: 'agreement_ended', agreementId: agreement.id, status, at: now });
}

/** The evaluation of the agreement's current term: `evaluationLead` before its end, at the local hour. */
function evaluationDue(agreement: Agreement, timings: PathTimings): number {
  return localTimeToInstant(addSpan(parseLocalDate(agreement.endDate), timings.evaluationLead, -1), timings.localHour);
}

function aftercareDue(state: PathState): number {
  return dueAfter(state.lastContactAt, state.timings.aftercareAfter, state.timings.localHour);
}

/** Every timer the path is waiting on, derived from the state alone (so continue-as-new carries them). */
export function deadlines(state: PathState): Deadline[] {
  const { timings } = state;
  const hour = timings.localHour;
  const list: Deadline[] = [];
  if (state.status === 'active') {
    // A paused agreement's clock waits; the participant is back in orientation meanwhile.
    if (agreementIsRunning(state)) {
      const agreement = state.agreement;
      const quietSince = Math.max(state.lastContactAt, agreement.signedAt, agreement.resumedAt ?? 0, state.lastCheckInAt ?? 0);
      list.push({ kind: 'check_in', at: dueAfter(quietSince, timings.checkInAfter, hour) });
      if (agreement.evaluationAt === undefined) list.push({ kind: 'agreement_evaluation', at: evaluationDue(agreement, timings) });
      list.push({ kind: 'agreement_end', at: localTimeToInstant(parseLocalDate(agreement.endDate), hour) });
    } else if (state.phase === 'orientation') {
      const quietSince = Math.max(state.lastContactAt, state.lastReachOutAt ?? 0);
      list.push({ kind: 'reach_out', at: dueAfter(quietSince, timings.reachOutAfter, hour) });
    }
  }
  if (state.status === 'active' || state.status === 'aftercare') {
    for (const referral of state.referrals) {
      if (referral.status === 'introduced' && referral.introducedAt !== undefined && referral.followUpAt === undefined) {
        list.push({ kind: 'referral_follow_up', at: dueAfter(referral.introducedAt, timings.referralFollowUpAfter, hour), referralId: referral.id });
      }
    }
  }
  if (state.status === 'aftercare') {
    const taskAt = state.aftercare?.taskAt;
    if (taskAt === undefined) list.push({ kind: 'aftercare', at: aftercareDue(state) });
    else list.push({ kind: 'aftercare_grace', at: dueAfter(taskAt, timings.aftercareGrace ?? GRACE_OF_EARLIER_PATHS, hour) });
  }
  // ESF+: every leaving's timers, alongside aftercare and whatever the status (active again after
  // a re-entry, closed); a forgotten path has none (its loop has ended).
  if (state.rules?.esfTimers && state.status !== 'forgotten') {
    for (const leaving of state.leavings ?? []) {
      if (leaving.result === undefined && leaving.resultTaskAt === undefined) {
        list.push({ kind: 'esf_leaving_result', at: dueAfter(leaving.at, esfResultWindow(timings), hour), leavingRun: leaving.pathRun });
      }
      if (leaving.followUp === undefined && leaving.followUpAt === undefined) {
        list.push({ kind: 'esf_follow_up', at: dueAfter(leaving.at, esfFollowUpAfter(timings), hour), leavingRun: leaving.pathRun });
      }
    }
  }
  return list.sort((a, b) => a.at - b.at);
}

export function nextDeadline(state: PathState): Deadline | null {
  return deadlines(state)[0] ?? null;
}

/**
 * Fires one deadline that has come. Everything it records happens at the deadline's own time
 * (a timer fires a few milliseconds late; a task is due when the rule says, not when the
 * worker got to it).
 */
export function fire(state: PathState, deadline: Deadline): Effect[] {
  const now = deadline.at;
  state.seq += 1;
  const fx = new EffectLog(state);
  switch (deadline.kind) {
    case 'reach_out':
      state.lastReachOutAt = now;
      fx.task('reach_out', now, 'no_contact');
      break;
    case 'check_in':
      state.lastCheckInAt = now;
      fx.task('check_in', now, 'no_contact');
      break;
    case 'agreement_evaluation': {
      const agreement = state.agreement!;
      agreement.evaluationAt = now;
      fx.task('agreement_evaluation', now, `agreement/${agreement.id}/${agreement.renewals}`);
      fx.email('agreement_ending_soon', { participantId: state.participantId }, { endDate: agreement.endDate });
      break;
    }
    case 'agreement_end':
      endAgreement(state, fx, 'expired', now);
      break;
    case 'referral_follow_up': {
      const referral = state.referrals.find((r) => r.id === deadline.referralId)!;
      referral.followUpAt = now;
      fx.task('referral_follow_up', now, `referral/${referral.id}`);
      break;
    }
    case 'aftercare':
      fx.task('aftercare_reconnect', now, 'aftercare');
      fx.email('aftercare_check_in', { participantId: state.participantId }, {});
      if (state.rules?.aftercareWaitsForReconnect) {
        // The path waits for the reconnect conversation, or the grace period (deadlines()).
        state.aftercare = { dueAt: deadline.at, taskAt: now };
        fx.record({ type: 'aftercare_due', at: now });
      } else {
        // Paths from before the grace rule closed when the task fell due.
        state.aftercare = { dueAt: deadline.at, reconnectedAt: now };
        state.status = 'closed';
        fx.record({ type: 'aftercare_reconnected', at: now });
      }
      break;
    case 'aftercare_grace':
      closeAftercare(state, fx, 'not_reached', now);
      break;
    case 'esf_leaving_result': {
      const leaving = state.leavings!.find((l) => l.pathRun === deadline.leavingRun)!;
      leaving.resultTaskAt = now;
      fx.task('esf_leaving_result', now, `esf_leaving/${leaving.pathRun}`, leaving.pathRun);
      break;
    }
    case 'esf_follow_up': {
      const leaving = state.leavings!.find((l) => l.pathRun === deadline.leavingRun)!;
      leaving.followUpAt = now;
      fx.task('esf_follow_up', now, `esf_follow_up/${leaving.pathRun}`, leaving.pathRun);
      // The question on their own page; the email links to it (codes and dates only). `back`: the
      // person is on the path again (a re-entry), so the email does not speak of a step outside.
      fx.email('esf_follow_up_question', { participantId: state.participantId }, { leftOn: leavingDates(leaving, state.timings).leftOn, ...(state.status === 'active' ? { back: 1 } : {}) });
      break;
    }
  }
  return fx.effects;
}

export function view(state: PathState): PathView {
  const { timings, rules: _rules, leavings, ...rest } = state;
  const next = nextDeadline(state);
  return {
    ...structuredCloneSafe(rest),
    ...(leavings ? { leavings: leavings.map((l) => ({ ...structuredCloneSafe(l), ...leavingDates(l, timings) })) } : {}),
    nextDeadline: next ? { at: next.at, kind: next.kind } : null,
  };
}

/** A deep copy through JSON: the state is plain data by construction. */
function structuredCloneSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
