import { z } from './zod-dutch.js';
import { GROUP_MOMENT_KINDS, PARTNERS, PHASES, REFERRAL_SOURCES } from './codes.js';
import { isValidLocalDate } from './calendar.js';
import { ESF_ENTRY_KEYS, ESF_LABELS, entryAnswers, type EsfEntryAnswers, type EsfEntryKey } from './esf.js';
import {
  ACTIONS,
  appointmentIssues,
  COACH_ACTION_TYPES,
  LINK_ACTION_TYPES,
  type ActionInput,
  type ActionSpec,
  type CoachActionType,
  type Field,
  type LinkActionType,
  type PathActionType,
  RUN_MESSAGE,
} from './action-spec.js';

/**
 * The zod schemas of every coach and staff action, built from their one definition in
 * domain/action-spec.ts: the API parses requests with them (and the OpenAPI document shows them).
 * The workflow does not import this file: it checks updates with `checkAction`, which accepts
 * and refuses the same inputs without building zod schemas for every path.
 */

const id = z.guid({ error: 'moet een geldige id zijn' });
/** A calendar date, YYYY-MM-DD; the OpenAPI document says `format: date` so clients build valid ones. */
/** A calendar date. `params.date` lets a web form tell a date left empty from a malformed one (api/web/form-input.ts). */
export const localDate = z.string().refine(isValidLocalDate, { error: 'moet een datum zijn (JJJJ-MM-DD)', params: { date: true } }).meta({ format: 'date' });

function zodField(field: Field): z.ZodType {
  switch (field.kind) {
    case 'id':
      return field.optional ? id.optional() : id;
    case 'date':
      return field.optional ? localDate.optional() : localDate;
    case 'boolean':
      return z.boolean().default(field.default);
    case 'run': {
      const run = z.number({ error: RUN_MESSAGE }).int({ error: RUN_MESSAGE }).min(1, { error: RUN_MESSAGE });
      return field.optional ? run.optional() : run;
    }
    case 'enum': {
      const schema = z.enum(field.values as [string, ...string[]], field.error ? { error: field.error } : undefined);
      return field.optional ? schema.optional() : schema;
    }
    case 'enumList': {
      let list = z.array(z.enum(field.values as [string, ...string[]]));
      if (field.min) list = list.min(field.min.n, { error: field.min.error });
      return field.defaultEmpty ? list.default([]) : field.optional ? list.optional() : list;
    }
  }
}

/** A date comes with the answer "appointment", and only with it (shared by the partner's form). */
export function appointmentRule(a: { answer?: string | undefined; appointmentDate?: string | undefined }, ctx: z.RefinementCtx): void {
  for (const issue of appointmentIssues(a)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
}

/** The action's fields as a zod object, without its rule across fields (zod cannot omit fields of a refined object). */
export function actionFields(type: PathActionType): z.ZodObject {
  const spec: ActionSpec = ACTIONS[type];
  return z.object(Object.fromEntries(Object.entries(spec.fields).map(([name, field]) => [name, zodField(field)])));
}

/** Adds the action's rule across fields (if it has one) to a schema of its fields, or of a request derived from them. */
export function withActionRule<S extends z.ZodObject>(type: PathActionType, schema: S): S {
  const spec: ActionSpec = ACTIONS[type];
  const rule = spec.rule;
  return rule
    ? schema.superRefine((input, ctx) => {
        for (const issue of rule(input)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
      })
    : schema;
}

function actionSchema<K extends PathActionType>(type: K): z.ZodObject & z.ZodType<ActionInput<K>> {
  return withActionRule(type, actionFields(type)) as z.ZodObject & z.ZodType<ActionInput<K>>;
}

/** One schema per action type: the API parses requests with it. */
export const actionSchemas = Object.fromEntries(COACH_ACTION_TYPES.map((type) => [type, actionSchema(type)])) as {
  [K in CoachActionType]: z.ZodObject & z.ZodType<ActionInput<K>>;
};

/** The answers that come through a signed link (a partner's, a participant's). */
export const linkActionSchemas = Object.fromEntries(LINK_ACTION_TYPES.map((type) => [type, actionSchema(type)])) as {
  [K in LinkActionType]: z.ZodObject & z.ZodType<ActionInput<K>>;
};

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

/** One ESF+ entry question (domain/esf.ts): one of its answers or "wil niet antwoorden"; absent when not asked. */
function esfAnswer(key: EsfEntryKey) {
  const answers = entryAnswers(key);
  return z.enum(answers as [string, ...string[]], { error: `kies een van: ${answers.map((a) => ESF_LABELS[a] ?? a).join(', ')}` }).optional();
}

/**
 * The ESF+ entry questions, each optional (a question not asked yet) and each answerable with
 * "refused". Derived from ESF_ENTRY_ITEMS: a question added there is asked everywhere.
 */
export const esfEntryAnswersShape = Object.fromEntries(ESF_ENTRY_KEYS.map((key) => [key, esfAnswer(key)])) as unknown as {
  [K in EsfEntryKey]: z.ZodOptional<z.ZodType<NonNullable<EsfEntryAnswers[K]>>>;
};

/** The ESF+ answers in an intake or a correction: only the questions given. */
export function esfAnswersIn(input: Partial<Record<EsfEntryKey, unknown>>): EsfEntryAnswers {
  return Object.fromEntries(ESF_ENTRY_KEYS.filter((k) => input[k] !== undefined).map((k) => [k, input[k]])) as EsfEntryAnswers;
}

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
  /** The ESF+ entry snapshot (README, "Entry snapshot"); never into the path workflow. */
  ...esfEntryAnswersShape,
});
export type Intake = z.infer<typeof intakeSchema>;
