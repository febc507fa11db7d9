import { randomUUID } from 'node:crypto';
import type { LambdaEvent } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLambda, handler } from '../api/lambda.js';
import { until } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The serverless entry: api/lambda.ts's `handler`, configured from the environment like a Lambda
 * function, invoked with API Gateway HTTP API (payload format 2.0) events against the real stack.
 */

let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };
let coach: { id: string; token: string };
const saved = { ...process.env };
type APIGatewayProxyEventV2 = Extract<LambdaEvent, { rawPath: string }>;
const DOMAIN = 'k7x2m9qa1c.execute-api.eu-west-1.amazonaws.com';

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site();
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
  // The function's environment, as the deployment would set it.
  Object.assign(process.env, {
    GROEIPAD_ENV: 'test',
    PUBLIC_URL: `https://${DOMAIN}`,
    SUPABASE_URL: stack.config.SUPABASE_URL,
    SUPABASE_SERVICE_ROLE_KEY: stack.config.SUPABASE_SERVICE_ROLE_KEY,
    SUPABASE_JWT_SECRET: stack.config.SUPABASE_JWT_SECRET,
    TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
    TEMPORAL_TASK_QUEUE: stack.config.TEMPORAL_TASK_QUEUE,
  });
});
afterAll(async () => {
  await closeLambda();
  process.env = saved;
  await stack?.stop();
});

function event(method: string, path: string, o: { query?: string; headers?: Record<string, string>; body?: string; cookies?: string[] } = {}): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: o.query ?? '',
    ...(o.cookies ? { cookies: o.cookies } : {}),
    headers: { host: DOMAIN, 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7', 'user-agent': 'vitest', ...(o.headers ?? {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'k7x2m9qa1c',
      authentication: null,
      authorizer: {} as never,
      domainName: DOMAIN,
      domainPrefix: 'k7x2m9qa1c',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: o.body ?? null,
    isBase64Encoded: false,
  };
}

describe('AWS Lambda handler (API Gateway v2)', () => {
  it('answers health and readiness', async () => {
    const health = await handler(event('GET', '/health'));
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    const ready = await handler(event('GET', '/ready'));
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', database: 'ok', temporal: 'ok' });
  });

  it('takes a participant in and reads the path from the workflow', async () => {
    const intake = await handler(
      event('POST', '/api/intakes', {
        headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json', 'idempotency-key': 'lambda-1' },
        body: JSON.stringify({ siteId, firstName: 'Lien', lastName: 'Wouters', birthDate: '1988-06-30', referralSource: 'gtb', coachId: coach.id }),
      }),
    );
    expect(intake.statusCode, intake.body).toBe(201);
    const { participantId } = JSON.parse(intake.body) as { participantId: string };
    const detail = await until(async () => {
      const res = await handler(event('GET', `/api/participants/${participantId}`, { headers: { authorization: `Bearer ${coach.token}` } }));
      return res.statusCode === 200 ? (JSON.parse(res.body) as { path: { phase: string; status: string } }) : undefined;
    }, 'the participant');
    expect(detail.path).toMatchObject({ phase: 'orientation', status: 'active' });
  });

  it('refuses without sign-in in the error shape, with the request id', async () => {
    const res = await handler(event('GET', '/api/participants', { headers: { 'x-request-id': 'lambda-req-1' } }));
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'unauthenticated', message: 'Meld je eerst aan.', requestId: 'lambda-req-1' } });
  });

  it('serves the pages: sign-in through a form sets the session cookie, which opens the tasks page', async () => {
    const signIn = await handler(
      event('POST', '/inloggen', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `https://${DOMAIN}` },
        body: new URLSearchParams({ userId: coach.id, terug: '/taken' }).toString(),
      }),
    );
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers).toMatchObject({ location: '/taken' });
    const cookie = signIn.cookies?.find((c) => c.startsWith('groeipad_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    const tasks = await handler(event('GET', '/taken', { cookies: [cookie!.split(';')[0]!] }));
    expect(tasks.statusCode).toBe(200);
    expect(tasks.headers).toMatchObject({ 'content-type': 'text/html; charset=UTF-8' });
    expect(tasks.body).toContain('<h1>Mijn taken</h1>');

    const forged = await handler(
      event('POST', '/inloggen', { headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: `userId=${coach.id}` }),
    );
    expect(forged.statusCode).toBe(403);
  });
});
