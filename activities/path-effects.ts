import { ApplicationFailure } from '@temporalio/common';
import { pathWorkflowId } from '../domain/messages.js';
import type { Db } from '../infra/supabase/client.js';
import type { Json } from '../supabase/types.js';
import type { RecordAllInput } from './contract.js';

/**
 * Writes a batch of a path's effects (records, tasks, queued emails) with one call to
 * public.record_path_effects (supabase/migrations/20261129160000_record_path_effects.sql),
 * through PostgREST's RPC with the worker's service-role client: one HTTP round trip and one
 * transaction per batch, so a batch is written whole or not at all. Every write in it is
 * idempotent on its key, so a retried batch writes nothing twice.
 *
 * Returns whether the caller must wake the email dispatcher: an email went to the outbox and the
 * dispatcher sleeps, or the batch is a retry (public.record_path_effects_and_wake,
 * supabase/migrations/20261130080000_dispatcher_woken_once.sql). A burst of paths wakes it once,
 * not once per path.
 */
export async function recordPathEffects(db: Db, input: RecordAllInput): Promise<boolean> {
  if (input.effects.length === 0) return false;
  const { data, error } = await db.rpc('record_path_effects_and_wake', {
    p_participant: input.participantId,
    p_site: input.siteId,
    p_workflow_id: pathWorkflowId(input.participantId),
    // Plain JSON as the workflow sent it (ids, codes, epoch milliseconds).
    p_effects: input.effects as unknown as Json,
  });
  if (error) {
    // A batch the database will never accept (an event or effect it does not know) must not be
    // retried for ever; anything else (an outage, a constraint) may pass on a later attempt.
    if (error.hint === 'UnknownPathEvent' || error.hint === 'UnknownEffect') throw ApplicationFailure.nonRetryable(error.message, error.hint);
    throw new Error(`record path effects: ${error.message}`);
  }
  return data === true;
}
