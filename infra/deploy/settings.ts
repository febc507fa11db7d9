import { configSchema, SECRET_CONFIG_KEYS } from '../config.js';

/**
 * The deployment's plain (non-secret) settings: configuration variables of infra/config.ts that
 * both the API function and the worker service get as ordinary environment entries. Secrets are
 * never settings (they come from Secrets Manager), and neither is what only describes a
 * developer's machine or the local stack.
 */
export type Settings = Record<string, string>;

/** Set by the stack itself (GROEIPAD_ENV, WORKFLOW_BUNDLE_PATH) or meaningful only locally. */
export const LOCAL_ONLY_KEYS = [
  'GROEIPAD_ENV',
  'GROEIPAD_DATA_DIR',
  'GROEIPAD_CACHE_DIR',
  'HOST',
  'PORT',
  'SUPABASE_DB_PORT',
  'AUTH_ACCESS_TOKEN_SECONDS',
  'TEMPORAL_UI_PORT',
  'TEMPORAL_CODEC_PORT',
  'TEMPORAL_CODEC_ORIGINS',
  'TEMPORAL_TLS_CERT_PATH',
  'TEMPORAL_TLS_KEY_PATH',
  'OUTBOX_PORT',
  'RESEND_BASE_URL',
  'WORKFLOW_BUNDLE_PATH',
] as const;

/** Their defaults are the local stack's: a deployment that leaves them out would talk to 127.0.0.1. */
export const REQUIRED_SETTINGS = ['SUPABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'PASSPORT_KEY_ID', 'EMAIL_FROM'] as const;

const CONFIG_KEYS = Object.keys(configSchema.shape);
const isSecret = (key: string) => (SECRET_CONFIG_KEYS as readonly string[]).includes(key);
const isLocalOnly = (key: string) => (LOCAL_ONLY_KEYS as readonly string[]).includes(key);

/**
 * The settings in an environment (the deploying shell's): every configuration variable set
 * there except secrets and local-only ones, which are left behind, never forwarded.
 */
export function settingsFromEnv(env: Record<string, string | undefined>): Settings {
  const out: Settings = {};
  for (const key of CONFIG_KEYS) {
    const value = env[key];
    if (value !== undefined && !isSecret(key) && !isLocalOnly(key)) out[key] = value;
  }
  return out;
}

/** Refuses what must not be deployed as a plain setting, a missing required one, or a value infra/config.ts would refuse. */
export function checkSettings(settings: Settings): void {
  const problems: string[] = [];
  for (const key of Object.keys(settings)) {
    if (isSecret(key)) problems.push(`${key}: a secret, read from Secrets Manager; it must not be a plain setting`);
    else if (isLocalOnly(key)) problems.push(`${key}: set by the stack or meaningful only on a developer's machine`);
    else if (!CONFIG_KEYS.includes(key)) problems.push(`${key}: not a configuration variable (infra/config.ts)`);
  }
  for (const key of REQUIRED_SETTINGS) if (!settings[key]) problems.push(`${key}: required (its default is the local stack's)`);
  if (problems.length === 0) {
    // The same schema the processes parse at start, so a bad URL or duration fails here, not after a deploy.
    const mask = Object.fromEntries(Object.keys(settings).map((key) => [key, true as const]));
    const parsed = configSchema.pick(mask as { [K in keyof typeof configSchema.shape]?: true }).safeParse(settings);
    if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  if (problems.length) throw new Error(`Invalid deployment settings:\n  ${problems.join('\n  ')}`);
}
