import { groupMomentInvitationSchema, groupMomentRegisterSchema, planGroupMomentSchema } from '../domain/actions.js';
import { z } from 'zod';
import { PHASES, TASK_KINDS } from '../domain/codes.js';
import type { Config } from '../infra/config.js';
import { ERROR_STATUS, type ErrorCode } from './errors.js';
import {
  ACTION_TYPES,
  actionRequestSchemas,
  esfEntryRequestSchema,
  intakeRequestSchema,
  participantsQuerySchema,
  reportQuerySchema,
  tasksQuerySchema,
  type ActionType,
} from './requests.js';

/**
 * The OpenAPI 3.1 document of the JSON API, served at /api/openapi.json. Request bodies and
 * query parameters come from the same zod schemas the routes validate with (zod 4's
 * `z.toJSONSchema`); OpenAPI 3.1 uses JSON Schema 2020-12, the converter's default.
 */

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Query parameters from an object schema, one per key. */
function queryParameters(schema: z.ZodObject): JsonSchema[] {
  const object = jsonSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string().meta({ description: 'In Dutch, for people; a refused action carries the reason here.' }),
    fields: z.record(z.string(), z.string()).optional().meta({ description: 'Per field (dotted path), the first problem.' }),
    requestId: z.string(),
  }),
});

const intakeResultSchema = z.object({
  participantId: z.guid(),
  workflowId: z.string(),
  created: z.boolean().meta({ description: 'false when the same person (or the same Idempotency-Key) was taken in before' }),
  reentered: z.boolean().meta({ description: 'true when this intake started the re-entry of someone whose path had ended' }),
  esfRecorded: z
    .boolean()
    .meta({ description: 'true when this intake recorded the ESF+ entry (version 1); false when the person had a record already, whose answers stay (the ones given now were not recorded)' }),
});

const taskSchema = z.object({
  id: z.guid(),
  kind: z.enum(TASK_KINDS),
  dueAt: z.iso.datetime({ offset: true }),
  status: z.enum(['open', 'done', 'cancelled']),
  participantId: z.guid(),
  assigneeId: z.guid().nullable(),
});

const myTaskSchema = taskSchema.extend({ participantName: z.string(), overdue: z.boolean() });

