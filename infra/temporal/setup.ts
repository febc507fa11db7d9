import { Connection } from '@temporalio/client';
import { loadConfig } from '../config.js';
import { exitOnRefusal } from '../startup.js';
import { isTemporalCloud, setUpCluster } from './cluster-setup.js';
import { temporalConnectionOptions } from './connection.js';

/**
 * `npm run temporal:setup`: prepares the configured namespace for the paths (its search
 * attributes) on whatever cluster the configuration points at — the dev server, a self-hosted
 * cluster, Temporal Cloud with an API key or mTLS. Run it once per namespace, before the first
 * worker; running it again changes nothing and says so. What it cannot do, it says in one line
 * (exit code 1).
 */
try {
  const config = loadConfig();
  const connection = await Connection.connect(temporalConnectionOptions(config));
  try {
    const where = `namespace "${config.TEMPORAL_NAMESPACE}" at ${config.TEMPORAL_ADDRESS}`;
    const result = await setUpCluster(connection, config.TEMPORAL_NAMESPACE, { cloud: isTemporalCloud(config.TEMPORAL_ADDRESS) });
    if (result.added.length) process.stdout.write(`temporal: added search attributes ${result.added.join(', ')} to ${where}\n`);
    if (result.present.length) process.stdout.write(`temporal: ${where} already has ${result.present.join(', ')}\n`);
    if (!result.added.length) process.stdout.write(`temporal: nothing to change\n`);
  } finally {
    await connection.close();
  }
} catch (err) {
  exitOnRefusal(err);
}
