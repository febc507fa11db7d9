import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Intake } from '../domain/actions.js';
import { pathQuery, pathUpdates, pathWorkflowId, WORKFLOW_TYPE } from '../domain/messages.js';
import type { PathView } from '../domain/path-state.js';
import type { Action } from '../domain/path-rules.js';
import type { participantPath } from '../workflows/participant-path.js';
import { ApiError } from './errors.js';
import type { ApiDeps } from './context.js';

/**
 * The API's side of a path: intake (participant row + workflow), reading the path, and coach
 * actions as Temporal updates. Refusals from the workflow's validators become 409s.
 */

/** The same person at a repeated intake: normalised name and birth date, hashed. */
export function identityKey(intake: Pick<Intake, 'firstName' | 'lastName' | 'birthDate'>): string {
  const normal = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
  return createHash('sha256').update(`${normal(intake.firstName)}|${normal(intake.lastName)}|${intake.birthDate}`).digest('hex');
}

export interface IntakeResult {
  participantId: string;
  workflowId: string;
  created: boolean;
}

export async function intake(deps: ApiDeps, input: Intake): Promise<IntakeResult> {
  const { db, temporal, config } = deps;
  if (input.coachId) {
    const { data: coach } = await db.from('profiles').select('id').eq('id', input.coachId).eq('role', 'coach').eq('site_id', input.siteId).maybeSingle();
    if (!coach) throw new ApiError('invalid_input', 'Ongeldige invoer: coachId (geen coach van deze Stuyfplek)', { coachId: 'geen coach van deze Stuyfplek' });
  }
  const { data: site } = await db.from('sites').select('id').eq('id', input.siteId).maybeSingle();
  if (!site) throw new ApiError('invalid_input', 'Ongeldige invoer: siteId (onbekende Stuyfplek)', { siteId: 'onbekende Stuyfplek' });

  const key = identityKey(input);
  const inserted = await db
    .from('participants')
    .upsert(
      {
        site_id: input.siteId,
        coach_id: input.coachId ?? null,
        first_name: input.firstName,
        last_name: input.lastName,
        birth_date: input.birthDate,
        email: input.email ?? null,
        phone: input.phone ?? null,
        consent_email: input.consentEmail,
        referral_source: input.referralSource,
        identity_key: key,
      },
      { onConflict: 'identity_key', ignoreDuplicates: true },
    )
    .select('id');
  if (inserted.error) throw new Error(`intake: ${inserted.error.message}`);
  const created = (inserted.data ?? []).length > 0;
  const existing = await db.from('participants').select('id, site_id, coach_id, referral_source').eq('identity_key', key).single();
  if (existing.error) throw new Error(`intake: ${existing.error.message}`);
  const participant = existing.data;

  // The participant id is the business id: a repeated intake finds the running path.
  const workflowId = pathWorkflowId(participant.id);
  await temporal.workflow.start<typeof participantPath>(WORKFLOW_TYPE, {
    workflowId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [
      {
        participantId: participant.id,
        siteId: participant.site_id,
        coachId: participant.coach_id,
        referralSource: participant.referral_source as Intake['referralSource'],
        timings: config.timings,
      },
    ],
  });
  return { participantId: participant.id, workflowId, created };
}

export async function readPath(deps: ApiDeps, participantId: string): Promise<PathView> {
  try {
    return await deps.temporal.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError('not_found', 'Geen groeipad gevonden voor deze deelnemer.');
    throw err;
  }
}

export async function runAction(deps: ApiDeps, participantId: string, action: Action): Promise<PathView> {
  const handle = deps.temporal.workflow.getHandle(pathWorkflowId(participantId));
  try {
    return await handle.executeUpdate(pathUpdates[action.type] as typeof pathUpdates.changePhase, { args: [action.input as never] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw new ApiError(err.cause.type === 'InvalidInput' ? 'invalid_input' : 'refused', err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) throw new ApiError('not_found', 'Geen groeipad gevonden voor deze deelnemer.');
    throw err;
  }
}
