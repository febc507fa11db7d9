-- groeipad core schema: who is who, participants (the personal data), and what happens on a path.
-- Row-level security is on for every table from the start; with no policy a table is closed to
-- anon and authenticated. The worker writes with the service role.

create table public.sites (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);
comment on table public.sites is 'A Stuyfplek: a community place where participants grow together.';

create type public.staff_role as enum ('staff', 'coach', 'coordinator');

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  role public.staff_role not null,
  display_name text not null,
  email text,
  created_at timestamptz not null default now()
);
comment on table public.profiles is 'Staff, coaches and coordinators: their role and their site.';
create index profiles_site_id_idx on public.profiles (site_id);

create table public.participants (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references public.sites (id),
  coach_id uuid references public.profiles (id),
  first_name text,
  last_name text,
  birth_date date,
  email text,
  phone text,
  consent_email boolean not null default false,
  opted_out_at timestamptz,
  -- Stable, non-personal identity for "the same person" at a repeated intake; erased with the rest.
  identity_key text unique,
  referral_source text not null,
  erased_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.participants is 'Bestuyvers: the only place with names and contact details. Erased on request; the id and codes stay for anonymous figures.';
create index participants_site_id_idx on public.participants (site_id);
create index participants_coach_id_idx on public.participants (coach_id);

create table public.notes (
  id uuid primary key default gen_random_uuid(),
  participant_id uuid not null references public.participants (id) on delete cascade,
  author_id uuid references public.profiles (id),
  body text not null,
  created_at timestamptz not null default now()
);
comment on table public.notes is 'Free text about a participant (crisis notes, goals, reasons). Workflows refer to notes by id only.';
create index notes_participant_id_idx on public.notes (participant_id);

create table public.paths (
  participant_id uuid not null references public.participants (id) on delete cascade,
  path_run int not null,
  site_id uuid not null references public.sites (id),
  phase text not null,
  status text not null default 'active',
  started_at timestamptz not null,
  ended_at timestamptz,
  workflow_id text not null,
  primary key (participant_id, path_run)
);
comment on table public.paths is 'One row per path run of a participant; a re-entry starts the next run.';
create index paths_site_id_idx on public.paths (site_id);

create table public.path_events (
  key text primary key,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  type text not null,
  at timestamptz not null default now(),
  payload jsonb not null
);
comment on table public.path_events is 'Everything that happened on a path, written once per workflow event (the key).';
create index path_events_participant_idx on public.path_events (participant_id, at);

create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  kind text not null,
  assignee_id uuid references public.profiles (id),
  due_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  cause text not null,
  created_at timestamptz not null default now(),
  completed_at timestamptz
);
comment on table public.tasks is 'Follow-up work for coaches, each caused by one workflow event (the key).';
create index tasks_assignee_due_idx on public.tasks (assignee_id, status, due_at);
create index tasks_participant_idx on public.tasks (participant_id);

create table public.email_log (
  key text primary key,
  template text not null,
  participant_id uuid references public.participants (id) on delete cascade,
  coach_id uuid references public.profiles (id),
  status text not null check (status in ('sending', 'sent', 'skipped', 'failed')),
  reason text,
  provider_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.email_log is 'Every email a workflow asked for, once per key: sent, skipped (no consent, opted out) or failed.';

alter table public.sites enable row level security;
alter table public.profiles enable row level security;
alter table public.participants enable row level security;
alter table public.notes enable row level security;
alter table public.paths enable row level security;
alter table public.path_events enable row level security;
alter table public.tasks enable row level security;
alter table public.email_log enable row level security;

revoke all on public.sites, public.profiles, public.participants, public.notes, public.paths,
  public.path_events, public.tasks, public.email_log from anon;
grant all on public.sites, public.profiles, public.participants, public.notes, public.paths,
  public.path_events, public.tasks, public.email_log to service_role;
