import { TestWorkflowEnvironment } from '@temporalio/testing';
import { PATH_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import { resolveTemporalCli } from './servers.js';

/**
 * The Temporal dev server (the official CLI) through the SDK's ephemeral-server support: our
 * own build when we have one, the SDK's download otherwise. Persistent when given a SQLite file.
 * It registers the paths' search attributes at start (the list `npm run temporal:setup` adds
 * elsewhere), so the worker's and the API's start-up check passes on the local stack.
 */
export async function startDevServer(o: { cacheDir: string; dbFilename?: string; port?: number; uiPort?: number; log?: (line: string) => void }) {
  const executable = await resolveTemporalCli({ cacheDir: o.cacheDir, log: o.log });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      ip: '127.0.0.1',
      ...(o.dbFilename ? { dbFilename: o.dbFilename } : {}),
      ...(o.port ? { port: o.port } : {}),
      ...(o.uiPort ? { ui: true, uiPort: o.uiPort } : {}),
      searchAttributes: PATH_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'warn' },
    },
  });
}
