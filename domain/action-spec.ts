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
import { ESF_FOLLOW_UP_ANSWERS, ESF_SITUATIONS, situationConflicts } from './esf.js';

/**
 * The one definition of every update a path takes: its name, whether a coach or a signed link
 * sends it, and its input's fields. Everything else is derived from it: the input types and
 * `Action`/`LinkAction` (domain/path-rules.ts), the update definitions (domain/messages.ts), the
 * zod schemas the API parses requests with (domain/actions.ts) and the workflow's structural check
 * (`checkAction` below).
 *
 * Plain data and plain functions, no zod: the workflow bundle imports this file, and the sandbox
 * evaluates the bundle's modules again for every path it loads (a cache miss). Building zod
 * schemas there cost about 0.9 MB per cached path and a third of the CPU of a cache miss (README,
 * "Performance and reliability"); this file builds a few small objects. Inputs carry identifiers
 * and codes only: free text (a note, a goal) is stored in the database first and referenced here
 * by its id.
 */

export type Field =
  | { readonly kind: 'id'; readonly optional?: true }
  /** A calendar date, YYYY-MM-DD (the OpenAPI document says `format: date`). */
  | { readonly kind: 'date'; readonly optional?: true }
  | { readonly kind: 'boolean'; readonly default: boolean }
  /** A path run's number (1 for the first path, each re-entry the next): a whole number from 1. */
  | { readonly kind: 'run'; readonly optional?: true }
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly optional?: true; readonly error?: string }
  /**
   * A list of codes. `optional`: it may be absent, which is not the same as empty (ESF+ situations:
   * absent is "not known yet", empty is "none of these").
   */
  | {
      readonly kind: 'enumList';
      readonly values: readonly string[];
      readonly min?: { readonly n: number; readonly error: string };
      readonly defaultEmpty?: true;
      readonly optional?: true;
    };

/** A problem with one field: its name (empty for the whole input) and a Dutch message. */
export interface Issue {
  path: string;
  message: string;
}

export interface ActionSpec {
  /** `coach`: a coach's or staff member's action through the API; `link`: an answer through a signed link. */
  readonly from: 'coach' | 'link';
  readonly fields: Readonly<Record<string, Field>>;
  /** A rule across fields, after each field passed. */
  readonly rule?: (input: Record<string, unknown>) => Issue[];
}

const id = { kind: 'id' } as const;
const optionalId = { kind: 'id', optional: true } as const;
const optionalDate = { kind: 'date', optional: true } as const;
/**
 * ESF+: the leaving a coach's result is about, named by the run that ended with it; absent: the
 * last leaving. Someone who left again inside a leaving's window still gets that one settled.
 */
const leavingRun = { kind: 'run', optional: true } as const;
const oneOf = <const V extends readonly string[]>(values: V) => ({ kind: 'enum', values }) as const;
const optionalOneOf = <const V extends readonly string[]>(values: V) => ({ kind: 'enum', values, optional: true }) as const;
const actor = { by: id };

/** ESF+: the exclusive situations given together, refused with the Dutch reason (on the field `situations`). */
export function situationIssues(a: { situations?: unknown }): Issue[] {
  if (!Array.isArray(a.situations)) return [];
  const [reason] = situationConflicts(a.situations as string[]);
  return reason ? [{ path: 'situations', message: reason }] : [];
}

/** A date comes with the answer "appointment", and only with it (shared by the partner's form). */
export function appointmentIssues(a: { answer?: unknown; appointmentDate?: unknown }): Issue[] {
  if (a.answer === 'appointment' && !a.appointmentDate) return [{ path: 'appointmentDate', message: 'vul de datum van de eerste afspraak in' }];
  if (a.answer !== undefined && a.answer !== 'appointment' && a.appointmentDate) return [{ path: 'appointmentDate', message: 'een datum hoort alleen bij een eerste afspraak' }];
  return [];
}

