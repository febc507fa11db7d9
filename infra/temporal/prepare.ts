import { loadConfig } from '../config.js';
import { resolveTemporalCli, resolveTestServer } from './servers.js';

/** `npm run servers`: builds (or finds) both Temporal servers ahead of time and prints where they are. */
const config = loadConfig();
const started = Date.now();
const cli = await resolveTemporalCli({ cacheDir: config.GROEIPAD_CACHE_DIR });
const testServer = await resolveTestServer({ cacheDir: config.GROEIPAD_CACHE_DIR });
const where = (e: typeof cli) => (e.type === 'existing-path' ? e.path : `SDK download into ${e.downloadDir ?? 'a temp folder'}`);
process.stdout.write(`Temporal CLI:         ${where(cli)}\nTemporal test server: ${where(testServer)}\n(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
