import type { Logger } from '../infra/logger.js';
import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import { temporalConnectionOptions } from '../infra/temporal/connection.js';
import { dataConverterFor } from '../infra/temporal/payload-codec.js';
import type { coachDailyDigest } from '../workflows/coach-digest.js';
import type { meetAndGreetInvitations } from '../workflows/meet-and-greet.js';

/**
 * The Temporal Schedules of groeipad: the yearly meet & greet invitation and the coaches' daily
 * digest. The worker makes sure they exist at every start: it creates them the first time and
 * brings an existing one in line with the configuration (cron, time zone, task queue) after that,
 * so changing a variable and restarting the worker is how a schedule is changed.
 */

export const SCHEDULE_IDS = {
  meetAndGreet: 'groeipad-meet-and-greet',
  coachDigest: 'groeipad-coach-digest',
} as const;

export function scheduleDefinitions(config: Config): ScheduleOptions[] {
  // A run that is still busy when the next is due is not doubled; a worker that was down a while
  // catches up on the last missed run within a day, not on every one.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
  const meetAndGreet: ScheduleOptions = {
    scheduleId: SCHEDULE_IDS.meetAndGreet,
    spec: { cronExpressions: [config.MEET_AND_GREET_CRON], timezone: config.SCHEDULE_TIME_ZONE },
    action: {
      type: 'startWorkflow',
      workflowType: 'meetAndGreetInvitations',
      workflowId: 'meet-and-greet',
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ lead: config.MEET_AND_GREET_LEAD }] satisfies Parameters<typeof meetAndGreetInvitations>,
    },
    policies,
  };
  const coachDigest: ScheduleOptions = {
    scheduleId: SCHEDULE_IDS.coachDigest,
    spec: { cronExpressions: [config.DIGEST_CRON], timezone: config.SCHEDULE_TIME_ZONE },
    action: {
      type: 'startWorkflow',
      workflowType: 'coachDailyDigest',
      workflowId: 'coach-digest',
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [] satisfies Parameters<typeof coachDailyDigest>,
    },
    policies,
  };
  return [meetAndGreet, coachDigest];
}

export interface EnsuredSchedules {
  created: string[];
  updated: string[];
}

/** Creates the schedules, or updates them when they already exist. Safe to run at every start, by several workers at once. */
export async function ensureSchedules(client: Client, config: Config): Promise<EnsuredSchedules> {
  const result: EnsuredSchedules = { created: [], updated: [] };
  for (const definition of scheduleDefinitions(config)) {
    try {
      await client.schedule.create(definition);
      result.created.push(definition.scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(definition.scheduleId).update((previous) => ({
        ...previous,
        spec: definition.spec,
        action: definition.action,
        policies: { ...previous.policies, ...definition.policies },
      }));
      result.updated.push(definition.scheduleId);
    }
  }
  return result;
}

/** For worker/main.ts: connects, ensures the schedules, disconnects. */
export async function ensureSchedulesFromConfig(config: Config, logger: Pick<Logger, 'info'>): Promise<void> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  try {
    const { created, updated } = await ensureSchedules(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config.TEMPORAL_PAYLOAD_KEYS) }), config);
    logger.info({ created, updated }, 'schedules ready');
  } finally {
    await connection.close();
  }
}
