import { z } from './zod-dutch.js';
import {
  CONTACT_KINDS,
  CRISIS_KINDS,
  GROUP_MOMENT_KINDS,
  OUTFLOW_TYPES,
  PARTNERS,
  PHASES,
  PHASE_CHANGE_REASONS,
  PRIVILEGES,
  REFERRAL_SOURCES,
  REFERRAL_STATUSES,
  STEP_STATUSES,
} from './codes.js';
import { isValidLocalDate } from './calendar.js';

/**
 * The inputs of every coach and staff action, shared by the API (validation of requests), the
 * workflow (update validators) and the activities. They carry identifiers and codes only: free
 * text (a note, a goal) is stored in the database first and referenced here by its id.
 */

const id = z.guid({ error: 'moet een geldige id zijn' });
const noteId = id.optional();
const localDate = z.string().refine(isValidLocalDate, { error: 'moet een datum zijn (JJJJ-MM-DD)' });
const actor = { by: id };

export const signalCrisisSchema = z.object({
  ...actor,
  kind: z.enum(CRISIS_KINDS),
  /** Also make the move the crisis proposes (focus crisis → focus, status crisis → activation). */
  move: z.boolean().default(false),
  noteId,
});

export const changePhaseSchema = z.object({
  ...actor,
  to: z.enum(PHASES),
  reason: z.enum(PHASE_CHANGE_REASONS),
  noteId,
});

export const signAgreementSchema = z.object({
  ...actor,
  /** The local date the agreement starts; defaults to today in Europe/Brussels. */
  startDate: localDate.optional(),
  commitments: z.array(z.enum(GROUP_MOMENT_KINDS)).min(1, { error: 'kies minstens één groepsmoment' }),
  privileges: z.array(z.enum(PRIVILEGES)).default([]),
  /** The growth goal, written in the participant's words, lives in the notes table. */
  goalNoteId: noteId,
});

export const renewAgreementSchema = z.object({ ...actor });

export const closeAgreementSchema = z.object({
  ...actor,
  outcome: z.enum(['completed', 'stopped']),
});

export const logContactSchema = z.object({
  ...actor,
  kind: z.enum(CONTACT_KINDS),
  noteId,
});

export const logAttendanceSchema = z.object({
  ...actor,
  kind: z.enum(GROUP_MOMENT_KINDS),
  date: localDate.optional(),
});

export const registerStepSchema = z.object({
  ...actor,
  /** Omit to add a new step; give it to change an existing one. */
  stepId: id.optional(),
  status: z.enum(STEP_STATUSES),
  noteId,
});

export const referOutSchema = z.object({
  ...actor,
  partner: z.enum(PARTNERS),
  noteId,
});

export const updateReferralSchema = z.object({
  ...actor,
  referralId: id,
  status: z.enum(REFERRAL_STATUSES),
});

export const outflowSchema = z.object({
  ...actor,
  type: z.enum(OUTFLOW_TYPES),
  noteId,
});

export const reenterSchema = z.object({
  ...actor,
  phase: z.enum(PHASES),
  noteId,
});

export const assignCoachSchema = z.object({
  ...actor,
  coachId: id,
});

export const forgetSchema = z.object({ ...actor });

/**
 * The participant confirms their growth agreement on their own page ("akkoord"): the agreement
 * is with themselves, their coach and the Stuyfplek. No `by`: only the participant, through their
 * signed link, does this; the agreement's id says which one they read.
 */
export const confirmAgreementSchema = z.object({ agreementId: id });

export type SignalCrisis = z.infer<typeof signalCrisisSchema>;
export type ChangePhase = z.infer<typeof changePhaseSchema>;
export type SignAgreement = z.infer<typeof signAgreementSchema>;
export type RenewAgreement = z.infer<typeof renewAgreementSchema>;
export type CloseAgreement = z.infer<typeof closeAgreementSchema>;
export type LogContact = z.infer<typeof logContactSchema>;
export type LogAttendance = z.infer<typeof logAttendanceSchema>;
export type RegisterStep = z.infer<typeof registerStepSchema>;
export type ReferOut = z.infer<typeof referOutSchema>;
export type UpdateReferral = z.infer<typeof updateReferralSchema>;
export type Outflow = z.infer<typeof outflowSchema>;
export type Reenter = z.infer<typeof reenterSchema>;
export type AssignCoach = z.infer<typeof assignCoachSchema>;
export type Forget = z.infer<typeof forgetSchema>;
export type ConfirmAgreement = z.infer<typeof confirmAgreementSchema>;

/** Staff invite the participants of their site on an active path to a group moment. */
export const groupMomentInvitationSchema = z.object({
  kind: z.enum(GROUP_MOMENT_KINDS),
  date: localDate,
});
export type GroupMomentInvitation = z.infer<typeof groupMomentInvitationSchema>;

/** Staff intake: the personal data goes to the database; the path gets ids and codes. */
export const intakeSchema = z.object({
  siteId: id,
  firstName: z.string().trim().min(1, { error: 'vul een voornaam in' }).max(100),
  lastName: z.string().trim().min(1, { error: 'vul een familienaam in' }).max(100),
  birthDate: localDate,
  email: z.email({ error: 'geen geldig e-mailadres' }).optional(),
  phone: z.string().trim().max(40).optional(),
  consentEmail: z.boolean().default(false),
  referralSource: z.enum(REFERRAL_SOURCES),
  coachId: id.optional(),
});
export type Intake = z.infer<typeof intakeSchema>;
