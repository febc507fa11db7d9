import * as wf from '@temporalio/workflow';
import type { ScheduleActivities } from '../activities/contract.js';
import { addSpan, formatLocalDate, toLocalDate, type CalendarSpan } from '../domain/calendar.js';
import { EMAILS_IN_FLIGHT, noEmailsYet, sendBatch, type BulkResult } from './bulk-email.js';

/**
 * The yearly meet & greet, each site's own (a meet & greet moment per site on the date, with its
 * register): every active and former participant who agreed to email and did not opt out gets
 * one invitation a year to their site's (the key holds the year, so a second run in the same year,
 * a manual trigger or a retry sends nothing twice). Started by a Temporal Schedule
 * (worker/schedules.ts).
 */

export interface MeetAndGreetInput {
  /** How long after the invitation the meet & greet takes place. */
  lead: CalendarSpan;
  /** Set by continue-as-new: what is left to send. */
  carried?: { year: number; date: string; remaining: string[]; result: BulkResult };
}

export interface MeetAndGreetResult extends BulkResult {
  invited: number;
  date: string;
}

const { meetAndGreetInvitees } = wf.proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export async function meetAndGreetInvitations(input: MeetAndGreetInput): Promise<MeetAndGreetResult> {
  const today = toLocalDate(Date.now());
  const year = input.carried?.year ?? today.year;
  const date = input.carried?.date ?? formatLocalDate(addSpan(today, input.lead));
  // Each site's own meet & greet on that date is planned and its invitees invited to it.
  const ids = input.carried?.remaining ?? (await meetAndGreetInvitees({ date }));
  const result: BulkResult = input.carried?.result ?? noEmailsYet();

  for (let i = 0; i < ids.length; i += EMAILS_IN_FLIGHT) {
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.continueAsNew<typeof meetAndGreetInvitations>({ lead: input.lead, carried: { year, date, remaining: ids.slice(i), result } });
    }
    await sendBatch(
      ids.slice(i, i + EMAILS_IN_FLIGHT).map((participantId) => ({
        key: `meet_and_greet/${year}/${participantId}`,
        template: 'meet_and_greet_invitation' as const,
        recipient: { participantId },
        params: { date },
      })),
      result,
    );
  }
  return { invited: result.queued + result.sent + result.skipped + result.failed, date, ...result };
}
