import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseSpan } from '../domain/calendar.js';
import { pathTimingsSchema, type PathTimings } from '../domain/timings.js';
import { LOCAL_SUPABASE } from './supabase/local-defaults.js';

/**
 * All configuration, parsed once from the environment with one schema. Every default is the
 * local stack's, so `npm run dev` needs no accounts and no keys; production sets the variables
 * listed in the README.
 */

const span = z.string().transform((text, ctx) => {
  try {
    return parseSpan(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const port = z.coerce.number().int().min(1).max(65535);

export const configSchema = z.object({
  GROEIPAD_ENV: z.enum(['development', 'test', 'production']).default('development'),
  GROEIPAD_DATA_DIR: z.string().default('.data'),
  GROEIPAD_CACHE_DIR: z.string().default(join(homedir(), '.cache', 'groeipad')),
  PORT: port.default(3000),
  PUBLIC_URL: z.url().default('http://localhost:3000'),

  SUPABASE_URL: z.url().default(`http://127.0.0.1:${LOCAL_SUPABASE.apiPort}`),
  SUPABASE_ANON_KEY: z.string().min(1).default(LOCAL_SUPABASE.anonKey),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).default(LOCAL_SUPABASE.serviceRoleKey),
  SUPABASE_JWT_SECRET: z.string().min(32).default(LOCAL_SUPABASE.jwtSecret),
  SUPABASE_DB_PORT: port.default(LOCAL_SUPABASE.dbPort),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: z.stringbool().optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_TASK_QUEUE: z.string().default('groeipad-paths'),
  TEMPORAL_UI_PORT: port.default(8233),

  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.url().optional(),
  EMAIL_FROM: z.string().default('Stuyfplek <groeipad@stuyfplek.local>'),
  OUTBOX_PORT: port.default(54324),

  AGREEMENT_LENGTH: span.default(parseSpan('12 months')),
  EVALUATION_LEAD: span.default(parseSpan('1 month')),
  CHECK_IN_AFTER: span.default(parseSpan('6 weeks')),
  REACH_OUT_AFTER: span.default(parseSpan('4 weeks')),
  REFERRAL_FOLLOW_UP_AFTER: span.default(parseSpan('2 weeks')),
  AFTERCARE_AFTER: span.default(parseSpan('3 months')),
  LOCAL_HOUR: z.coerce.number().int().min(0).max(23).default(9),
});

export type Config = z.infer<typeof configSchema> & { dataDir: string; timings: PathTimings };

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const timings = pathTimingsSchema.parse({
    agreementLength: c.AGREEMENT_LENGTH,
    evaluationLead: c.EVALUATION_LEAD,
    checkInAfter: c.CHECK_IN_AFTER,
    reachOutAfter: c.REACH_OUT_AFTER,
    referralFollowUpAfter: c.REFERRAL_FOLLOW_UP_AFTER,
    aftercareAfter: c.AFTERCARE_AFTER,
    localHour: c.LOCAL_HOUR,
  });
  return { ...c, dataDir: resolve(c.GROEIPAD_DATA_DIR), timings };
}
