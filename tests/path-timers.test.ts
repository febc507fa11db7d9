import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathQuery, pathUpdates, pathWorkflowId } from '../domain/messages.js';
import { DEFAULT_TIMINGS } from '../domain/timings.js';
import { participantPath } from '../workflows/participant-path.js';
import { recordingActivities } from './support/recording-activities.js';
import { untracedWorkflowCode } from './support/workflow-bundles.js';
import { startTimeSkipping } from './support/temporal.js';

/** The foundation's proof that a 12-month timer passes in seconds on the time-skipping server. */

const coach = randomUUID();
const site = randomUUID();
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const recorder = recordingActivities();

beforeAll(async () => {
  env = await startTimeSkipping();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'path-timers',
    ...untracedWorkflowCode(),
    activities: recorder.activities,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('a growth agreement on the time-skipping server', () => {
  it('expires after 12 calendar months, with the evaluation one month before', async () => {
    const participantId = randomUUID();
    const handle = await env.client.workflow.start(participantPath, {
      workflowId: pathWorkflowId(participantId),
      taskQueue: 'path-timers',
      args: [{ participantId, siteId: site, coachId: coach, referralSource: 'vdab', timings: DEFAULT_TIMINGS }],
    });
    await handle.executeUpdate(pathUpdates.changePhase, { args: [{ by: coach, to: 'focus', reason: 'ready_for_next_step' }] });
    const signed = await handle.executeUpdate(pathUpdates.signAgreement, { args: [{ by: coach, commitments: ['connectors_table'], privileges: ['space'], goalNoteId: randomUUID() }] });
    expect(signed.agreement?.status).toBe('active');

    const wallStart = Date.now();
    await env.sleep('400 days');
    const path = await handle.query(pathQuery);
    expect(Date.now() - wallStart).toBeLessThan(60_000);

    expect(path.agreement?.status).toBe('expired');
    expect(path.agreement?.evaluationAt).toBeDefined();
    const kinds = recorder.tasks().filter((t) => t.participantId === participantId).map((t) => t.kind);
    expect(kinds).toContain('agreement_evaluation');
    const templates = recorder.emails().filter((e) => 'participantId' in e.recipient && e.recipient.participantId === participantId).map((e) => e.template);
    expect(templates).toEqual(['welcome', 'agreement_confirmation', 'agreement_ending_soon']);
  });
});
