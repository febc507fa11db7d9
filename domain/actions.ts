import { z } from './zod-dutch.js';
import {
  AGREEMENT_CHOICES,
  CONTACT_KINDS,
  CRISIS_KINDS,
  ERASURE_REASONS,
  GROUP_MOMENT_KINDS,
  OUTFLOW_TYPES,
  PARTNER_ANSWERS,
  PARTNERS,
  PHASES,
  PHASE_CHANGE_REASONS,
  PRIVILEGES,
  REFERRAL_SOURCES,
  REFERRAL_STATUSES,
  STEP_EVIDENCE,
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
/** A calendar date, YYYY-MM-DD; the OpenAPI document says `format: date` so clients build valid ones. */
const localDate = z.string().refine(isValidLocalDate, { error: 'moet een datum zijn (JJJJ-MM-DD)' }).meta({ format: 'date' });
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
  /**
   * A move back to orientation while an agreement runs: it continues, pauses or ends. Only
   * used then; without it the agreement continues (the API fills in the configured default).
   */
  agreementChoice: z.enum(AGREEMENT_CHOICES).optional(),
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

/** A paused agreement runs again; its end and evaluation move by the pause. */
export const resumeAgreementSchema = z.object({ ...actor });

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
  /**
   * The planned group moment (public.group_moments) whose register counted it. A path counts a
   * moment once: a second attendance with the same id is refused (ALREADY_COUNTED).
   */
  momentId: id.optional(),
});

export const registerStepSchema = z.object({
  ...actor,
  /** Omit to add a new step; give it to change an existing one. */
  stepId: id.optional(),
  status: z.enum(STEP_STATUSES),
  noteId,
});