export const ACTIONS = {
  signalCrisis: {
    from: 'coach',
    fields: {
      ...actor,
      kind: oneOf(CRISIS_KINDS),
      /** Also make the move the crisis proposes (focus crisis → focus, status crisis → activation). */
      move: { kind: 'boolean', default: false },
      noteId: optionalId,
    },
  },
  changePhase: {
    from: 'coach',
    fields: {
      ...actor,
      to: oneOf(PHASES),
      reason: oneOf(PHASE_CHANGE_REASONS),
      /**
       * A move back to orientation while an agreement runs: it continues, pauses or ends. Only
       * used then; without it the agreement continues (the API fills in the configured default).
       */
      agreementChoice: optionalOneOf(AGREEMENT_CHOICES),
      noteId: optionalId,
    },
  },
  signAgreement: {
    from: 'coach',
    fields: {
      ...actor,
      /** The local date the agreement starts; defaults to today in Europe/Brussels. */
      startDate: optionalDate,
      commitments: { kind: 'enumList', values: GROUP_MOMENT_KINDS, min: { n: 1, error: 'kies minstens één groepsmoment' } },
      privileges: { kind: 'enumList', values: PRIVILEGES, defaultEmpty: true },
      /**
       * The growth goal, written in the participant's words, lives in the notes table. Optional
       * here because agreements signed before the rule carried none: the path refuses one without
       * it (`refusal`), the API asks for the goal's text.
       */
      goalNoteId: optionalId,
    },
  },
  renewAgreement: { from: 'coach', fields: { ...actor } },
  closeAgreement: { from: 'coach', fields: { ...actor, outcome: oneOf(['completed', 'stopped']) } },
  /** A paused agreement runs again; its end and evaluation move by the pause. */
  resumeAgreement: { from: 'coach', fields: { ...actor } },
  logContact: { from: 'coach', fields: { ...actor, kind: oneOf(CONTACT_KINDS), noteId: optionalId } },
  logAttendance: {
    from: 'coach',
    fields: {
      ...actor,
      kind: oneOf(GROUP_MOMENT_KINDS),
      date: optionalDate,
      /**
       * The planned group moment (public.group_moments) whose register counted it. A path counts a
       * moment once: a second attendance with the same id is refused (ALREADY_COUNTED).
       */
      momentId: optionalId,
    },
  },
  registerStep: {
    from: 'coach',
    fields: {
      ...actor,
      /** Omit to add a new step; give it to change an existing one. */
      stepId: optionalId,
      status: oneOf(STEP_STATUSES),
      noteId: optionalId,
    },
  },
  /** The coach validates a step: who (the coach), when (now) and what shows it. */
  validateStep: {
    from: 'coach',
    fields: {
      ...actor,
      stepId: id,
      evidence: { kind: 'enum', values: STEP_EVIDENCE, error: 'kies wat toont dat de stap gezet is' },
      /** More about the evidence, in the notes table. */
      noteId: optionalId,
    },
  },
  referOut: { from: 'coach', fields: { ...actor, partner: oneOf(PARTNERS), noteId: optionalId } },
  updateReferral: { from: 'coach', fields: { ...actor, referralId: id, status: oneOf(REFERRAL_STATUSES) } },
  outflow: {
    from: 'coach',
    fields: {
      ...actor,
      type: oneOf(OUTFLOW_TYPES),
      noteId: optionalId,
      /**
       * ESF+: the situation at leaving, when the coach knows it (a leaving result observed on the
       * day of leaving). Absent: not known yet (the result task comes at the end of the window);
       * empty: none of these.
       */
      situations: { kind: 'enumList', values: ESF_SITUATIONS, optional: true },
    },
    rule: situationIssues,
  },
  /**
   * ESF+: the participant's situation after a leaving (`pathRun`, default the last), within its
   * window (28 days): the last one observed counts. `observedOn` defaults to today; empty
   * `situations`: none of these.
   */
  recordLeavingResult: {
    from: 'coach',
    fields: { ...actor, situations: { kind: 'enumList', values: ESF_SITUATIONS }, observedOn: optionalDate, pathRun: leavingRun },
    rule: situationIssues,
  },
  /** ESF+: the coach records the answer to "werk je op dit moment?" about a leaving (`pathRun`, default the last), from its follow-up day on. */
  recordFollowUp: {
    from: 'coach',
    fields: { ...actor, answer: { kind: 'enum', values: ESF_FOLLOW_UP_ANSWERS, error: 'kies een antwoord' }, pathRun: leavingRun },
  },
  reenter: {
    from: 'coach',
    fields: {
      ...actor,
      phase: oneOf(PHASES),
      /** Who referred the person this time, when they come back through the intake desk. */
      referralSource: optionalOneOf(REFERRAL_SOURCES),
      noteId: optionalId,
    },
  },
  assignCoach: { from: 'coach', fields: { ...actor, coachId: id } },
  forget: {
    from: 'coach',
    fields: {
      ...actor,
      /** Required by the API and the form; optional here because paths forgotten before it carried none. */
      reason: optionalOneOf(ERASURE_REASONS),
    },
  },
  /**
   * A partner's answer through its referral link (not a coach action: no `by`). `linkId` is the
   * access link it came through, so the path keeps which link answered.
   */
  answerReferral: {
    from: 'link',
    fields: {
      referralId: id,
      linkId: id,
      answer: { kind: 'enum', values: PARTNER_ANSWERS, error: 'kies een antwoord' },
      /** The first appointment's local date; only with the answer "appointment". */
      appointmentDate: optionalDate,
    },
    rule: appointmentIssues,
  },
  /**
   * The participant confirms their growth agreement on their own page ("akkoord"): the agreement
   * is with themselves, their coach and the Stuyfplek. No `by`: only the participant, through
   * their signed link, does this; the agreement's id says which one they read.
   */
  confirmAgreement: { from: 'link', fields: { agreementId: id } },
  /**
   * ESF+: the participant answers "werk je op dit moment?" on their own page, while the question
   * is open (from six months after leaving, until it is answered). No `by`: only the participant.
   */
  answerFollowUp: { from: 'link', fields: { answer: { kind: 'enum', values: ESF_FOLLOW_UP_ANSWERS, error: 'kies een antwoord' } } },
} as const satisfies Record<string, ActionSpec>;

