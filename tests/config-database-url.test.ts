import { describe, expect, it } from 'vitest';
import { loadConfig } from '../infra/config.js';

describe("the worker's database connection (SUPABASE_DB_URL)", () => {
  it('defaults to the local stack on SUPABASE_DB_PORT, and takes a connection string as given', () => {
    expect(loadConfig({}).databaseUrl).toBe('postgresql://postgres:postgres@127.0.0.1:54322/postgres');
    expect(loadConfig({ SUPABASE_DB_PORT: '6000' }).databaseUrl).toBe('postgresql://postgres:postgres@127.0.0.1:6000/postgres');
    const pooler = 'postgresql://postgres.project:secret@aws-0-eu-central-1.pooler.supabase.com:6543/postgres?sslmode=require';
    expect(loadConfig({ SUPABASE_DB_URL: pooler }).databaseUrl).toBe(pooler);
  });

  it('refuses anything but a postgres:// string, and production refuses to run without one', () => {
    expect(() => loadConfig({ SUPABASE_DB_URL: 'https://project.supabase.co' })).toThrow(/SUPABASE_DB_URL: a postgres:\/\/ connection string/);
    const production = {
      GROEIPAD_ENV: 'production',
      SUPABASE_JWT_SECRET: 'x'.repeat(40),
      SUPABASE_SERVICE_ROLE_KEY: 'service',
      SUPABASE_ANON_KEY: 'anon',
      LINK_SECRET: 'y'.repeat(40),
    };
    expect(() => loadConfig(production)).toThrow(/SUPABASE_DB_URL/);
  });
});
