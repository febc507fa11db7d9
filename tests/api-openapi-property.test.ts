import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, json, peopleAtTwoSites, takeIn, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Property-based, from the OpenAPI document the running app serves: for every operation,
 * requests generated from its own schemas (path id, query, headers, JSON body) — valid ones and
 * ones broken in one way — sent as staff, a coach, a coordinator and nobody. Every answer must
 * be below 500, a status the document lists for the operation, with a body (and content type)
 * the document describes for that status. Seeded: OPENAPI_SEED reproduces a run (fast-check
 * prints the seed and the counterexample on failure); OPENAPI_RUNS is the runs per operation.
 */

const RUNS = Number(process.env.OPENAPI_RUNS ?? 30);
const SEED = Number(process.env.OPENAPI_SEED ?? 20260512);

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema: Schema };
type MediaTypes = Record<string, { schema?: Schema }>;
type Operation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: MediaTypes };
  responses: Record<string, { content?: MediaTypes }>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

let stack: TestStack;
let doc: Document;
let people: Record<'staff' | 'coach' | 'coordinator', Person>;
let participantIds: string[];
let taskIds: string[];
let knownIds: string[];

beforeAll(async () => {
  stack = await startTestStack();
  const p = await peopleAtTwoSites(stack);
  people = { staff: p.staff, coach: p.coach, coordinator: p.coordinator };
  participantIds = [
    await takeIn(stack, p.staff, p.siteId, { coachId: p.coach.id }),
    await takeIn(stack, p.staff, p.siteId, { coachId: p.coach.id }),
    await takeIn(stack, p.staff, p.siteId, { coachId: p.coach2.id }),
    await takeIn(stack, p.staff, p.siteId),
    await takeIn(stack, p.staffElsewhere, p.otherSiteId),
  ];
  taskIds = [];
  for (const [participant, assignee] of [
    [participantIds[0]!, p.coach.id],
    [participantIds[1]!, null],
    [participantIds[2]!, p.coach2.id],
  ] as const) {
    const { rows } = await stack.sql.query<{ id: string }>(
      `insert into public.tasks (key, participant_id, site_id, path_run, kind, assignee_id, due_at, cause)
       values ($1, $2, $3, 1, 'check_in', $4, now(), 'no_contact') returning id`,
      [`openapi-property/${participant}`, participant, p.siteId, assignee],
    );
    taskIds.push(rows[0]!.id);
  }
  knownIds = [...participantIds, ...taskIds, p.siteId, p.otherSiteId, p.staff.id, p.coach.id, p.coach2.id];
  const res = await stack.app.request(`${ORIGIN}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = await json<Document>(res);
});
afterAll(async () => {
  await stack?.stop();
});

/** Inlines the document's `#/components/schemas/…` references (our schemas have no cycles). */
function inline(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(inline);
  if (typeof schema !== 'object' || schema === null) return schema;
  const { $ref, ...rest } = schema as Schema & Record<string, unknown>;
  if (typeof $ref === 'string') {
    const name = /^#\/components\/schemas\/([^/]+)$/.exec($ref)?.[1];
    if (!name || !doc.components.schemas[name]) throw new Error(`unresolvable $ref ${$ref}`);
    return inline({ ...doc.components.schemas[name], ...rest });
  }
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, inline(v)]));
}

const JUNK_IDS = ['geen-id', '1234', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', ' ', 'x'.repeat(300), "'; drop table participants; --", '%', 'ü', '..'];
const WRONG_VALUES: unknown[] = [null, 42, -1, 0.5, true, false, [], {}, '', 'tekst', 'x'.repeat(5000), { nested: { deeper: [1] } }, ['onbestaande_code']];

function types(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (s.type) return [s.type];
  if (s.properties) return ['object'];
  return [];
}

/** Values the schema accepts (as far as JSON Schema says: the server may still refuse, e.g. an unknown id). */
function valid(s: Schema): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf ?? s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map(valid));
  if (s.allOf) return valid(Object.assign({}, ...s.allOf) as Schema);
  const kinds = types(s);
  if (kinds.length > 1) return fc.oneof(...kinds.map((type) => valid({ ...s, type })));
  switch (kinds[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1000, -1e9), max: Math.min(s.maximum ?? 1000, 1e9) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'array':
      return fc.array(valid(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3) });
    case 'object': {
      const props = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, valid(v)]));
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
    case 'string':
      return validString(s);
    default:
      return fc.constantFrom<unknown>('tekst', 1, true, null);
  }
}

