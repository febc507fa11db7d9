import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { freePort } from '../infra/net.js';
import { api, ORIGIN, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The metrics on the real stack: the worker (a child process, as in production: the test process
 * has its own Temporal runtime) serves the SDK's metrics and the outbox's gauges on
 * WORKER_METRICS_PORT; the API counts its requests by route pattern, for a scraper with
 * METRICS_TOKEN only.
 */

const METRICS_TOKEN = 'scraper-token-0123456789';
let stack: TestStack;
let workerMetrics: string;
let siteId: string;
let staff: Person;
let coach: Person;

beforeAll(async () => {
  const port = await freePort();
  workerMetrics = `http://127.0.0.1:${port}/metrics`;
  stack = await startTestStack({ WORKER_METRICS_PORT: String(port), OUTBOX_METRICS_SECONDS: '1', METRICS_TOKEN }, { worker: 'child' });
  siteId = await stack.site('Stuyfplek Metrics');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

async function scrape(): Promise<string | undefined> {
  try {
    const res = await fetch(workerMetrics);
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined; // the worker is not up yet
  }
}

const sample = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe("the worker's metrics", () => {
  it("serves the SDK's metrics and the outbox's depth and oldest age for Prometheus", async () => {
    // The provider refuses for a while: the welcome email waits in the outbox.
    stack.outbox.failNext({ status: 500, times: 1000 });
    const res = await api(stack, '/api/intakes', {
      token: staff.token,
      body: { siteId, firstName: 'Mira', lastName: 'Metriek', birthDate: '1990-01-01', email: 'mira@example.be', consentEmail: true, referralSource: 'ocmw', coachId: coach.id },
    });
    expect(res.status).toBe(201);
    const waiting = await until(
      async () => {
        const text = await scrape();
        // The gauges can show the email before the dispatcher's first refused attempt is counted: wait for both.
        const waitingEmail = text && (sample(text, 'groeipad_email_outbox_depth') ?? 0) >= 1 && (sample(text, 'groeipad_email_outbox_oldest_age_seconds') ?? 0) > 0;
        return waitingEmail && /^temporal_activity_execution_failed_total\{/m.test(text) ? text : undefined;
      },
      'the outbox gauges to show the waiting email, and the refused sending to be counted',
      60_000,
      500,
    );
    // The SDK's own: workflow tasks, their schedule-to-start latency, activity failures.
    expect(waiting).toMatch(/^temporal_workflow_task_schedule_to_start_latency_seconds_bucket\{/m);
    expect(waiting).toMatch(/^temporal_workflow_completed_total\{|^temporal_workflow_task_execution_latency_seconds_bucket\{/m);
    expect(waiting).toMatch(/^temporal_activity_execution_failed_total\{/m);
    expect(waiting).not.toContain('mira');
  });
});

describe("the API's metrics", () => {
  it('counts requests by route pattern, never by path, for the scraper only', async () => {
    const token = 'Ab1'.repeat(24);
    expect((await stack.app.request(`${ORIGIN}/mijn-pad/${token}`)).status).toBe(404);
    expect((await api(stack, '/health')).status).toBe(200);
    expect((await api(stack, '/metrics')).status).toBe(401);
    expect((await api(stack, '/metrics', { token: 'wrong-token-0123456789' })).status).toBe(401);
    const res = await api(stack, '/metrics', { token: METRICS_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('groeipad_http_requests_total{method="GET",route="/mijn-pad/:token",status="404"} 1');
    expect(text).toContain('groeipad_http_requests_total{method="GET",route="/health",status="200"} 1');
    expect(text).toContain('groeipad_http_requests_total{method="POST",route="/api/intakes",status="201"} 1');
    expect(text).toMatch(/groeipad_http_request_duration_seconds_bucket\{le="0.5",method="GET",route="\/health",status_class="2xx"\} 1/);
    expect(text).not.toContain(token);
  });

  it('has no endpoint without METRICS_TOKEN', async () => {
    const app = createApp({ config: { ...stack.config, METRICS_TOKEN: undefined }, db: stack.db, temporal: stack.client });
    expect((await app.request(`${ORIGIN}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
  });
});
