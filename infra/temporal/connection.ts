import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { ConfigError, type Config } from '../config.js';
import { dataConverterFor } from './payload-codec.js';

/**
 * The Temporal connection, from configuration only: the same worker, API and
 * `npm run temporal:setup` run against the local dev server, a self-hosted cluster (TLS, mTLS,
 * a private CA) or Temporal Cloud (API key or mTLS) unchanged.
 */
export interface TemporalConnectionOptions {
  address: string;
  tls?: boolean | TLSConfig;
  apiKey?: string;
}

type TemporalConnectionConfig = Pick<
  Config,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_TLS_CA_PATH' | 'TEMPORAL_TLS_SERVER_NAME'
>;

export function temporalConnectionOptions(config: TemporalConnectionConfig): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: config.TEMPORAL_ADDRESS };
  const tls: TLSConfig = {};
  if (config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH) {
    tls.clientCertPair = { crt: readPem('TEMPORAL_TLS_CERT_PATH', config.TEMPORAL_TLS_CERT_PATH), key: readPem('TEMPORAL_TLS_KEY_PATH', config.TEMPORAL_TLS_KEY_PATH) };
  }
  if (config.TEMPORAL_TLS_CA_PATH) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA_PATH', config.TEMPORAL_TLS_CA_PATH);
  if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
  const tlsSettings = Object.keys(tls);
  if (tlsSettings.length > 0) {
    if (config.TEMPORAL_TLS === false) throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS: false, yet TLS settings are given (certificate, CA or server name): drop them or TEMPORAL_TLS');
    options.tls = tls;
  } else if (config.TEMPORAL_TLS ?? Boolean(config.TEMPORAL_API_KEY)) {
    // Temporal Cloud with an API key needs TLS (with the public CAs); the local dev server has none.
    options.tls = true;
  }
  if (config.TEMPORAL_API_KEY) options.apiKey = config.TEMPORAL_API_KEY;
  return options;
}

/** A certificate or key file, read once at start: a wrong path is a configuration error, not a stack trace. */
function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

export async function temporalClient(config: Config): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  // Tracing (infra/tracing.ts): starts and updates carry the caller's trace; a no-op when off.
  const interceptors = { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config.TEMPORAL_PAYLOAD_KEYS), interceptors });
}
