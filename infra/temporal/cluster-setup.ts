import { PATH_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import {
  ClusterNotReadyError,
  clusterProblem,
  describeGrpcError,
  GRPC,
  grpcCode,
  INDEXED_VALUE_TYPE,
  inspectCluster,
  typeLabel,
  type ClusterServices,
  type PathSearchAttribute,
} from './cluster-check.js';

/**
 * Gives a namespace what the paths need (`npm run temporal:setup`; the test support's servers):
 * checks that the namespace exists and adds the search attributes it lacks, through the
 * operator service. Idempotent: what is there stays as it is, and a second run adds nothing. It
 * never changes an attribute of another type (that would break whatever uses it): it refuses
 * with one line. Where the cluster does not let these credentials add attributes (Temporal
 * Cloud, some accounts), it refuses with the one line that says what to add by hand.
 */

export interface SetupResult {
  namespace: string;
  added: string[];
  /** Attributes that were there already. */
  present: string[];
}

export interface SetupOptions {
  /** Temporal Cloud: what to add by hand is said with tcld, else with the Temporal CLI. */
  cloud?: boolean;
  required?: readonly PathSearchAttribute[];
}

export async function setUpCluster(services: ClusterServices, namespace: string, o: SetupOptions = {}): Promise<SetupResult> {
  const required = o.required ?? PATH_SEARCH_ATTRIBUTES;
  const report = await inspectCluster(services, namespace, required);
  if (!report.namespaceExists || report.wrongType.length) throw new ClusterNotReadyError(clusterProblem(report)!);

  // `unsettled`: the attributes to name in the by-hand command should the cluster refuse.
  const add = async (keys: readonly PathSearchAttribute[], unsettled: readonly PathSearchAttribute[]) => {
    try {
      await services.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(keys.map((k) => [k.name, INDEXED_VALUE_TYPE[k.type]])) });
    } catch (err) {
      if (grpcCode(err) === undefined || grpcCode(err) === GRPC.ALREADY_EXISTS) throw err;
      throw new ClusterNotReadyError(
        `Temporal refused to add search attributes to namespace "${namespace}" (${describeGrpcError(err)}); add them by hand: ${manualCommand(namespace, unsettled, o.cloud ?? false)}`,
      );
    }
  };

  // Listed: add what is missing in one call. Not listed (the time-skipping test server cannot):
  // offer every attribute.
  const candidates = report.unlisted === null ? report.missing : required;
  const result: SetupResult = { namespace, added: [], present: required.filter((k) => !candidates.includes(k)).map((k) => k.name) };
  if (candidates.length === 0) return result;
  if (report.unlisted === null) {
    try {
      await add(candidates, candidates);
      return { ...result, added: candidates.map((k) => k.name) };
    } catch (err) {
      // Another set-up added some at the same moment (or, on Elasticsearch, another namespace of
      // the cluster has them): go on one by one below.
      if (grpcCode(err) !== GRPC.ALREADY_EXISTS) throw err;
    }
  }
  // One by one, taking "already exists" for present (its type cannot be seen where the server
  // does not list its attributes).
  for (const [i, key] of candidates.entries()) {
    try {
      await add([key], candidates.slice(i));
      result.added.push(key.name);
    } catch (err) {
      if (grpcCode(err) !== GRPC.ALREADY_EXISTS) throw err;
      result.present.push(key.name);
    }
  }
  return result;
}

/** The command that adds the attributes by hand: tcld on Temporal Cloud, the Temporal CLI on a self-hosted cluster. */
export function manualCommand(namespace: string, keys: readonly PathSearchAttribute[], cloud: boolean): string {
  if (cloud) {
    return `tcld namespace search-attributes add --namespace ${namespace} ${keys.map((k) => `--search-attribute "${k.name}=${typeLabel(k.type)}"`).join(' ')} (or the namespace's Search Attributes in the Temporal Cloud UI)`;
  }
  // The CLI takes one type per command, so one command per type.
  const types = [...new Set(keys.map((k) => k.type))];
  return types
    .map((type) => `temporal operator search-attribute create --namespace ${namespace} ${keys.filter((k) => k.type === type).map((k) => `--name ${k.name}`).join(' ')} --type ${typeLabel(type)}`)
    .join(' && ');
}

/** Temporal Cloud's endpoints: a namespace's own (`<ns>.<account>.tmprl.cloud`) or a regional one for API keys (`<region>.<cloud>.api.temporal.io`). */
export function isTemporalCloud(address: string): boolean {
  const host = address.replace(/:\d+$/, '');
  return /\.tmprl\.cloud$/.test(host) || /\.api\.temporal\.io$/.test(host);
}