type Actions = typeof ACTIONS;
export type PathActionType = keyof Actions;
export type CoachActionType = { [K in PathActionType]: Actions[K]['from'] extends 'coach' ? K : never }[PathActionType];
export type LinkActionType = Exclude<PathActionType, CoachActionType>;

type FieldValue<F> = F extends { kind: 'id' | 'date' }
  ? string
  : F extends { kind: 'run' }
    ? number
  : F extends { kind: 'boolean' }
    ? boolean
    : F extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : F extends { kind: 'enumList'; values: readonly (infer V)[] }
        ? V[]
        : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type InputOf<S extends Readonly<Record<string, Field>>> = Simplify<
  { -readonly [K in keyof S as S[K] extends { optional: true } ? never : K]: FieldValue<S[K]> } & {
    -readonly [K in keyof S as S[K] extends { optional: true } ? K : never]?: FieldValue<S[K]> | undefined;
  }
>;

/** An action's input as the path handles it: defaults filled in (`move`, `privileges`). */
export type ActionInput<K extends PathActionType> = InputOf<Actions[K]['fields']>;

export const PATH_ACTION_TYPES = Object.keys(ACTIONS) as PathActionType[];
export const COACH_ACTION_TYPES = PATH_ACTION_TYPES.filter((t): t is CoachActionType => ACTIONS[t].from === 'coach');
export const LINK_ACTION_TYPES = PATH_ACTION_TYPES.filter((t): t is LinkActionType => ACTIONS[t].from === 'link');

/** The same pattern as zod's `z.guid()` (the API's schemas), so both accept the same ids. */
const GUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
const REQUIRED = 'is verplicht';
/** The same words as the zod schema's (domain/actions.ts). */
export const RUN_MESSAGE = 'moet een geheel getal vanaf 1 zijn';

/** An id as `z.guid()` takes it, without building a schema (the API's route parameters). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

function checkField(field: Field, value: unknown): { value: unknown } | { message: string } {
  switch (field.kind) {
    case 'id':
      return isGuid(value) ? { value } : { message: 'moet een geldige id zijn' };
    case 'date':
      return typeof value === 'string' && isValidLocalDate(value) ? { value } : { message: 'moet een datum zijn (JJJJ-MM-DD)' };
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { message: 'moet waar of onwaar zijn' };
    case 'run':
      return Number.isSafeInteger(value) && (value as number) >= 1 ? { value } : { message: RUN_MESSAGE };
    case 'enum':
      return typeof value === 'string' && field.values.includes(value) ? { value } : { message: field.error ?? `kies uit: ${field.values.join(', ')}` };
    case 'enumList': {
      if (!Array.isArray(value)) return { message: 'moet een lijst zijn' };
      const wrong = value.findIndex((v) => typeof v !== 'string' || !field.values.includes(v));
      if (wrong >= 0) return { message: `[${wrong}]: kies uit: ${field.values.join(', ')}` };
      if (field.min && value.length < field.min.n) return { message: field.min.error };
      return { value: [...value] };
    }
  }
}

/**
 * Checks an update's input against its definition, the way the API's zod schema does (the same
 * inputs pass and fail: tests/action-check.test.ts compares them): missing optional fields are
 * left out, defaults are filled in, unknown fields are dropped, and the result
 * is a fresh object. A refusal names the first field at fault, in Dutch.
 */
export function checkAction<K extends PathActionType>(type: K, raw: unknown): { ok: true; input: ActionInput<K> } | { ok: false; issue: Issue } {
  const spec: ActionSpec = ACTIONS[type];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, issue: { path: '', message: 'verwacht een object' } };
  const given = raw as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined) {
      if (field.kind === 'boolean') input[name] = field.default;
      else if (field.kind === 'enumList' && field.defaultEmpty) input[name] = [];
      else if (!('optional' in field && field.optional)) return { ok: false, issue: { path: name, message: REQUIRED } };
      // As zod: a field given as undefined stays, as undefined (never in a JSON payload).
      else if (Object.hasOwn(given, name)) input[name] = undefined;
      continue;
    }
    const checked = checkField(field, value);
    if ('message' in checked) return { ok: false, issue: { path: name, message: checked.message } };
    input[name] = checked.value;
  }
  const [issue] = spec.rule?.(input) ?? [];
  if (issue) return { ok: false, issue };
  return { ok: true, input: input as ActionInput<K> };
}
