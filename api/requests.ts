import { actionFields, actionSchemas, esfEntryAnswersShape, intakeSchema, localDate, withActionRule } from '../domain/actions.js';
import { ERASURE_REASONS, PHASES } from '../domain/codes.js';
import type { Action } from '../domain/path-rules.js';
import { z } from '../domain/zod-dutch.js';

/**
 * What a request to the API (or a web form) carries, derived from the shared schemas of
 * domain/actions.ts so that nothing is written twice. An action request is the action's input
 * without `by` (the signed-in person) and without note ids: free text comes in as `note`, the API
 * stores it in public.notes and passes its id to the workflow.
 */

export type ActionType = Action['type'];
export const ACTION_TYPES = Object.keys(actionSchemas) as ActionType[];

/** The field of an action that refers to its free-text note, if the action has one. */
export function noteField(type: ActionType): 'noteId' | 'goalNoteId' | null {
  const shape = actionSchemas[type].shape as Record<string, unknown>;
  if ('goalNoteId' in shape) return 'goalNoteId';
  if ('noteId' in shape) return 'noteId';
  return null;
}

export const noteText = z.string().trim().max(4000, { error: 'maximaal 4000 tekens' });

function actionRequest(type: ActionType) {
  // The fields without the rule across them: zod refuses to omit fields of a refined object.
  const schema = actionFields(type);
  const omit: Record<string, true> = { by: true };
  // A planned moment's attendance comes through its register (api/group-moments.ts), not as a coach action.
  if (type === 'logAttendance') omit.momentId = true;
  const field = noteField(type);
  if (field) omit[field] = true;
  const request = schema.omit(omit);
  return field ? request.extend({ note: noteText.optional() }) : request;
}

/**
 * Erasing a person cannot be undone, so it is never one careless request: the request must say
 * `confirm: true` and why (the workflow keeps the reason with the anonymous figures).
 */
const forgetRequest = actionRequest('forget').extend({
  confirm: z.literal(true, { error: 'bevestig het wissen uitdrukkelijk (confirm: true)' }),
  reason: z.enum(ERASURE_REASONS, { error: 'kies waarom de gegevens gewist worden' }),
});

const GOAL_MISSING = 'schrijf het groeidoel op, in de woorden van de deelnemer';
/** A growth agreement has a goal, in the participant's words: the note is required here. */
const signAgreementRequest = actionRequest('signAgreement').extend({
  note: z
    .string({ error: GOAL_MISSING })
    .trim()
    .min(1, { error: GOAL_MISSING })
    .max(4000, { error: 'maximaal 4000 tekens' }),
});

const SPECIAL_REQUESTS: Partial<Record<ActionType, z.ZodObject>> = { forget: forgetRequest, signAgreement: signAgreementRequest };

/** The rule across fields (ESF+ exclusive situations) comes last, on the request as the API reads it. */
export const actionRequestSchemas = Object.fromEntries(ACTION_TYPES.map((type) => [type, withActionRule(type, SPECIAL_REQUESTS[type] ?? actionRequest(type))])) as Record<
  ActionType,
  z.ZodObject
>;

export function isActionType(type: string): type is ActionType {
  return Object.hasOwn(actionSchemas, type);
}

/** Staff intake: the domain's schema as it is. */
export const intakeRequestSchema = intakeSchema;

/**
 * Completing or correcting the ESF+ entry record: the answers to change (the others stay as they
 * are) and, for a correction of a recorded version, why (stored as a note).
 */
export const esfEntryRequestSchema = z.object({
  ...esfEntryAnswersShape,
  reason: noteText.optional().meta({ description: 'why the record is corrected; required once a version exists' }),
});

const id = z.guid({ error: 'moet een geldige id zijn' });

export const participantsQuerySchema = z.object({
  phase: z.enum(PHASES).optional(),
  coach: id.optional(),
  site: id.optional(),
  q: z.string().trim().max(100, { error: 'maximaal 100 tekens' }).optional().meta({ description: 'words that must all occur in the name' }),
  page: z.coerce.number().int().min(1).max(10_000).default(1).meta({ description: '1-based' }),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

export const TASK_WINDOWS = ['open', 'due', 'overdue'] as const;
export const TASK_SCOPES = ['mine', 'site'] as const;
export const tasksQuerySchema = z.object({
  /** Staff only: mine (theirs and the unassigned ones, the default) or the whole site's, optionally one coach's. */
  scope: z.enum(TASK_SCOPES).default('mine').meta({ description: "staff: mine (own and unassigned, the default) or site (every open task of the site)" }),
  coach: id.optional().meta({ description: 'with scope=site: the tasks of one coach' }),
  /** open: every open task; due: due by the end of today (Brussels), overdue included; overdue: due before today. */
  when: z.enum(TASK_WINDOWS).default('open').meta({ description: 'open: every open task; due: due by the end of today (Brussels), overdue included; overdue: due before today' }),
});

export const REPORT_FORMATS = ['json', 'csv'] as const;
export const reportQuerySchema = z
  .object({
    site: id.optional().meta({ description: 'defaults to your own site' }),
    from: localDate,
    to: localDate,
    format: z.enum(REPORT_FORMATS).default('json').meta({ description: 'json, or csv for a spreadsheet (semicolons, decimal comma, UTF-8 with BOM)' }),
  })
  .refine((q) => q.from <= q.to, { error: 'het einde van de periode ligt voor het begin', path: ['to'] });
