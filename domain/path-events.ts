import type { EmailTemplate, TaskKind } from './codes.js';
import type { Agreement, Crisis, PhaseChange, ReferralOut, Step, StepValidation } from './path-state.js';
import type { EsfFollowUpAnswer, EsfResultKind, EsfSituation } from './esf.js';
import type { AftercareOutcome, ContactKind, CrisisKind, ErasureReason, GroupMomentKind, OutflowType, Phase, ReferralSource } from './codes.js';

/**
 * What the workflow asks the outside world to do. Each effect has a key derived from the
 * workflow and the event that caused it, so a retry, a replay or a crashed worker never makes
 * a second row, task or email.
 */

export type PathEvent =
  | { type: 'path_started'; at: number; referralSource: ReferralSource; phase: Phase; coachId: string | null }
  | { type: 'phase_changed'; change: PhaseChange }
  | { type: 'crisis_signalled'; crisis: Crisis }
  | { type: 'agreement_signed'; agreement: Agreement }
  | { type: 'agreement_renewed'; at: number; agreementId: string; startDate: string; endDate: string; renewals: number }
  | { type: 'agreement_ended'; agreementId: string; status: Agreement['status']; at: number }
  | { type: 'agreement_confirmed'; agreementId: string; at: number }
  /** A move back to orientation paused the agreement: its timers wait. */
  | { type: 'agreement_paused'; agreementId: string; at: number }
  /** The agreement runs again: its end moved by the pause (`shift`, in calendar months and days). */
  | { type: 'agreement_resumed'; agreementId: string; at: number; shift: { months: number; days: number }; endDate: string }
  | { type: 'contact_logged'; at: number; kind: ContactKind; by: string; noteId?: string | undefined }
  | { type: 'attendance_logged'; at: number; kind: GroupMomentKind; date: string; by: string; momentId?: string | undefined }
  /** After a focus crisis: invited to the next connectors table of the site (ids only; the activity finds the moment). */
  | { type: 'connectors_table_invited'; at: number }
  /** `agreementId`: the agreement the step was set in; none for a step set outside one. */
  | { type: 'step_registered'; agreementId?: string | undefined; step: Step; by: string }
  | { type: 'step_validated'; stepId: string; validation: StepValidation }
  /** A phase change made the move an earlier crisis (signalled at `crisisAt`) proposed. */
  | { type: 'crisis_confirmed'; at: number; crisisAt: number; kind: CrisisKind }
  | { type: 'referral_out_changed'; at: number; referral: ReferralOut; by: string }
  | {
      type: 'outflow_recorded';
      at: number;
      outflowType: OutflowType;
      by: string;
      noteId?: string | undefined;
      /**
       * ESF+ (runs with its timers): the last day a result after this leaving counts, and the day
       * of its follow-up, local dates from the path's timings (leavingDates); public.outflows keeps them.
       */
      resultWindowEnds?: string | undefined;
      followUpOn?: string | undefined;
    }
  /** Paths before the grace rule: the reconnect task went out and the path closed with it. */
  | { type: 'aftercare_reconnected'; at: number }
  /** The reconnect task went out; the path waits for the conversation or the grace period. */
  | { type: 'aftercare_due'; at: number }
  /** Aftercare ended: the coach recorded the reconnect conversation, or the grace period passed. */
  | { type: 'aftercare_closed'; at: number; outcome: AftercareOutcome; settlesTask?: string | undefined; by?: string | undefined }
  /** `referralSource`: who referred the person this time, when they came back through the intake desk. */
  | { type: 'path_reentered'; at: number; phase: Phase; by: string; previousRun: number; referralSource?: ReferralSource | undefined }
  | { type: 'coach_assigned'; at: number; coachId: string; by: string }
  | { type: 'path_forgotten'; at: number; by: string; reason?: ErasureReason }
  /**
   * A partner answered through its referral link: the referral as it is now (accepted or
   * declined, with the answer). `settlesTask` is the cause of the follow-up task that already
   * went out for it (`referral/<id>`), which the answer completes.
   */
  | { type: 'referral_answered'; at: number; referral: ReferralOut; settlesTask?: string | undefined }
  /**
   * ESF+: a result after a leaving. `pathRun`: the run that ended with the leaving (the record's
   * own run may be a later one, after a re-entry). `leaving`: the situations observed on
   * `observedOn` (within the window; the last observed counts); `six_months`: the answer to "werk
   * je op dit moment?". `settlesTask`: the cause of the task that already went out for it.
   */
  | {
      type: 'esf_result_recorded';
      at: number;
      kind: EsfResultKind;
      pathRun: number;
      observedOn: string;
      situations?: EsfSituation[] | undefined;
      followUp?: EsfFollowUpAnswer | undefined;
      source: 'coach' | 'participant';
      by?: string | undefined;
      settlesTask?: string | undefined;
    };

export type EmailRecipient = { participantId: string } | { coachId: string };

export type Effect =
  | { type: 'record'; key: string; pathRun: number; event: PathEvent }
  | {
      type: 'task';
      key: string;
      pathRun: number;
      kind: TaskKind;
      dueAt: number;
      coachId: string | null;
      /** The event that caused the task, e.g. "focus_crisis" or "check_in". */
      cause: string;
    }
  | {
      type: 'email';
      key: string;
      template: EmailTemplate;
      recipient: EmailRecipient;
      /** Codes and dates only; the activity reads names and addresses from the database. */
      params: Record<string, string | number>;
    }
  | { type: 'erase'; key: string };
