import * as wf from '@temporalio/workflow';
import type { ScheduleActivities } from '../activities/contract.js';
import { groupMomentEmailKey, type GroupMomentKind } from '../domain/codes.js';
import { EMAILS_IN_FLIGHT, noEmailsYet, sendBatch, type BulkResult } from './bulk-email.js';

/**
 * Invites the participants of a site — on an active path and former ones (after outflow, after
 * the path closed) who agreed to email and did not opt out — to a group moment (a connectors
 * table, an open house, a stuyflab ...). Started by staff through the API with the moment as
 * workflow id, so inviting twice to the same moment sends nothing twice; each email's key holds
 * the moment and the participant.
 */
export interface GroupMomentInput {
  siteId: string;
  kind: GroupMomentKind;
  /** Local date (YYYY-MM-DD) of the moment. */
  date: string;
  /** The planned moment (public.group_moments) the invitations attach to; absent in runs from before. */
  momentId?: string;
}

const { groupMomentInvitees } = wf.proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export function groupMomentWorkflowId(input: GroupMomentInput): string {
  return `group-moment-${input.siteId}-${input.kind}-${input.date}`;
}

export async function groupMomentInvitations(input: GroupMomentInput): Promise<BulkResult & { invited: number }> {
  const ids = await groupMomentInvitees(input.momentId ? { siteId: input.siteId, momentId: input.momentId, kind: input.kind } : { siteId: input.siteId });
  const result: BulkResult = noEmailsYet();
  for (let i = 0; i < ids.length; i += EMAILS_IN_FLIGHT) {
    await sendBatch(
      ids.slice(i, i + EMAILS_IN_FLIGHT).map((participantId) => ({
        key: groupMomentEmailKey(input.kind, input.date, participantId),
        template: 'group_moment_invitation' as const,
        recipient: { participantId },
        params: { kind: input.kind, date: input.date },
      })),
      result,
    );
  }
  return { invited: ids.length, ...result };
}
