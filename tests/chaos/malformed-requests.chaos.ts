import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { actionRequestSchemas, intakeRequestSchema } from '../../api/requests.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Property-based: requests derived from the API's own schemas, each broken in one way (a field
 * missing, of the wrong type, an unknown code, a bad id or date, far too long, or a body that is
 * not JSON). Every answer must be a 4xx naming the field; none a 5xx; no path may start.
 */

const COUNT = Number(process.env.CHAOS_MALFORMED ?? 10_000);
const SEED = Number(process.env.CHAOS_SEED ?? 20261127);

let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };
let coach: { id: string; token: string };
let participantId: string;

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site();
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  const res = await stack.app.request('/api/intakes', {
    method: 'POST',
    headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ siteId, firstName: 'Chaos', lastName: 'Proef', birthDate: '1970-01-01', referralSource: 'self', coachId: coach.id }),
  });
  participantId = ((await res.json()) as { participantId: string }).participantId;
});
afterAll(async () => {
  await stack?.stop();
});

/** mulberry32: a small seeded generator, so a failure can be reproduced with CHAOS_SEED. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; format?: string; pattern?: string; items?: JsonSchema; minItems?: number };

/** A valid value for a JSON-schema node (the shapes our zod schemas produce). */
function validValue(node: JsonSchema, name: string): unknown {
  if (node.enum) return node.enum[0];
  if (node.type === 'array') return [validValue(node.items ?? {}, name)];
  if (node.type === 'boolean') return true;
  if (node.type === 'integer' || node.type === 'number') return 1;
  if (node.type === 'object') return {};
  if (node.format === 'email') return 'iemand@example.be';
  if (node.format === 'uuid' || /^[a-z]*Id$/.test(name) || name === 'by') return coach.id;
  if (/date/i.test(name)) return '2027-03-01';
  return 'tekst';
}

function validBody(schema: z.ZodType): { body: Record<string, unknown>; json: JsonSchema } {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const body: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(json.properties ?? {})) {
    if (name === 'by') continue; // the API fills in the signed-in person
    if (json.required?.includes(name) || (node.type !== 'boolean' && !node.enum)) body[name] = validValue(node, name);
  }
  if ('referralId' in body) body.referralId = coach.id;
  if ('siteId' in body) body.siteId = siteId;
  return { body, json };
}

/** Whether a value is of the JSON-schema type (so it cannot serve as a wrong one). */
function sameKind(value: unknown, type: string): boolean {
  if (type === 'integer' || type === 'number') return typeof value === 'number';
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

const WRONG_TYPES: unknown[] = [null, 42, true, [], {}, 'x'.repeat(10_000), -1, 'tekst'];

function breakOne(next: () => number, body: Record<string, unknown>, json: JsonSchema): { body: Record<string, unknown> | string; field: string } {
  const fields = Object.keys(json.properties ?? {}).filter((f) => f !== 'by');
  const pick = <T,>(list: T[]) => list[Math.floor(next() * list.length)]!;
  const field = pick(fields);
  const node = json.properties![field]!;
  const broken = { ...body };
  const how = Math.floor(next() * 5);
  if (how === 0 && json.required?.includes(field)) {
    delete broken[field];
  } else if (how === 1 && node.enum) {
    broken[field] = 'onbestaande_code';
  } else if (how === 2 && (node.format === 'uuid' || /Id$/.test(field))) {
    broken[field] = pick(['geen-id', '1234', '', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']);
  } else if (how === 3 && /date/i.test(field)) {
    broken[field] = pick(['2027-02-30', '31/01/2027', '2027-13-01', 'morgen']);
  } else {
    // A value of the wrong type for this field (chosen so it cannot accidentally be valid).
    const expected = node.type ?? typeof body[field];
    const candidates = WRONG_TYPES.filter((v) => !sameKind(v, expected) || (typeof v === 'string' && v.length > 200));
    broken[field] = node.type === 'array' ? pick([null, 'tekst', 42, [{ x: 1 }], ['onbestaande_code']]) : pick(candidates);
  }
  return { body: broken, field };
}

describe('malformed requests', () => {
  it(`${COUNT} broken requests: no 5xx, no path started, every 4xx names the field`, async () => {
    const next = random(SEED);
    const routes = [
      { path: '/api/intakes', token: () => staff.token, schema: intakeRequestSchema as z.ZodType },
      ...Object.entries(actionRequestSchemas).map(([type, schema]) => ({ path: `/api/participants/${participantId}/actions/${type}`, token: () => coach.token, schema: schema as z.ZodType })),
    ];
    const prepared = routes.map((r) => ({ ...r, ...validBody(r.schema) }));
    const before = await stack.sql.query<{ n: number }>('select count(*)::int as n from public.participants');
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let i = 0; i < COUNT; i += 1) {
      const route = prepared[Math.floor(next() * prepared.length)]!;
      // A route whose only field is the signed-in person can only be broken by a body that is not JSON.
      const notJson = next() < 0.03 || Object.keys(route.json.properties ?? {}).every((f) => f === 'by');
      const { body, field } = notJson ? { body: '{"kapot": ', field: '_' } : breakOne(next, route.body, route.json);
      const res = await stack.app.request(route.path, {
        method: 'POST',
        headers: { authorization: `Bearer ${route.token()}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const answer = (await res.json()) as { error?: { fields?: Record<string, string> } };
      const named = Object.keys(answer.error?.fields ?? {}).some((f) => f === field || f.startsWith(`${field}.`));
      if (res.status >= 500 || res.status < 400 || !named) {
        if (failures.length < 10) failures.push(`${res.status} ${route.path} broke "${field}" with ${JSON.stringify(body).slice(0, 200)} → ${JSON.stringify(answer).slice(0, 300)}`);
      }
    }
    const after = await stack.sql.query<{ n: number }>('select count(*)::int as n from public.participants');
    let paths = 0;
    for await (const _ of stack.temporal.client.workflow.list({ query: "WorkflowType = 'participantPath'" })) paths += 1;
    process.stdout.write(`malformed requests: ${JSON.stringify(Object.fromEntries(statuses))} (seed ${SEED})\n`);
    expect(failures).toEqual([]);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    expect(paths).toBe(1); // only the participant created in beforeAll
  }, 600_000);
});
