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
  /** Increases with every event; keys of tasks and emails are derived from it. */
  seq: number;
  timings: PathTimings;
  /** Rules that changed while paths were running (see workflows/participant-path.ts patches). */
  rules?: PathRules | undefined;
}

export interface PathRules {
  /** Aftercare ends with the reconnect conversation or after a grace period, not when the task falls due. */
  aftercareWaitsForReconnect?: boolean | undefined;
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
export type PathView = Omit<PathState, 'timings'> & {
  nextDeadline: { at: number; kind: DeadlineKind } | null;
};

export type DeadlineKind = 'reach_out' | 'check_in' | 'agreement_evaluation' | 'agreement_end' | 'referral_follow_up' | 'aftercare' | 'aftercare_grace';

export interface Deadline {
  at: number;
  kind: DeadlineKind;
  /** For referral follow-ups. */
  referralId?: string;
}