const day = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true });

function validString(s: Schema): fc.Arbitrary<string> {
  if (s.format === 'date') return fc.oneof(day.map((d) => d.toISOString().slice(0, 10)), fc.constantFrom('2026-01-01', '2026-06-30', '2026-12-31'));
  if (s.format === 'date-time') return day.map((d) => d.toISOString());
  if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...knownIds), fc.uuid());
  if (s.format === 'email') return fc.oneof(fc.constant('iemand@example.be'), fc.emailAddress());
  const minLength = s.minLength ?? 0;
  const maxLength = Math.min(s.maxLength ?? minLength + 30, minLength + 30);
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity));
    } catch {
      // A pattern JavaScript cannot compile: fall back to plain strings (the server may refuse them).
    }
  }
  return fc.string({ minLength, maxLength });
}

/** A value the schema refuses: out of range, an unknown code, a bad date or id, or of another type. */
function invalid(s: Schema): fc.Arbitrary<unknown> {
  const options: unknown[] = [];
  if (s.enum) options.push('onbestaande_code');
  if (s.maxLength !== undefined) options.push('x'.repeat(s.maxLength + 1));
  if (s.minLength) options.push('');
  if (s.maximum !== undefined) options.push(s.maximum + 1, String(s.maximum + 1));
  if (s.minimum !== undefined) options.push(s.minimum - 1, String(s.minimum - 1));
  if (s.format === 'date') options.push('2027-02-30', '31/01/2027', '2027-13-01', 'morgen');
  if (s.format === 'uuid') options.push(...JUNK_IDS);
  if (s.format === 'email') options.push('geen-adres', '@', 'a@');
  options.push(...WRONG_VALUES);
  return fc.constantFrom(...options);
}

/** An object valid for the schema, then broken in one way: a required field gone, a field invalid, junk added (or, for a body, not an object at all). */
function broken(s: Schema, o: { notAnObject: boolean }): fc.Arbitrary<unknown> {
  const fields = Object.keys(s.properties ?? {});
  const ways: Array<fc.Arbitrary<unknown>> = o.notAnObject ? [fc.constantFrom<unknown>(null, [], 'tekst', 42, true)] : [];
  // Junk under a name that is also a valid header name (headers are objects of parameters too).
  ways.push(fc.tuple(valid(s), fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,9}$/), fc.jsonValue({ maxDepth: 2 })).map(([v, k, junk]) => ({ ...(v as object), [`x-${k}`]: junk })));
  if (s.required?.length) {
    ways.push(fc.tuple(valid(s), fc.constantFrom(...s.required)).map(([v, k]) => {
      const copy = { ...(v as Record<string, unknown>) };
      delete copy[k];
      return copy;
    }));
  }
  if (fields.length) {
    ways.push(
      fc.constantFrom(...fields).chain((k) => fc.tuple(valid(s), fc.constant(k), invalid(s.properties![k]!))).map(([v, k, bad]) => ({ ...(v as object), [k]: bad })),
    );
  }
  return fc.oneof(...ways);
}

/** An object schema of the operation's parameters in one place (query or header). */
function parametersSchema(parameters: Parameter[], where: Parameter['in']): Schema {
  const ps = parameters.filter((p) => p.in === where);
  return { type: 'object', properties: Object.fromEntries(ps.map((p) => [p.name, p.schema])), required: ps.filter((p) => p.required).map((p) => p.name) };
}

const asParameter = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

type Generated = {
  who: 'staff' | 'coach' | 'coordinator' | 'nobody';
  id: string;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: { json: unknown } | { raw: string } | null;
};

