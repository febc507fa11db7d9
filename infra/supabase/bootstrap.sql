-- What hosted Supabase has before the first migration runs: its API roles, the auth schema with
-- auth.users and auth.uid() / auth.role() / auth.jwt(), and its default grants. Only the local
-- stack runs this; supabase/migrations must run unchanged on a hosted project. Idempotent.

do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

create schema if not exists extensions;
create schema if not exists auth;

create table if not exists auth.users (
  id uuid primary key default gen_random_uuid(),
  email text unique,
  raw_app_meta_data jsonb not null default '{}'::jsonb,
  raw_user_meta_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
grant select on auth.users to service_role;

grant usage on schema public to anon, authenticated, service_role;
grant usage on schema extensions to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- Bookkeeping of the local stack itself (not part of hosted Supabase).
create schema if not exists local_stack;
create table if not exists local_stack.seed_applied (
  applied_at timestamptz not null default now()
);

-- The local auth server (infra/supabase/auth-server.ts), a stand-in for the parts of Supabase Auth
-- that staff sign-in uses. Hosted projects keep this state in their own auth schema.
alter table auth.users add column if not exists email_confirmed_at timestamptz;
alter table auth.users add column if not exists last_sign_in_at timestamptz;

-- The ES256 key that signs access tokens (hosted projects sign with asymmetric keys too).
create table if not exists local_stack.auth_signing_keys (
  kid text primary key,
  private_jwk jsonb not null,
  public_jwk jsonb not null,
  created_at timestamptz not null default now()
);

create table if not exists local_stack.auth_sessions (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  amr_method text not null,
  created_at timestamptz not null default now(),
  refreshed_at timestamptz
);

-- Rotating refresh tokens: each refresh revokes its token and issues a child (`parent`).
create table if not exists local_stack.auth_refresh_tokens (
  id bigserial primary key,
  token text not null unique,
  session_id uuid not null references local_stack.auth_sessions (id) on delete cascade,
  parent text,
  revoked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- PKCE: the code challenge of a sign-in by link, and the auth code the link hands out.
create table if not exists local_stack.auth_flow_states (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  code_challenge text not null,
  code_challenge_method text not null,
  auth_code_sha256 text unique,
  created_at timestamptz not null default now(),
  authenticated_at timestamptz,
  used_at timestamptz
);

-- Emailed codes and links: only a hash of the token hash is kept; single use; they expire.
create table if not exists local_stack.auth_one_time_codes (
  id bigserial primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  token_hash_sha256 text not null,
  flow_state_id uuid references local_stack.auth_flow_states (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index if not exists auth_one_time_codes_hash on local_stack.auth_one_time_codes (token_hash_sha256);
