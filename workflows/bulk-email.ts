import * as wf from '@temporalio/workflow';
import type { PathActivities, SendEmailInput } from '../activities/contract.js';

/**
 * Sends many emails from a scheduled workflow, a few at a time, each through the same idempotent
 * email activity as the paths (key = one message). An email that keeps failing is given up after
 * a while, so one bad address cannot hold up everyone else's or next run's.
 */
const { sendEmail } = wf.proxyActivities<PathActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 30, nonRetryableErrorTypes: ['PermanentEmailFailure'] },
});

/** Counted per activity answer: 'queued' today; 'sent' and 'skipped' from workers before the outbox. */
export interface BulkResult {
  queued: number;
  sent: number;
  skipped: number;
  failed: number;
}

export const EMAILS_IN_FLIGHT = 10;

export const noEmailsYet = (): BulkResult => ({ queued: 0, sent: 0, skipped: 0, failed: 0 });

export async function sendBatch(emails: SendEmailInput[], into: BulkResult): Promise<void> {
  const results = await Promise.allSettled(emails.map((email) => sendEmail(email)));
  for (const [i, result] of results.entries()) {
    // `?? 0`: a result carried over by continue-as-new from before 'queued' existed.
    if (result.status === 'fulfilled') into[result.value.status] = (into[result.value.status] ?? 0) + 1;
    else {
      into.failed += 1;
      wf.log.warn('email not sent', { key: emails[i]?.key, template: emails[i]?.template });
    }
  }
}
