import type {
  ContactKind,
  CrisisKind,
  GroupMomentKind,
  OutflowType,
  Partner,
  PartnerAnswer,
  Phase,
  PhaseChangeReason,
  Privilege,
  ReferralSource,
  ReferralStatus,
  StepEvidence,
  StepStatus,
  AgreementChoice,
  AftercareOutcome,
} from './codes.js';
import type { PathTimings } from './timings.js';
import type { EsfFollowUpAnswer, EsfSituation } from './esf.js';

/**
 * The state of one participant's path, as the workflow holds it. Identifiers, codes and
 * instants (ms since epoch) only: everything here ends up in Temporal's history.
 */

export type PathStatus =
  /** Following the phases. */
  | 'active'
  /** Flowed out; aftercare waits three months after the last contact. */
  | 'aftercare'
  /** Aftercare done; the person stays in the network and may come back. */
  | 'closed'
  /** The person asked to be forgotten; the path ended for good. */
  | 'forgotten';

export interface PhaseChange {
  at: number;
  from: Phase | null;
  to: Phase;
  by: string;
  reason: PhaseChangeReason;
  noteId?: string | undefined;
  /** The crisis (its instant) that proposed this move, when the coach makes it later. */
  crisisAt?: number | undefined;
  /** A move back to orientation with a running agreement: what the coach chose for it. */
  agreementChoice?: AgreementChoice | undefined;
}



export interface Crisis {
  at: number;
  kind: CrisisKind;
  by: string;
  /** The move the crisis proposed in the phase it happened in, if any. */
  proposed: Phase | null;
  moved: boolean;
  noteId?: string | undefined;
  /** When the coach made the proposed move in a later phase change (moved then turns true). */
  confirmedAt?: number | undefined;
}

/**
 * A small step toward the participant's goal, from orientation on. It belongs to the person: it
 * stays across agreements, outflow and re-entry. `agreementId` is the agreement it was set in.
 */
export interface Step {
  id: string;
  status: StepStatus;
  at: number;
  noteId?: string | undefined;
  agreementId?: string | undefined;
  /** The path run in which the step was set. */
  pathRun?: number | undefined;
  validation?: StepValidation | undefined;
}

/** The coach's validation of a step: who, when, and what shows it. */
export interface StepValidation {
  at: number;
  by: string;
  evidence: StepEvidence;
  noteId?: string | undefined;
}

export type AgreementStatus = 'active' | 'expired' | 'completed' | 'stopped' | 'ended_by_outflow';

export interface Agreement {
  id: string;
  coachId: string;
  signedAt: number;
  /** Local dates (YYYY-MM-DD, Europe/Brussels). */
  startDate: string;
  endDate: string;
  commitments: GroupMomentKind[];
  privileges: Privilege[];
  goalNoteId?: string | undefined;
  /**
   * Steps of agreements signed before steps belonged to the person; a path moves them into
   * PathState.steps when it loads (upgradeState), so new agreements carry none.
   */
  steps?: Step[] | undefined;
  status: AgreementStatus;
  renewals: number;
  /** When the participant confirmed the agreement on their own page (once per agreement). */
  confirmedAt?: number | undefined;
  /** When the evaluation task and message of the current term went out. */
  evaluationAt?: number | undefined;
  endedAt?: number | undefined;
  /** Set while the agreement is paused (a move back to orientation); its timers wait. */
  pausedAt?: number | undefined;
  /** When it last ran again after a pause: the check-in wait counts from then. */
  resumedAt?: number | undefined;
}

export interface ReferralOut {
  id: string;
  partner: Partner;
  status: ReferralStatus;
  proposedAt: number;
  introducedAt?: number | undefined;
  followUpAt?: number | undefined;
  noteId?: string | undefined;
  /** The partner's answer through its referral link, if it came that way. */
  partnerAnswer?: PartnerAnswerRecord | undefined;
}

export interface PartnerAnswerRecord {
  at: number;
  answer: PartnerAnswer;
  /** Local date (YYYY-MM-DD) of the first appointment, for the answer "appointment". */
  appointmentDate?: string | undefined;
  /** The access link it came through. */
  linkId: string;
}

export interface EarlierPath {
  pathRun: number;
  startedAt: number;
  endedAt: number;
  outflowType: OutflowType | null;
}

/**
 * ESF+: one leaving (an outflow) and what is known after it. Kept per leaving, across re-entry and
 * continue-as-new (never reset by `reenter`), so each leaving's timers and results stay its own.
 */