function requests(path: string, op: Operation): fc.Arbitrary<Generated> {
  const parameters = (op.parameters ?? []).map((p) => ({ ...p, schema: inline(p.schema) as Schema }));
  const fixtures = path.startsWith('/api/tasks/') ? [...taskIds, ...participantIds] : [...participantIds, ...taskIds];
  const id = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fixtures) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.constantFrom(...JUNK_IDS) });
  const queryOf = parametersSchema(parameters, 'query');
  const headerOf = parametersSchema(parameters, 'header');
  const objectOf = (s: Schema) => fc.oneof({ weight: 3, arbitrary: valid(s) }, { weight: 1, arbitrary: broken(s, { notAnObject: false }) }) as fc.Arbitrary<Record<string, unknown>>;
  const query = Object.keys(queryOf.properties!).length ? objectOf(queryOf) : fc.constant({});
  const headers = Object.keys(headerOf.properties!).length ? objectOf(headerOf) : fc.constant({});
  const bodySchema = op.requestBody?.content['application/json']?.schema;
  const body: fc.Arbitrary<Generated['body']> = bodySchema
    ? fc.oneof(
        { weight: 3, arbitrary: valid(inline(bodySchema) as Schema).map((v) => ({ json: v })) },
        { weight: 2, arbitrary: broken(inline(bodySchema) as Schema, { notAnObject: true }).map((v) => ({ json: v })) },
        // Not JSON, empty, null, or over the body limit (64 KiB).
        { weight: 1, arbitrary: fc.constantFrom({ raw: '{"kapot": ' }, { raw: '' }, { raw: 'null' }, { raw: JSON.stringify({ note: 'x'.repeat(70 * 1024) }) }) },
      )
    : fc.constant(null);
  return fc.record({ who: fc.constantFrom('staff', 'coach', 'coordinator', 'nobody'), id, query, headers, body });
}

async function send(path: string, method: string, r: Generated): Promise<{ url: string; res: Response }> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query)) if (v !== undefined) search.append(k, asParameter(v));
  const url = `${ORIGIN}${path.replace('{id}', encodeURIComponent(r.id))}${search.size ? `?${search}` : ''}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = asParameter(v);
  if (r.who !== 'nobody') headers.authorization = `Bearer ${people[r.who].token}`;
  let body: string | undefined;
  if (r.body) {
    headers['content-type'] = 'application/json';
    body = 'raw' in r.body ? r.body.raw : JSON.stringify(r.body.json);
  }
  return { url, res: await stack.app.request(url, { method: method.toUpperCase(), headers, body }) };
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
formats.default(ajv);
const validators = new Map<string, ValidateFunction>();
function validatorFor(key: string, schema: Schema): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile(inline(schema) as object);
    validators.set(key, v);
  }
  return v;
}

/** Why the response does not match the document, or null when it does. */
async function mismatch(path: string, method: string, op: Operation, res: Response): Promise<string | null> {
  const text = await res.text();
  if (res.status >= 500) return `${res.status}: ${text.slice(0, 500)}`;
  const documented = op.responses[String(res.status)] ?? op.responses.default;
  if (!documented) return `status ${res.status} is not in the document (${Object.keys(op.responses).join(', ')}): ${text.slice(0, 300)}`;
  if (!documented.content) return null;
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const media = documented.content[type];
  if (!media) return `content type "${type}" for ${res.status} is not in the document (${Object.keys(documented.content).join(', ')})`;
  if (!media.schema) return null;
  let value: unknown = text;
  if (type === 'application/json') {
    try {
      value = JSON.parse(text);
    } catch {
      return `${res.status} says JSON but is not: ${text.slice(0, 300)}`;
    }
  }
  const validate = validatorFor(`${method} ${path} ${res.status} ${type}`, media.schema);
  if (!validate(value)) return `${res.status} body does not match the document: ${ajv.errorsText(validate.errors)}; body ${text.slice(0, 300)}`;
  if (res.status >= 400 && type === 'application/json') {
    const requestId = (value as { error?: { requestId?: string } }).error?.requestId;
    if (requestId !== res.headers.get('x-request-id')) return `error requestId ${requestId} is not the x-request-id header ${res.headers.get('x-request-id')}`;
  }
  return null;
}

describe('the API against its own OpenAPI document', () => {
  it(`answers generated requests to every operation as documented (${RUNS} runs per operation, seed ${SEED})`, async () => {
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThan(20);
    const statuses = new Map<string, number>();
    for (const [i, { path, method, op }] of operations.entries()) {
      await fc.assert(
        fc.asyncProperty(requests(path, op), async (r) => {
          const { url, res } = await send(path, method, r);
          statuses.set(`${res.status}`, (statuses.get(`${res.status}`) ?? 0) + 1);
          const problem = await mismatch(path, method, op, res);
          if (problem) throw new Error(`${method.toUpperCase()} ${url} as ${r.who}: ${problem}`);
        }),
        { seed: SEED + i, numRuns: RUNS, endOnFailure: true },
      );
    }
    process.stdout.write(`openapi property: ${operations.length} operations, statuses ${JSON.stringify(Object.fromEntries(statuses))} (seed ${SEED})\n`);
    // Generated requests got through to the work, not only to refusals.
    expect([...statuses.keys()].some((s) => s.startsWith('2'))).toBe(true);
  }, 300_000);
});
