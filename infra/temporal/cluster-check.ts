import type { SearchAttributeType } from '@temporalio/common';
import { PATH_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import { StartupRefusal } from '../startup.js';

/**
 * What a Temporal namespace must have before the worker polls or the API starts paths: the
 * namespace itself and the paths' search attributes with their types. A path upserts them in its
 * first workflow task; without them that task fails on every attempt and the path never starts,
 * so the worker and the API refuse to start instead, with one line (`npm run temporal:setup`
 * adds what is missing). Works through the workflow and operator services, which the client's
 * Connection and the worker's NativeConnection both offer.
 */

/**
 * The calls used here, as the client's Connection and the worker's NativeConnection both offer
 * them (their workflow and operator services).
 */
export interface ClusterServices {
  workflowService: { describeNamespace(request: { namespace: string }): Promise<unknown> };
  operatorService: {
    listSearchAttributes(request: { namespace: string }): Promise<{ customAttributes?: Record<string, number> | null }>;
    addSearchAttributes(request: { namespace: string; searchAttributes: Record<string, number> }): Promise<unknown>;
  };
}

/** A search attribute the paths use (domain/search-attributes.ts), as defineSearchAttributeKey makes it. */
export interface PathSearchAttribute {
  name: string;
  type: SearchAttributeType;
}

export interface ClusterReport {
  namespace: string;
  namespaceExists: boolean;
  /**
   * Why the search attributes could not be listed (the time-skipping test server does not
   * implement it; credentials may not be allowed to), or null when they were.
   */
  unlisted: string | null;
  /** The paths' attributes the namespace lacks (empty when it could not be listed). */
  missing: PathSearchAttribute[];
  /** The paths' attributes the namespace has with another type. */
  wrongType: Array<{ key: PathSearchAttribute; actual: string }>;
}

export class ClusterNotReadyError extends StartupRefusal {}

export const SETUP_COMMAND = 'npm run temporal:setup';

/**
 * The wire numbers of the search attribute types (temporal.api.enums.v1.IndexedValueType, fixed
 * by Temporal's API); kept here so that production code does not load @temporalio/proto.
 */
export const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

/** A type as the Temporal CLI and UI write it: Keyword, KeywordList, Datetime… */
export function typeLabel(type: SearchAttributeType): string {
  return type
    .toLowerCase()
    .split('_')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

function labelOfIndexedValueType(value: number): string {
  const type = (Object.keys(INDEXED_VALUE_TYPE) as SearchAttributeType[]).find((t) => INDEXED_VALUE_TYPE[t] === value);
  return type ? typeLabel(type) : `type ${value}`;
}

/** gRPC status codes met here (grpc-js and the worker's native connection both set `code` to them). */
export const GRPC = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, FAILED_PRECONDITION: 9, UNIMPLEMENTED: 12, UNAUTHENTICATED: 16 } as const;

/** The gRPC status code of a failed call, or undefined for anything else (a Node system error's code is a string). */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** "PERMISSION_DENIED: Request unauthorized." — the status and the server's words, for one line. */
export function describeGrpcError(err: unknown): string {
  const code = grpcCode(err);
  const name = Object.entries(GRPC).find(([, value]) => value === code)?.[0] ?? (code === undefined ? 'error' : `status ${code}`);
  const details = ((err as { details?: string }).details || (err as Error).message || '').replace(/\s+/g, ' ').trim();
  return details ? `${name}: ${details}` : name;
}

export async function inspectCluster(services: ClusterServices, namespace: string, required: readonly PathSearchAttribute[] = PATH_SEARCH_ATTRIBUTES): Promise<ClusterReport> {
  const report: ClusterReport = { namespace, namespaceExists: true, unlisted: null, missing: [], wrongType: [] };
  try {
    await services.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if (grpcCode(err) === GRPC.NOT_FOUND) return { ...report, namespaceExists: false };
    if (grpcCode(err) === GRPC.PERMISSION_DENIED || grpcCode(err) === GRPC.UNAUTHENTICATED) {
      throw new ClusterNotReadyError(`Temporal refuses these credentials for namespace "${namespace}" (${describeGrpcError(err)}): check TEMPORAL_NAMESPACE and TEMPORAL_API_KEY or the mTLS certificate`);
    }
    throw err;
  }
  let custom: Record<string, number>;
  try {
    custom = (await services.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    if (grpcCode(err) === GRPC.UNIMPLEMENTED || grpcCode(err) === GRPC.PERMISSION_DENIED) return { ...report, unlisted: describeGrpcError(err) };
    throw err;
  }
  for (const key of required) {
    const actual = custom[key.name];
    if (actual === undefined) report.missing.push(key);
    else if (actual !== INDEXED_VALUE_TYPE[key.type]) report.wrongType.push({ key, actual: labelOfIndexedValueType(actual) });
  }
  return report;
}

/** The one line that says what the namespace lacks and what to do, or null when it has everything (or could not be listed). */
export function clusterProblem(report: ClusterReport): string | null {
  const { namespace, missing, wrongType } = report;
  if (!report.namespaceExists) {
    return (
      `Temporal namespace "${namespace}" does not exist — create it (self-hosted: temporal operator namespace create --namespace ${namespace}; ` +
      `Temporal Cloud: in the Cloud UI or with tcld) or set TEMPORAL_NAMESPACE to an existing one`
    );
  }
  const lacks = missing.length ? `lacks search attribute${missing.length > 1 ? 's' : ''} ${missing.map((k) => k.name).join(', ')}` : '';
  const has = wrongType.length
    ? `has search attribute${wrongType.length > 1 ? 's' : ''} ${wrongType.map((w) => `${w.key.name} of type ${w.actual} (the paths need ${typeLabel(w.key.type)})`).join(', ')}`
    : '';
  if (!lacks && !has) return null;
  const remedy = has ? `remove or rename ${wrongType.map((w) => w.key.name).join(', ')} on the cluster, then run: ${SETUP_COMMAND}` : `run: ${SETUP_COMMAND}`;
  return `Temporal namespace "${namespace}" ${[lacks, has].filter(Boolean).join(' and ')} — ${remedy}`;
}

/**
 * Refuses (ClusterNotReadyError, one line) when the namespace is missing or lacks a search
 * attribute of the paths or has it with another type. A cluster that does not let us list the
 * attributes cannot be judged: `warn` says so and the start goes on.
 */
export async function assertClusterReady(
  services: ClusterServices,
  namespace: string,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  const report = await inspectCluster(services, namespace);
  const problem = clusterProblem(report);
  if (problem) throw new ClusterNotReadyError(problem);
  if (report.unlisted) warn(`groeipad: could not list the search attributes of Temporal namespace "${namespace}" (${report.unlisted}); starting without checking them`);
}
