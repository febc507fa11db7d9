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
  StepStatus,
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
}

export interface Crisis {
  at: number;
  kind: CrisisKind;
  by: string;
  /** The move the crisis proposed in the phase it happened in, if any. */
  proposed: Phase | null;
  moved: boolean;
  noteId?: string | undefined;
}

export interface Step {
  id: string;
  status: StepStatus;
  at: number;
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
  steps: Step[];
  status: AgreementStatus;
  renewals: number;
  /** When the participant confirmed the agreement on their own page (once per agreement). */
  confirmedAt?: number | undefined;
  /** When the evaluation task and message of the current term went out. */
  evaluationAt?: number | undefined;
  endedAt?: number | undefined;
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
  aftercare: { dueAt: number; reconnectedAt?: number | undefined } | null;
  /** Last time a timed task of each kind fired, so a quiet path gets one every period, not a flood. */
  lastReachOutAt?: number | undefined;
  lastCheckInAt?: number | undefined;
  earlierPaths: EarlierPath[];
  /** Increases with every event; keys of tasks and emails are derived from it. */
  seq: number;
  timings: PathTimings;
}

/** What the participant page needs; the same shape the query and the updates return. */
export type PathView = Omit<PathState, 'timings'> & {
  nextDeadline: { at: number; kind: DeadlineKind } | null;
};

export type DeadlineKind = 'reach_out' | 'check_in' | 'agreement_evaluation' | 'agreement_end' | 'referral_follow_up' | 'aftercare';

export interface Deadline {
  at: number;
  kind: DeadlineKind;
  /** For referral follow-ups. */
  referralId?: string;
}
