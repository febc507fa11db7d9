import type { EmailTemplate, TaskKind } from './codes.js';
import type { Agreement, Crisis, PhaseChange, ReferralOut, Step } from './path-state.js';
import type { ContactKind, ErasureReason, GroupMomentKind, OutflowType, Phase, ReferralSource } from './codes.js';

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
  | { type: 'contact_logged'; at: number; kind: ContactKind; by: string; noteId?: string | undefined }
  | { type: 'attendance_logged'; at: number; kind: GroupMomentKind; date: string; by: string; momentId?: string | undefined }
  /** After a focus crisis: invited to the next connectors table of the site (ids only; the activity finds the moment). */
  | { type: 'connectors_table_invited'; at: number }
  | { type: 'step_registered'; agreementId: string; step: Step; by: string }
  | { type: 'referral_out_changed'; at: number; referral: ReferralOut; by: string }
  | { type: 'outflow_recorded'; at: number; outflowType: OutflowType; by: string; noteId?: string | undefined }
  | { type: 'aftercare_reconnected'; at: number }
  | { type: 'path_reentered'; at: number; phase: Phase; by: string; previousRun: number }
  | { type: 'coach_assigned'; at: number; coachId: string; by: string }
  | { type: 'path_forgotten'; at: number; by: string; reason?: ErasureReason }
  /**
   * A partner answered through its referral link: the referral as it is now (accepted or
   * declined, with the answer). `settlesTask` is the cause of the follow-up task that already
   * went out for it (`referral/<id>`), which the answer completes.
   */
  | { type: 'referral_answered'; at: number; referral: ReferralOut; settlesTask?: string | undefined };

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