const participantSummarySchema = z.object({
  id: z.guid(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  siteId: z.guid(),
  coachId: z.guid().nullable(),
  coachName: z.string().nullable(),
  phase: z.enum(PHASES),
  status: z.enum(['active', 'aftercare', 'closed', 'forgotten']),
  pathRun: z.number().int(),
  nextTask: taskSchema.pick({ id: true, kind: true, dueAt: true }).nullable(),
  lastContactAt: z.iso.datetime({ offset: true }).nullable(),
});

const pathSchema = z
  .looseObject({ participantId: z.guid(), phase: z.enum(PHASES), status: z.string(), pathRun: z.number().int() })
  .meta({ description: 'The path as the workflow holds it (PathView in domain/path-state.ts): ids, codes and instants in ms.' });

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const ERRORS = {
  400: errorResponse('Invalid input; `fields` names each field'),
  401: errorResponse('Not signed in'),
  403: errorResponse('Signed in, but not allowed'),
  404: errorResponse('Not found'),
  409: errorResponse('Refused by the path (the reason is the message)'),
  413: errorResponse('The body is over the limit (64 KiB)'),
  422: errorResponse('Idempotency-Key reused for someone else'),
  503: errorResponse('Not available yet'),
} as const;
const errors = (...codes: Array<keyof typeof ERRORS>) => Object.fromEntries(codes.map((code) => [code, ERRORS[code]]));
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const idParameter = (what: string) => ({ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: what });

const ACTION_SUMMARIES: Record<ActionType, string> = {
  signalCrisis: 'Signal a focus or status crisis (optionally with the move it proposes)',
  changePhase: 'Move the participant to another phase, with a reason (and, back to orientation during an agreement, what happens to it)',
  signAgreement: 'Sign a growth agreement (focus or activation)',
  renewAgreement: 'Renew the active growth agreement',
  closeAgreement: 'Close the active growth agreement',
  resumeAgreement: 'Resume a paused growth agreement (its end moves by the pause)',
  logContact: 'Log a contact (conversation, group moment, reply)',
  logAttendance: 'Log attendance at a group moment',
  registerStep: 'Register a small step (new, or change one); steps stay with the person',
  validateStep: 'Validate a step: who, when and what shows it',
  referOut: 'Propose a warm referral to a partner',
  updateReferral: 'Move a referral forward (introduced, accepted, declined)',
  outflow: 'Record outflow (ESF+: with the situations at leaving when known; absent: not known yet, empty: none of these)',
  recordLeavingResult: 'ESF+: record the situations after the last leaving, observed within 28 days of it (the last observed counts)',
  recordFollowUp: 'ESF+: record the answer to "werk je op dit moment?", from six months after the last leaving on',
  reenter: 'Let a former participant come back',
  assignCoach: 'Assign a coach',
  forget: 'Forget the participant (erase personal data; the path ends)',
};

export function openApiDocument(config: Pick<Config, 'PUBLIC_URL'>): JsonSchema {
  const actionPaths = Object.fromEntries(
    ACTION_TYPES.map((type) => [
      `/api/participants/{id}/actions/${type}`,
      {
        post: {
          operationId: type,
          tags: ['actions'],
          summary: ACTION_SUMMARIES[type],
          description: 'A Temporal Update on the participant\'s path. `note` (where the action has one) is stored in the database; the workflow gets its id.',
          parameters: [idParameter('participant id')],
          requestBody: { required: true, content: json(ref(`${type}Request`)) },
          responses: { 200: { description: 'The path after the action', content: json({ type: 'object', properties: { path: ref('Path') }, required: ['path'] }) }, ...errors(400, 401, 403, 404, 409, 413) },
        },
      },
    ]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'groeipad',
      version: '0.1.0',
      description: 'Growth paths of the participants of a Stuyfplek. Messages for people (errors, refusals) are in Dutch.',
    },
    servers: [{ url: config.PUBLIC_URL }],
    security: [{ bearer: [] }, { session: [] }],
    tags: [{ name: 'participants' }, { name: 'actions' }, { name: 'tasks' }, { name: 'reports' }, { name: 'service' }],
    paths: {
      '/health': { get: { tags: ['service'], security: [], summary: 'The process answers', responses: { 200: { description: 'ok' } } } },
      '/ready': { get: { tags: ['service'], security: [], summary: 'The database and Temporal answer', responses: { 200: { description: 'ready' }, 503: { description: 'a dependency is unavailable' } } } },
      '/api/openapi.json': { get: { tags: ['service'], security: [], summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/api/intakes': {
        post: {
          operationId: 'intake',
          tags: ['participants'],
          summary: 'Take a participant in (staff): one path per person',
          description: 'Idempotent: the same person, or the same Idempotency-Key from the same person, returns the same participant and path (200 instead of 201).',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 } }],
          requestBody: { required: true, content: json(ref('Intake')) },
          responses: {
            201: { description: 'Taken in; the path started', content: json(ref('IntakeResult')) },
            200: { description: 'Taken in before; the same path', content: json(ref('IntakeResult')) },
            ...errors(400, 401, 403, 409, 413, 422),
          },
        },
      },
      '/api/participants': {
        get: {
          operationId: 'listParticipants',
          tags: ['participants'],
          summary: 'Participants: a coach sees their own, staff their site',
          parameters: queryParameters(participantsQuerySchema),
          responses: {
            200: { description: 'The participants', content: json({ type: 'object', properties: { participants: { type: 'array', items: ref('ParticipantSummary') } }, required: ['participants'] }) },
            ...errors(400, 401, 403),
          },
        },
      },
      '/api/participants/{id}': {
        get: {
          operationId: 'getParticipant',
          tags: ['participants'],
          summary: 'A participant: the path from the workflow, the history from the database',
          parameters: [idParameter('participant id')],
          responses: {
            200: {
              description: 'The participant',
              content: json({
                type: 'object',
                properties: {
                  participant: { type: 'object' },
                  path: ref('Path'),
                  history: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, type: { type: 'string' }, pathRun: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, event: { type: 'object' } } } },
                  notes: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, body: { type: 'string' }, authorId: { type: ['string', 'null'] }, createdAt: { type: 'string' } } } },
                  tasks: { type: 'array', items: ref('Task') },
                },
              }),
            },
            ...errors(401, 403, 404),
          },
        },
      },
      ...actionPaths,
      '/api/group-moments/invitations': {
        post: {
          operationId: 'inviteToGroupMoment',
          tags: ['group moments'],
          summary: 'Invite the participants of my site — active and former (after outflow, after the path closed) with consent — to a group moment; once per site, kind and date. The invitations attach to the planned moment of that kind and date (planned now if it was not)',
          requestBody: { required: true, content: json(ref('GroupMomentInvitation')) },
          responses: {
            202: { description: 'Invitations are being sent', content: json({ type: 'object', properties: { workflowId: { type: 'string' }, momentId: { type: 'string', format: 'uuid' } } }) },
            ...errors(400, 401, 403, 413),
          },
        },
      },
      '/api/group-moments': {
        get: {
          operationId: 'groupMoments',
          tags: ['group moments'],
          summary: 'The group moments of my site, from a month ago on (staff, facilitators, coaches)',
          responses: { 200: { description: 'Moments, the first first', content: json({ type: 'object', properties: { moments: { type: 'array', items: ref('GroupMoment') } } }) }, ...errors(401, 403) },
        },
        post: {
          operationId: 'planGroupMoment',
          tags: ['group moments'],
          summary: 'Plan a group moment at my site (staff, facilitators); once per kind and day. A connectors table today or later picks up the invitations waiting for it (after a focus crisis)',
          requestBody: { required: true, content: json(ref('PlanGroupMoment')) },
          responses: {
            201: { description: 'Planned', content: json({ type: 'object', properties: { moment: ref('GroupMoment'), created: { type: 'boolean' } } }) },
            200: { description: 'It was planned already: that moment', content: json({ type: 'object', properties: { moment: ref('GroupMoment'), created: { type: 'boolean' } } }) },
            ...errors(400, 401, 403, 413),
          },
        },
      },
      '/api/group-moments/{id}/register': {
        get: {
          operationId: 'groupMomentRegister',
          tags: ['group moments'],
          summary: 'The register of a moment: who is expected (names only; invited or not, never why), who came, the guests per partner. For staff and facilitators of the site, and the coach who runs it',
          parameters: [idParameter('group moment id')],
          responses: { 200: { description: 'The register', content: json(ref('GroupMomentRegisterView')) }, ...errors(401, 403, 404) },
        },
        post: {
          operationId: 'saveGroupMomentRegister',
          tags: ['group moments'],
          summary: 'Save the register at once: the participants who came (each counted on their path once, however often this is sent) and the guests per partner (0 clears one)',
          parameters: [idParameter('group moment id')],
          requestBody: { required: true, content: json(ref('GroupMomentRegister')) },
          responses: { 200: { description: 'The register as saved', content: json(ref('GroupMomentRegisterView')) }, ...errors(400, 401, 403, 404, 413) },
        },
      },
      '/api/tasks': {
        get: {
          operationId: 'myTasks',
          tags: ['tasks'],
          summary: 'My open tasks (staff also see the unassigned tasks of their site)',
          parameters: queryParameters(tasksQuerySchema),
          responses: { 200: { description: 'Tasks, the first due first', content: json({ type: 'object', properties: { tasks: { type: 'array', items: ref('MyTask') } } }) }, ...errors(400, 401, 403) },
        },
      },
      '/api/participants/{id}/esf-entry': {
        get: {
          operationId: 'esfEntry',
          tags: ['participants'],
          summary: 'The ESF+ entry record: the current version (special-category answers only for the participant\'s own coach; staff see which were answered) and every version',
          parameters: [idParameter('participant id')],
          responses: { 200: { description: 'The record', content: json({ type: 'object' }) }, ...errors(401, 403, 404) },
        },
        post: {
          operationId: 'recordEsfEntry',
          tags: ['participants'],
          summary: 'Complete or correct the ESF+ entry record: a new version with the answers given (the others carried forward); `reason` is required once a version exists',
          parameters: [idParameter('participant id')],
          requestBody: { required: true, content: json(ref('EsfEntryRequest')) },
          responses: {
            201: { description: 'The new version', content: json({ type: 'object', properties: { entryId: { type: 'string' }, version: { type: 'integer' }, complete: { type: 'boolean' }, recorded: { type: 'boolean' } } }) },
            ...errors(400, 401, 403, 404, 409, 413),
          },
        },
      },
      '/api/tasks/{id}/complete': {
        post: {
          operationId: 'completeTask',
          tags: ['tasks'],
          summary: 'Mark a task done',
          parameters: [idParameter('task id')],
          responses: { 200: { description: 'Done', content: json({ type: 'object', properties: { task: ref('Task') } }) }, ...errors(401, 403, 404, 409) },
        },
      },
      '/api/reports/funder': {
        get: {
          operationId: 'funderReport',
          tags: ['reports'],
          summary: 'The funder report (ESF) of a site for a period, as JSON or CSV',
          parameters: queryParameters(reportQuerySchema),
          responses: {
            200: {
              description: 'The report',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      site: { type: 'string' },
                      from: { type: 'string' },
                      to: { type: 'string' },
                      report: { type: 'object' },
                      participantsPerPhase: { type: 'array', description: 'participants per phase at each month end of the period and at its end', items: { type: 'object' } },
                    },
                  },
                },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            ...errors(400, 401, 403, 503),
          },
        },
      },
      '/api/reports/esf': {
        get: {
          operationId: 'esfReport',
          tags: ['reports'],
          summary: 'The ESF+ indicators of a site for a period, as JSON or CSV (README, "The report and its CSV")',
          parameters: queryParameters(reportQuerySchema),
          responses: {
            200: {
              description: 'The indicators',
              content: {
                'application/json': { schema: { type: 'object', properties: { site: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, esf: { type: 'object' } } } },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            ...errors(400, 401, 403, 503),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Supabase access token' },
        session: { type: 'apiKey', in: 'cookie', name: 'groeipad_session', description: 'The web session as @supabase/ssr keeps it (a Supabase session; split over groeipad_session.0, .1, … when large)' },
      },
      schemas: {
        Error: jsonSchema(errorSchema),
        Intake: jsonSchema(intakeRequestSchema),
        EsfEntryRequest: jsonSchema(esfEntryRequestSchema),
        GroupMomentInvitation: jsonSchema(groupMomentInvitationSchema),
        PlanGroupMoment: jsonSchema(planGroupMomentSchema),
        GroupMomentRegister: jsonSchema(groupMomentRegisterSchema),
        GroupMoment: {
          type: 'object',
          required: ['id', 'siteId', 'kind', 'date', 'facilitatorId'],
          properties: { id: { type: 'string', format: 'uuid' }, siteId: { type: 'string', format: 'uuid' }, kind: { type: 'string' }, date: { type: 'string', format: 'date' }, facilitatorId: { type: ['string', 'null'] } },
        },
        GroupMomentRegisterView: {
          type: 'object',
          required: ['moment', 'participants', 'guests'],
          properties: {
            moment: ref('GroupMoment'),
            participants: {
              type: 'array',
              items: {
                type: 'object',
                properties: { participantId: { type: 'string' }, firstName: { type: 'string' }, lastName: { type: 'string' }, invited: { type: 'boolean' }, present: { type: 'boolean' }, counted: { type: 'boolean' } },
              },
            },
            guests: { type: 'array', items: { type: 'object', properties: { partner: { type: 'string' }, count: { type: 'integer' } } } },
            notCounted: { type: 'array', items: { type: 'object', properties: { participantId: { type: 'string' }, reason: { type: 'string' } } } },
          },
        },
        IntakeResult: jsonSchema(intakeResultSchema),
        ParticipantSummary: jsonSchema(participantSummarySchema),
        Task: jsonSchema(taskSchema),
        MyTask: jsonSchema(myTaskSchema),
        Path: jsonSchema(pathSchema),
        ...Object.fromEntries(ACTION_TYPES.map((type) => [`${type}Request`, jsonSchema(actionRequestSchemas[type])])),
      },
    },
  };
}
