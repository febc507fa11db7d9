import type { Db } from '../infra/supabase/client.js';

/**
 * Every `intervalMs`, asks the database whether an email has waited in the outbox longer than
 * its `stale_after` with no wake-up since (public.email_dispatcher_overdue, which marks it woken),
 * and wakes the email dispatcher if so. Paths wake it only while it sleeps; this catches a
 * wake-up that was decided but never arrived (a dispatcher terminated by hand, a signal that
 * failed) also on a quiet night when no new email comes. Every worker process runs one; the
 * database lets one of them wake it per `stale_after`.
 */
export function startDispatcherWatch(o: { db: Db; wake: () => Promise<void>; intervalMs: number; warn: (err: unknown) => void }): () => void {
  let failedBefore = false;
  const look = async () => {
    try {
      const { data, error } = await o.db.rpc('email_dispatcher_overdue');
      if (error) throw new Error(`email dispatcher overdue: ${error.message}`);
      if (data === true) await o.wake();
      failedBefore = false;
    } catch (err) {
      // Once per outage, not every interval.
      if (!failedBefore) o.warn(err);
      failedBefore = true;
    }
  };
  const timer = setInterval(() => void look(), o.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