export interface Leaving {
  /** The path run that ended with this outflow. */
  pathRun: number;
  /** When the outflow was recorded. */
  at: number;
  /** The last situation observed in the window after leaving (the one that counts), if any. */
  result?: { observedOn: string; situations: EsfSituation[]; at: number } | undefined;
  /** When the task "ESF-resultaat na uitstroom noteren" went out (no result by the end of the window). */
  resultTaskAt?: number | undefined;
  /** When the six-month follow-up went out: the coach's task and the participant's question. */
  followUpAt?: number | undefined;
  /** The answer to "werk je op dit moment?", from the coach or the participant. */
  followUp?: { answer: EsfFollowUpAnswer; at: number; source: 'coach' | 'participant' } | undefined;
}

export interface PathState {
  participantId: string;
  siteId: string;
  coachId: string | null;
  referralSource: ReferralSource;
  /** 1 for the first path; each re-entry starts the next. */
  pathRun: number;
  startedAt: number;
  status: PathStatus;
  phase: Phase;
  phaseHistory: PhaseChange[];
  crises: Crisis[];
  /** The active agreement, or the last one (kept to show its outcome). */
  agreement: Agreement | null;
  agreementsSigned: number;
  lastContactAt: number;
  lastContactKind: ContactKind | 'intake';
  attendance: Partial<Record<GroupMomentKind, number>>;
  /** The planned group moments (ids) already counted, across path runs: each counts once. Absent on paths from before. */
  attendedMoments?: string[] | undefined;
  referrals: ReferralOut[];
  outflow: { at: number; type: OutflowType; by: string } | null;
  aftercare: Aftercare | null;
  /** Every step the participant set, in every run: they travel with the person. */
  steps: Step[];
  /** Last time a timed task of each kind fired, so a quiet path gets one every period, not a flood. */
  lastReachOutAt?: number | undefined;
  lastCheckInAt?: number | undefined;
  earlierPaths: EarlierPath[];
  /** ESF+: every leaving of the person, oldest first; absent until the first outflow (and on paths from before). */
  leavings?: Leaving[] | undefined;
  /** Increases with every event; keys of tasks and emails are derived from it. */
  seq: number;
  timings: PathTimings;
  /** Rules that changed while paths were running (see workflows/participant-path.ts patches). */
  rules?: PathRules | undefined;
}

export interface PathRules {
  /** Aftercare ends with the reconnect conversation or after a grace period, not when the task falls due. */
  aftercareWaitsForReconnect?: boolean | undefined;
  /** ESF+: each leaving has a result timer (the end of its window) and a six-month follow-up. */
  esfTimers?: boolean | undefined;
}

export interface Aftercare {
  /** When the reconnect task is (or was) due: the aftercare wait after the last contact. */
  dueAt: number;
  /** When the reconnect task went out; the path then waits for the conversation or the grace period. */
  taskAt?: number | undefined;
  /** When the reconnect happened: the conversation, or (paths before the grace rule) the task falling due. */
  reconnectedAt?: number | undefined;
  /** When aftercare ended under the grace rule: at the conversation, or after the grace period. */
  closedAt?: number | undefined;
  /** How aftercare ended, under the grace rule: the coach reached the person or not. */
  outcome?: AftercareOutcome | undefined;
}



/** What the participant page needs; the same shape the query and the updates return. */
export type PathView = Omit<PathState, 'timings' | 'rules' | 'leavings'> & {
  nextDeadline: { at: number; kind: DeadlineKind } | null;
  /** The leavings with their dates (local, YYYY-MM-DD) from the path's own timings. */
  leavings?: LeavingView[] | undefined;
};

export type LeavingView = Leaving & {
  leftOn: string;
  /** The last day a result after this leaving counts. */
  windowEnds: string;
  /** The day the six-month follow-up comes. */
  followUpOn: string;
};

export type DeadlineKind =
  | 'reach_out'
  | 'check_in'
  | 'agreement_evaluation'
  | 'agreement_end'
  | 'referral_follow_up'
  | 'aftercare'
  | 'aftercare_grace'
  | 'esf_leaving_result'
  | 'esf_follow_up';

export interface Deadline {
  at: number;
  kind: DeadlineKind;
  /** For referral follow-ups. */
  referralId?: string;
  /** For the ESF+ timers: the run of the leaving they belong to. */
  leavingRun?: number;
}
