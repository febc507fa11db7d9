import type { MetricMeter } from '@temporalio/common';
import type { Db } from '../infra/supabase/client.js';
import type { Logger } from '../infra/logger.js';

/** Emails waiting for the provider: queued, or claimed in a batch that has not been answered yet. */
const WAITING = ['queued', 'sending'];

export interface OutboxState {
  /** Emails waiting. */
  depth: number;
  /** Seconds since the oldest waiting email was queued; 0 when none waits. */
  oldestAgeSeconds: number;
}

/** The outbox's depth and the age of its oldest waiting email, from email_log (two indexed reads). */
export async function readOutboxState(db: Db, now = Date.now()): Promise<OutboxState> {
  const [count, oldest] = await Promise.all([
    db.from('email_log').select('key', { count: 'exact', head: true }).in('status', WAITING),
    db.from('email_log').select('created_at').in('status', WAITING).order('created_at', { ascending: true }).limit(1),
  ]);
  if (count.error) throw new Error(`count waiting emails: ${count.error.message}`);
  if (oldest.error) throw new Error(`oldest waiting email: ${oldest.error.message}`);
  const first = oldest.data[0];
  return { depth: count.count ?? 0, oldestAgeSeconds: first ? Math.max(0, (now - Date.parse(first.created_at)) / 1000) : 0 };
}

/**
 * Publishes the outbox's state as two gauges on the Temporal runtime's meter, so they are scraped
 * from the worker's one Prometheus endpoint with the SDK's own metrics. Read every `intervalMs`
 * (and once at once): a gauge computed on scrape would need an endpoint of our own. Every worker
 * process publishes the same numbers; alert on their max, not their sum.
 */
export function startOutboxGauges(o: { db: Db; meter: MetricMeter; logger: Logger; intervalMs: number }): () => void {
  const depth = o.meter.createGauge('groeipad_email_outbox_depth', 'int', 'emails', 'Emails queued or being sent, not yet answered by the provider');
  const age = o.meter.createGauge('groeipad_email_outbox_oldest_age_seconds', 'float', 's', 'Seconds since the oldest email still waiting was queued');
  let failedBefore = false;
  const update = async () => {
    try {
      const state = await readOutboxState(o.db);
      depth.set(state.depth);
      age.set(state.oldestAgeSeconds);
      failedBefore = false;
    } catch (err) {
      // Once per outage, not every interval: the gauges keep their last value meanwhile.
      if (!failedBefore) o.logger.warn({ err }, 'could not read the outbox for its metrics');
      failedBefore = true;
    }
  };
  void update();
  const timer = setInterval(() => void update(), o.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
