import * as wf from '@temporalio/workflow';
import type { ScheduleActivities } from '../activities/contract.js';
import { formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { EMAILS_IN_FLIGHT, noEmailsYet, sendBatch, type BulkResult } from './bulk-email.js';

/**
 * The coaches' daily digest: every coach with open tasks due today or overdue gets one email a
 * day with the counts (the key holds the date). Started by a Temporal Schedule (worker/schedules.ts).
 */

export interface CoachDigestResult extends BulkResult {
  date: string;
  coaches: number;
}

const { coachDigests } = wf.proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export async function coachDailyDigest(): Promise<CoachDigestResult> {
  const date = formatLocalDate(toLocalDate(Date.now()));
  const digests = await coachDigests({ date });
  const result: BulkResult = noEmailsYet();
  for (let i = 0; i < digests.length; i += EMAILS_IN_FLIGHT) {
    await sendBatch(
      digests.slice(i, i + EMAILS_IN_FLIGHT).map((d) => ({
        key: `coach_daily_digest/${date}/${d.coachId}`,
        template: 'coach_daily_digest' as const,
        recipient: { coachId: d.coachId },
        params: { date, due: d.due, overdue: d.overdue },
      })),
      result,
    );
  }
  return { date, coaches: digests.length, ...result };
}
