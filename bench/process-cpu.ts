import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of this process and everything it started, read from /proc (Linux), grouped by what
 * each process is: the bench's own process (clients, in-process workers, the local gateway, the
 * outbox and auth servers), the worker and the API (node processes told apart by their script),
 * the Temporal server, Postgres and PostgREST. Two snapshots give each group's CPU seconds
 * between them: where a run's CPU went, on a machine where every part shares the same cores.
 * Elsewhere than Linux it reports nothing.
 */
export type CpuSnapshot = Map<number, { group: string; seconds: number }>;

/** The kernel's USER_HZ, 100 on Linux for every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return snapshot;
  }
  const parents = new Map<number, number>();
  const stats = new Map<number, { comm: string; seconds: number }>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command may hold spaces and parentheses: the fields after it start at the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      parents.set(pid, Number(fields[1]));
      stats.set(pid, { comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND });
    } catch {
      // Gone between the listing and the read.
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parents.get(p) ?? 0, hops += 1) if (p === process.pid) return true;
    return false;
  };
  for (const [pid, { comm, seconds }] of stats) {
    if (!descends(pid)) continue;
    snapshot.set(pid, { group: groupOf(pid, comm), seconds });
  }
  return snapshot;
}

function groupOf(pid: number, comm: string): string {
  if (pid === process.pid) return 'bench process';
  if (comm === 'postgres') return 'postgres';
  if (/postgrest/i.test(comm)) return 'postgrest';
  if (/temporal|java/i.test(comm)) return 'temporal server';
  if (comm === 'node' || comm.startsWith('node')) {
    let args = '';
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      // Gone.
    }
    if (/api\/server/.test(args)) return 'api';
    if (/worker\//.test(args)) return 'worker';
    return `node: ${args.split(' ').slice(-2).join(' ').slice(0, 40)}`;
  }
  return comm;
}

/**
 * CPU seconds per group between two snapshots. A process that started in between counts from
 * zero; one that ended in between is not seen by the second snapshot and its CPU since the first
 * is lost (the benches' processes live through the whole run).
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [pid, { group, seconds }] of after) sums[group] = (sums[group] ?? 0) + seconds - (before.get(pid)?.seconds ?? 0);
  return Object.fromEntries(Object.entries(sums).map(([group, seconds]) => [group, Math.round(seconds * 100) / 100]));
}

/** CPU seconds by group as milliseconds per unit (a path, an agreement), with their total. */
export function cpuMsPer(cpu: Record<string, number>, units: number, decimals = 0): Record<string, number> {
  const round = (n: number) => Math.round(n * 10 ** decimals) / 10 ** decimals;
  const out: Record<string, number> = {};
  for (const [group, seconds] of Object.entries(cpu)) if (seconds > 0) out[group] = round((seconds * 1000) / units);
  out.total = round(Object.values(out).reduce((a, b) => a + b, 0));
  return out;
}

/** The groups of several such records, in name order with the total last: a table's rows. */
export function cpuGroups(records: Array<Record<string, number>>): string[] {
  return [...new Set(records.flatMap((r) => Object.keys(r)))].sort((a, b) => (a === 'total' ? 1 : b === 'total' ? -1 : a.localeCompare(b)));
}
