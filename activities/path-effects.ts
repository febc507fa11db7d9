import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import { pathWorkflowId } from '../domain/messages.js';
import type { SqlPool } from '../infra/supabase/pool.js';
import type { RecordAllInput } from './contract.js';

/**
 * Writes a batch of a path's effects (records, tasks, queued emails) with one call to
 * public.record_path_effects (supabase/migrations/20261129160000_record_path_effects.sql) on the
 * worker's Postgres pool: one round trip and one transaction per batch, so a batch is written
 * whole or not at all. Every write in it is idempotent on its key, so a retried batch writes
 * nothing twice. A pooled connection rather than PostgREST's RPC: this is the call every path
 * makes on every action and timer, and it took 0.8–0.95 ms instead of 4–5.5 ms, with a tenth of
 * the worker's CPU (README, "Performance and reliability").
 *
 * Returns whether the caller must wake the email dispatcher: an email went to the outbox and the
 * dispatcher sleeps, or the batch is a retry (public.record_path_effects_and_wake,
 * supabase/migrations/20261130080000_dispatcher_woken_once.sql). A burst of paths wakes it once,
 * not once per path.
 */
export async function recordPathEffects(sql: SqlPool, input: RecordAllInput): Promise<boolean> {
  if (input.effects.length === 0) return false;
  try {
    const { rows } = await sql.query<{ wake: boolean }>('select public.record_path_effects_and_wake($1, $2, $3, $4::jsonb) as wake', [
      input.participantId,
      input.siteId,
      pathWorkflowId(input.participantId),
      // Plain JSON as the workflow sent it (ids, codes, epoch milliseconds).
      JSON.stringify(input.effects),
    ]);
    return rows[0]?.wake === true;
  } catch (err) {
    // A batch the database will never accept (an event or effect it does not know) must not be
    // retried for ever; anything else (an outage, a constraint) may pass on a later attempt.
    if (err instanceof pg.DatabaseError && (err.hint === 'UnknownPathEvent' || err.hint === 'UnknownEffect')) throw ApplicationFailure.nonRetryable(err.message, err.hint);
    throw new Error(`record path effects: ${err instanceof Error ? err.message : String(err)}`);
  }
}
