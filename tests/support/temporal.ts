import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import { inject } from 'vitest';
import { PATH_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import { setUpCluster } from '../../infra/temporal/cluster-setup.js';

/**
 * The time-skipping test server (Java, from Maven Central, started through our launcher). It has
 * no --search-attribute flag, so the path's attributes are added the way `npm run temporal:setup`
 * adds them, through the operator service.
 */
export async function startTimeSkipping(executable: EphemeralServerExecutable = inject('temporalTestServer')): Promise<TestWorkflowEnvironment> {
  const env = await withStartupRetries(() => TestWorkflowEnvironment.createTimeSkipping({ server: { executable } }));
  try {
    await setUpCluster(env.connection, env.namespace ?? 'default');
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/**
 * The SDK waits a fixed 5 seconds for an ephemeral server to answer; a JVM starting on a machine
 * busy with other test files can take longer. Such a start is tried again (four times at most:
 * at a load of 10–12 on two cores, three 5-second tries in a row have been seen to miss).
 */
async function withStartupRetries<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 5 || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/**
 * The dev server (the Temporal CLI we build), in memory, for tests that need Schedules or the
 * real server; with `persist`, on a SQLite file and a fixed port so it can be restarted. It
 * registers the path's search attributes at start (the same list `npm run temporal:setup` adds),
 * unless `searchAttributes: false` asks for a bare server, as a new cluster is.
 */
export async function startDevServerForTest(
  executable: EphemeralServerExecutable = inject('temporalCli'),
  o: { persist?: { port: number; dbFilename: string }; searchAttributes?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      ...o.persist,
      ip: '127.0.0.1',
      ...(o.searchAttributes === false ? {} : { searchAttributes: PATH_SEARCH_ATTRIBUTES }),
      log: { format: 'pretty', level: 'error' },
    },
  });
}
