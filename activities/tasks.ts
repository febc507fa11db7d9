import type { Db } from '../infra/supabase/client.js';
import type { Database } from '../supabase/types.js';
import { check } from './index.js';

/**
 * Completing a task: people do this (through the API), not the workflow. Idempotent: completing a
 * task that is already done returns it as it is. The database stamps who and when (a trigger) and
 * marks the aftercare reconnect done when its task is.
 */

export type TaskRow = Database['public']['Tables']['tasks']['Row'];

export interface CompleteTaskInput {
  taskId: string;
  /** The person completing it (profiles.id). */
  by: string;
  /** `cancelled` for a task that no longer applies. */
  status?: 'done' | 'cancelled';
}

export type CompleteTaskResult = { outcome: 'completed'; task: TaskRow } | { outcome: 'already_closed'; task: TaskRow } | { outcome: 'not_found' };

export async function completeTask(db: Db, input: CompleteTaskInput): Promise<CompleteTaskResult> {
  const status = input.status ?? 'done';
  const updated = check(
    await db
      .from('tasks')
      .update({ status, completed_at: new Date().toISOString(), completed_by: input.by })
      .eq('id', input.taskId)
      .eq('status', 'open')
      .select('*'),
    'complete task',
  );
  const row = updated?.[0];
  if (row) return { outcome: 'completed', task: row };
  const existing = check(await db.from('tasks').select('*').eq('id', input.taskId).maybeSingle(), 'read task');
  return existing ? { outcome: 'already_closed', task: existing } : { outcome: 'not_found' };
}
