import pg from 'pg';

/** What the worker's writes need of a Postgres pool (a test can count its queries). */
export type SqlPool = Pick<pg.Pool, 'query'>;

/**
 * The worker's Postgres pool. `max` stays below the pooler's per-client limit; a connection
 * the database dropped (a restart, the pooler recycling it) is reported and replaced, never a
 * crash: the next query opens a new one, and the activity that failed is retried.
 */
export function createSqlPool(connectionString: string, onIdleError: (err: Error) => void, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 });
  pool.on('error', onIdleError);
  return pool;
}
