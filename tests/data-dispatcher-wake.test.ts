import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordAllInput } from '../activities/contract.js';
import type { Activities } from '../activities/index.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { activitiesOn, insertParticipant } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Paths wake the email dispatcher only while it sleeps: a burst of paths queueing emails sends
 * one signal, not one per path. The database decides, under one row's lock, so that no email is
 * left waiting in the outbox with the dispatcher asleep.
 */

let stack: TestStack;
let activities: Activities;
let siteId: string;
let coachId: string;
let wakes = 0;

beforeAll(async () => {
  stack = await startTestStack({}, { worker: 'none' });
  siteId = await stack.site('Stuyfplek Wekker');
  coachId = (await stack.person('coach', siteId)).id;
  const db = supabaseClient(stack.config.SUPABASE_URL, stack.config.SUPABASE_SERVICE_ROLE_KEY);
  activities = activitiesOn(stack, {
    db,
    wakeDispatcher: async () => {
      wakes += 1;
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  // As after a delivery that sent everything: nothing queued, the dispatcher asleep.
  await stack.sql.query("update public.email_log set status = 'sent' where status in ('queued', 'sending')");
  await stack.sql.query("update private.email_dispatch set awake = false, woken_at = null, stale_after = interval '2 minutes'");
  wakes = 0;
});

/** A batch that queues one email for a new participant (as an intake does). */
async function emailBatch(): Promise<RecordAllInput> {
  const participantId = await insertParticipant(stack, { siteId, coachId });
  return { participantId, siteId, effects: [{ type: 'email', key: `${participantId}/1/0/email/welcome/participant`, template: 'welcome', recipient: { participantId }, params: {} }] };
}

/** The dispatcher's side, as the delivery activity calls it when a claim found nothing. */
async function dispatcherSleeps(): Promise<boolean> {
  const { data, error } = await supabaseClient(stack.config.SUPABASE_URL, stack.config.SUPABASE_SERVICE_ROLE_KEY).rpc('email_dispatcher_sleeps');
  if (error) throw new Error(error.message);
  return data;
}

describe('a burst of paths queueing emails', () => {
  it('wakes the sleeping dispatcher once, not once per path', async () => {
    const batches = await Promise.all(Array.from({ length: 40 }, () => emailBatch()));
    await Promise.all(batches.map((b) => activities.recordAll(b)));
    expect(wakes).toBe(1);
    expect(await queued()).toBe(40);
  });

  it('wakes it again after it found the queue empty, and not while an email waits', async () => {
    await activities.recordAll(await emailBatch());
    expect(wakes).toBe(1);
    // An email is queued: the dispatcher does not go to sleep, it claims again.
    expect(await dispatcherSleeps()).toBe(false);
    await activities.recordAll(await emailBatch());
    expect(wakes).toBe(1);
    await stack.sql.query("update public.email_log set status = 'sent' where status = 'queued'");
    expect(await dispatcherSleeps()).toBe(true);
    await activities.recordAll(await emailBatch());
    expect(wakes).toBe(2);
  });

  it('does not wake it for a batch without emails', async () => {
    const participantId = await insertParticipant(stack, { siteId, coachId });
    await activities.recordAll({ participantId, siteId, effects: [{ type: 'task', key: `${participantId}/1/0/task/coaching_conversation`, pathRun: 1, kind: 'coaching_conversation', dueAt: Date.now(), coachId, cause: 'intake' }] });
    expect(wakes).toBe(0);
  });
});

describe('a wake-up that was decided but may not have arrived', () => {
  it('is sent again by a retried batch, even while the dispatcher counts as awake', async () => {
    const batch = await emailBatch();
    await activities.recordAll(batch);
    await activities.recordAll(await emailBatch());
    expect(wakes).toBe(1);
    // The worker died between the commit and the signal: the batch runs again.
    await activities.recordAll(batch);
    expect(wakes).toBe(2);
  });

  it('is sent again by a retry that runs beside the first attempt (the first not committed yet)', async () => {
    const batch = await emailBatch();
    const args = [batch.participantId, siteId, `path-${batch.participantId}`, JSON.stringify(batch.effects)];
    const call = 'select public.record_path_effects_and_wake($1, $2, $3, $4) as wake';
    const first = await stack.sql.connect();
    const second = await stack.sql.connect();
    try {
      await first.query('begin');
      expect((await first.query<{ wake: boolean }>(call, args)).rows[0]!.wake).toBe(true);
      // The retry's insert waits for the first attempt's key; then the email is there.
      const retry = second.query<{ wake: boolean }>(call, args);
      await new Promise((r) => setTimeout(r, 300));
      // The first attempt commits, but its signal never leaves (the worker dies).
      await first.query('commit');
      expect((await retry).rows[0]!.wake).toBe(true);
    } finally {
      await first.query('rollback').catch(() => {});
      first.release();
      second.release();
    }
  });

  it('is sent again, once per stale_after, by an email while one has waited longer than that', async () => {
    await activities.recordAll(await emailBatch());
    await activities.recordAll(await emailBatch());
    expect(wakes).toBe(1);
    await stack.sql.query("update public.email_log set created_at = now() - interval '3 minutes' where status = 'queued'");
    await stack.sql.query("update private.email_dispatch set woken_at = now() - interval '3 minutes'");
    await activities.recordAll(await emailBatch());
    expect(wakes).toBe(2);
    // Woken just now: a backlog that takes longer to send does not bring back a signal per path.
    await activities.recordAll(await emailBatch());
    expect(wakes).toBe(2);
  });

  it("is sent again by the workers' look on a quiet night, once per stale_after", async () => {
    const overdue = async () => (await stack.sql.query<{ overdue: boolean }>('select public.email_dispatcher_overdue() as overdue')).rows[0]!.overdue;
    await activities.recordAll(await emailBatch());
    expect(await overdue()).toBe(false);
    await stack.sql.query("update public.email_log set created_at = now() - interval '3 minutes' where status = 'queued'");
    await stack.sql.query("update private.email_dispatch set woken_at = now() - interval '3 minutes'");
    expect(await overdue()).toBe(true);
    expect(await overdue()).toBe(false);
  });
});

describe('a path and the dispatcher at the same moment', () => {
  it('the dispatcher waits for the path that holds the lock, then sees its email and claims again', async () => {
    // Awake (a wake-up is under way): the path will not wake it, so the dispatcher must see the email.
    await stack.sql.query('update private.email_dispatch set awake = true');
    const batch = await emailBatch();
    const path = await stack.sql.connect();
    const dispatcher = await stack.sql.connect();
    try {
      await path.query('begin');
      const woken = await path.query<{ wake: boolean }>('select public.record_path_effects_and_wake($1, $2, $3, $4) as wake', [
        batch.participantId,
        siteId,
        `path-${batch.participantId}`,
        JSON.stringify(batch.effects),
      ]);
      expect(woken.rows[0]!.wake).toBe(false);
      let settled = false;
      const sleeps = dispatcher.query<{ sleeps: boolean }>('select public.email_dispatcher_sleeps() as sleeps').then((r) => {
        settled = true;
        return r.rows[0]!.sleeps;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await path.query('commit');
      expect(await sleeps).toBe(false);
    } finally {
      await path.query('rollback').catch(() => {});
      path.release();
      dispatcher.release();
    }
  });

  it('a path that comes after the dispatcher went to sleep wakes it', async () => {
    // Awake before: only a path that reads the row after the dispatcher's commit wakes it.
    await stack.sql.query('update private.email_dispatch set awake = true');
    const batch = await emailBatch();
    const dispatcher = await stack.sql.connect();
    try {
      await dispatcher.query('begin');
      expect((await dispatcher.query<{ sleeps: boolean }>('select public.email_dispatcher_sleeps() as sleeps')).rows[0]!.sleeps).toBe(true);
      const recorded = activities.recordAll(batch);
      await new Promise((r) => setTimeout(r, 300));
      expect(wakes).toBe(0);
      await dispatcher.query('commit');
      await recorded;
      expect(wakes).toBe(1);
    } finally {
      await dispatcher.query('rollback').catch(() => {});
      dispatcher.release();
    }
  });
});

describe('only the service role', () => {
  it('may call the wake-up functions', async () => {
    const anon = supabaseClient(stack.config.SUPABASE_URL, stack.config.SUPABASE_ANON_KEY);
    expect((await anon.rpc('email_dispatcher_sleeps')).error?.code).toBe('42501');
    expect((await anon.rpc('email_dispatcher_overdue')).error?.code).toBe('42501');
    const args = { p_participant: randomUUID(), p_site: siteId, p_workflow_id: 'path-x', p_effects: [] };
    expect((await anon.rpc('record_path_effects_and_wake', args)).error?.code).toBe('42501');
  });
});

async function queued(): Promise<number> {
  return (await stack.sql.query<{ n: number }>("select count(*)::int as n from public.email_log where status = 'queued'")).rows[0]!.n;
}
