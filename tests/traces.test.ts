import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathWorkflowId } from '../domain/messages.js';
import { setUpTracing, type Tracing } from '../infra/tracing.js';
import { api, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * One intake through the API (in-process app and worker), its spans collected in memory: the
 * API's request span, the client's StartWorkflow, the workflow's RunWorkflow, its StartActivity
 * and the activity's RunActivity for recordAll are one trace, each linked to its parent. (The
 * participant is then forgotten, so that the workflow's run, and with it its span, ends.)
 */

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;

beforeAll(async () => {
  tracing = setUpTracing({ serviceName: 'groeipad-test', spanProcessor: new SimpleSpanProcessor(exporter) })!;
  stack = await startTestStack({}, { tracing });
  siteId = await stack.site('Stuyfplek Traces');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
  await tracing?.shutdown();
});

const names = (spans: ReadableSpan[]) => spans.map((s) => s.name).sort();

describe('traces', () => {
  it('follow one intake from the API through the workflow into its activities, as one trace', async () => {
    exporter.reset();
    const res = await api(stack, '/api/intakes', {
      token: staff.token,
      body: { siteId, firstName: 'Tracy', lastName: 'Spoor', birthDate: '1990-01-01', email: 'tracy@example.be', consentEmail: false, referralSource: 'ocmw', coachId: coach.id },
    });
    expect(res.status).toBe(201);
    const { participantId } = (await res.json()) as { participantId: string };

    const request = await until(async () => exporter.getFinishedSpans().find((s) => s.name === 'POST /api/intakes'), 'the request span');
    const traceId = request.spanContext().traceId;
    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    await until(async () => (['RunActivity:recordAll', 'StartActivity:recordAll'].every((n) => inTrace().some((s) => s.name === n)) ? true : undefined), 'the recordAll spans', 30_000);
    // The workflow's own span lasts as long as its run (a path's: months), so it is exported
    // only when the run ends: the participant is forgotten (another request, its own trace).
    const forget = await api(stack, `/api/participants/${participantId}/actions/forget`, { token: coach.token, body: { confirm: true, reason: 'registered_by_mistake' } });
    expect(forget.status).toBe(200);
    // The only path of this test (the workflow's span carries no workflow id).
    const isRun = (s: ReadableSpan) => s.name === 'RunWorkflow:participantPath';
    await until(async () => exporter.getFinishedSpans().find(isRun), 'the workflow run span', 30_000);

    const spans = inTrace();
    const found = names(spans);
    expect(found.some((n) => n.startsWith('StartWorkflow:'))).toBe(true);
    expect(found.some((n) => n.startsWith('RunWorkflow:'))).toBe(true);
    expect(found).toContain('StartActivity:recordAll');
    expect(found).toContain('RunActivity:recordAll');
    // The path's run is in the intake's trace, in no other; the forget request has its own.
    for (const run of exporter.getFinishedSpans().filter(isRun)) expect(run.spanContext().traceId).toBe(traceId);
    const forgetSpan = exporter.getFinishedSpans().find((s) => s.name === 'POST /api/participants/:id/actions/:type');
    expect(forgetSpan?.spanContext().traceId).not.toBe(traceId);

    // The parent chain: every span but the request's has its parent in the trace, and following
    // the parents from the activity reaches the request.
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    expect(request.parentSpanId).toBeUndefined();
    for (const span of spans) if (span !== request) expect(byId.has(span.parentSpanId!), `${span.name}'s parent`).toBe(true);
    const chain: string[] = [];
    for (let s: ReadableSpan | undefined = spans.find((x) => x.name === 'RunActivity:recordAll'); s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) chain.push(s.name);
    expect(chain[0]).toBe('RunActivity:recordAll');
    expect(chain).toContain('StartActivity:recordAll');
    expect(chain.some((n) => n.startsWith('RunWorkflow:'))).toBe(true);
    expect(chain.some((n) => n.startsWith('StartWorkflow:'))).toBe(true);
    expect(chain.at(-1)).toBe('POST /api/intakes');
    expect(spans.find((s) => s.name.startsWith('StartWorkflow:'))?.attributes.temporalWorkflowId).toBe(pathWorkflowId(participantId));
    // Routes, never paths or personal data, in the spans.
    expect(JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes })))).not.toMatch(/Tracy|Spoor|tracy@/);
  });
});
