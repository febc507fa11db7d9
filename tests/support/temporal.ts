import { TestWorkflowEnvironment, type EphemeralServerExecutable } from '@temporalio/testing';
import proto from '@temporalio/proto';
import { inject } from 'vitest';
import { PATH_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';

/**
 * The time-skipping test server (Java, from Maven Central, started through our launcher). It has
 * no --search-attribute flag, so the path's attributes are registered through the operator API.
 */
export async function startTimeSkipping(executable: EphemeralServerExecutable = inject('temporalTestServer')): Promise<TestWorkflowEnvironment> {
  const env = await withStartupRetries(() => TestWorkflowEnvironment.createTimeSkipping({ server: { executable } }));
  try {
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(PATH_SEARCH_ATTRIBUTES.map((k) => [k.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/**
 * The SDK waits a fixed 5 seconds for an ephemeral server to answer; a JVM starting on a machine
 * busy with other test files can take longer. Such a start is tried again (twice at most).
 */
async function withStartupRetries<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/** The dev server (the Temporal CLI we build), in memory, for tests that need Schedules or the real server. */
export async function startDevServerForTest(
  executable: EphemeralServerExecutable = inject('temporalCli'),
  persist?: { port: number; dbFilename: string },
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable, ...persist, ip: '127.0.0.1', searchAttributes: PATH_SEARCH_ATTRIBUTES, log: { format: 'pretty', level: 'error' } },
  });
}