/** The coach validates a step: who (the coach), when (now) and what shows it. */
export const validateStepSchema = z.object({
  ...actor,
  stepId: id,
  evidence: z.enum(STEP_EVIDENCE, { error: 'kies wat toont dat de stap gezet is' }),
  /** More about the evidence, in the notes table. */
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

/**
 * A partner's answer through its referral link (not a coach action: no `by`). `linkId` is the
 * access link it came through, so the path keeps which link answered.
 */
export const answerReferralSchema = z
  .object({
    referralId: id,
    linkId: id,
    answer: z.enum(PARTNER_ANSWERS, { error: 'kies een antwoord' }),
    /** The first appointment's local date; only with the answer "appointment". */
    appointmentDate: localDate.optional(),
  })
  .superRefine(appointmentRule);

/** A date comes with the answer "appointment", and only with it (shared by the partner's form). */
export function appointmentRule(a: { answer?: string | undefined; appointmentDate?: string | undefined }, ctx: z.RefinementCtx): void {
  if (a.answer === 'appointment' && !a.appointmentDate) ctx.addIssue({ code: 'custom', path: ['appointmentDate'], message: 'vul de datum van de eerste afspraak in' });
  if (a.answer !== undefined && a.answer !== 'appointment' && a.appointmentDate) {
    ctx.addIssue({ code: 'custom', path: ['appointmentDate'], message: 'een datum hoort alleen bij een eerste afspraak' });
  }
}

export const outflowSchema = z.object({
  ...actor,
  type: z.enum(OUTFLOW_TYPES),
  noteId,
});

export const reenterSchema = z.object({
  ...actor,
  phase: z.enum(PHASES),
  /** Who referred the person this time, when they come back through the intake desk. */
  referralSource: z.enum(REFERRAL_SOURCES).optional(),
  noteId,
});

export const assignCoachSchema = z.object({
  ...actor,
  coachId: id,
});

export const forgetSchema = z.object({
  ...actor,
  /** Required by the API and the form; optional here because paths forgotten before it carried none. */
  reason: z.enum(ERASURE_REASONS).optional(),
});

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
export type ResumeAgreement = z.infer<typeof resumeAgreementSchema>;
export type ValidateStep = z.infer<typeof validateStepSchema>;
export type CloseAgreement = z.infer<typeof closeAgreementSchema>;
export type LogContact = z.infer<typeof logContactSchema>;
export type LogAttendance = z.infer<typeof logAttendanceSchema>;
export type RegisterStep = z.infer<typeof registerStepSchema>;
export type ReferOut = z.infer<typeof referOutSchema>;
export type UpdateReferral = z.infer<typeof updateReferralSchema>;
export type Outflow = z.infer<typeof outflowSchema>;
export type AnswerReferral = z.infer<typeof answerReferralSchema>;
export type Reenter = z.infer<typeof reenterSchema>;
export type AssignCoach = z.infer<typeof assignCoachSchema>;
export type Forget = z.infer<typeof forgetSchema>;
export type ConfirmAgreement = z.infer<typeof confirmAgreementSchema>;

/**
 * Staff invite the participants of their site (active and former, with consent) to a group
 * moment; the invitations attach to the planned moment of that kind and date (planned then if
 * it was not yet).
 */
export const groupMomentInvitationSchema = z.object({
  kind: z.enum(GROUP_MOMENT_KINDS),
  date: localDate,
});
export type GroupMomentInvitation = z.infer<typeof groupMomentInvitationSchema>;

/** Staff or a facilitator plan a group moment at their site: kind, date and who runs it. */
export const planGroupMomentSchema = z.object({
  kind: z.enum(GROUP_MOMENT_KINDS),
  date: localDate,
  /** A facilitator, coach or staff member of the site; defaults to the person planning it. */
  facilitatorId: id.optional(),
});
export type PlanGroupMoment = z.infer<typeof planGroupMomentSchema>;

/**
 * The register of a group moment, filled in at once: the participants who came, and guests from
 * partner organisations (a number per partner; 0 clears it). Sent again, it changes nothing.
 */
export const groupMomentRegisterSchema = z.object({
  present: z.array(id).max(500).default([]),
  guests: z
    .array(z.object({ partner: z.enum(PARTNERS), count: z.number().int({ error: 'moet een geheel getal zijn' }).min(0, { error: 'mag niet negatief zijn' }).max(500, { error: 'hoogstens 500' }) }))
    .max(PARTNERS.length)
    .default([]),
});
export type GroupMomentRegister = z.infer<typeof groupMomentRegisterSchema>;

/**
 * A person's name: letters of any script with their accents, and the spaces, apostrophes,
 * hyphens and dots that names carry ("D'Hondt", "Van den Broeck-Özdemir", "Nguyễn", "Ана").
 * At least one letter ("0" is no name); symbols, control, format and private-use characters are
 * refused: they are typing mistakes or show as empty boxes in every list. Digits pass (a name
 * kept apart as "Jan 2" in a busy site).
 */
const NAME_CHARACTERS = /^[\p{L}\p{M}\p{Nd}' ’‐.-]+$/u;
const name = (missing: string) =>
  z
    .string()
    .transform((text) => text.normalize('NFC').trim().replace(/\s+/gu, ' '))
    .pipe(
      z
        .string()
        .min(1, { error: missing })
        .max(100)
        .regex(/\p{L}/u, { error: 'een naam bevat minstens één letter' })
        .regex(NAME_CHARACTERS, { error: 'mag alleen letters, spaties, apostrofs, koppeltekens en punten bevatten' }),
    );

/** Staff intake: the personal data goes to the database; the path gets ids and codes. */
export const intakeSchema = z.object({
  siteId: id,
  firstName: name('vul een voornaam in'),
  lastName: name('vul een familienaam in'),
  birthDate: localDate,
  email: z.email({ error: 'geen geldig e-mailadres' }).optional(),
  phone: z.string().trim().max(40).optional(),
  consentEmail: z.boolean().default(false),
  referralSource: z.enum(REFERRAL_SOURCES),
  coachId: id.optional(),
  /** For a person whose earlier path has closed: the phase they come back in (re-entry). */
  reentryPhase: z.enum(PHASES).default('orientation'),
});
export type Intake = z.infer<typeof intakeSchema>;
