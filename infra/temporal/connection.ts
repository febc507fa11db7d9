import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Config } from '../config.js';
import { dataConverterFor } from './payload-codec.js';

/**
 * The Temporal connection, from configuration only: the same worker and API run against the
 * local dev server, a self-hosted cluster (mTLS) or Temporal Cloud (API key) unchanged.
 */
export interface TemporalConnectionOptions {
  address: string;
  tls?: boolean | { clientCertPair: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

export function temporalConnectionOptions(config: Config): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address: config.TEMPORAL_ADDRESS };
  if (config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH) {
    options.tls = { clientCertPair: { crt: readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: readFileSync(config.TEMPORAL_TLS_KEY_PATH) } };
  } else if (config.TEMPORAL_TLS ?? Boolean(config.TEMPORAL_API_KEY)) {
    // Temporal Cloud with an API key needs TLS; the local dev server has none.
    options.tls = true;
  }
  if (config.TEMPORAL_API_KEY) options.apiKey = config.TEMPORAL_API_KEY;
  return options;
}

export async function temporalClient(config: Config): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  // Tracing (infra/tracing.ts): starts and updates carry the caller's trace; a no-op when off.
  const interceptors = { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterFor(config.TEMPORAL_PAYLOAD_KEYS), interceptors });
}
