-- groeipad core schema: the codes, who is who (sites, profiles), participants (the only place with
-- personal data) and their notes, and the helpers that row-level security uses.
--
-- Access model, for every table in this and the following migrations:
--   anon           nothing (no grants, no policies);
--   authenticated  through named policies, one per operation and application role:
--                  a coach sees and acts on the participants they coach (participants.coach_id),
--                  staff on the participants of their site, coordinators read figures only
--                  (public.funder_report), never rows with personal data;
--   service_role   everything (it bypasses RLS; the worker and the API use it).
-- Writes that follow from a path (phase changes, agreements, ...) come from the path workflow
-- through the service role only, so the workflow stays the single source of truth.

-- Codes, as enums in the order of domain/codes.ts (tests/data-rls.test.ts keeps them equal).
create type public.phase as enum ('orientation', 'focus', 'activation');
create type public.referral_source as enum (
  'ocmw', 'vdab', 'unizo', 'sif', 'starterslabo', 'gtb', 'advising_physician', 'general_practitioner',
  'care_facility', 'self', 'word_of_mouth', 'other');
create type public.crisis_kind as enum ('focus_crisis', 'status_crisis');
create type public.phase_change_reason as enum (
  'crisis', 'ready_for_next_step', 'step_back', 'participant_request', 'coach_assessment', 're_entry', 'other');
create type public.group_moment_kind as enum (
  'connectors_table', 'open_house', 'coworking', 'stuyflab', 'meet_and_greet');
create type public.privilege as enum ('space', 'resources', 'network');
create type public.contact_kind as enum ('conversation', 'group_moment', 'reply');
create type public.partner as enum (
  'ocmw', 'vdab', 'unizo', 'sif', 'starterslabo', 'smart', 'gtb', 'doctor', 'care_facility', 'other');
create type public.referral_status as enum ('proposed', 'introduced', 'accepted', 'declined');
create type public.outflow_type as enum (
  'regular_job', 'article_60', 'social_economy_job', 'structural_volunteering', 'self_employed', 'smart',
  'own_nonprofit', 'artist_status', 'education', 'referred_elsewhere', 'stopped', 'other');
create type public.step_status as enum ('done', 'needed');
create type public.task_kind as enum (
  'coaching_conversation', 'agreement_evaluation', 'check_in', 'reach_out', 'referral_follow_up', 'aftercare_reconnect');
create type public.email_template as enum (
  'welcome', 'agreement_confirmation', 'agreement_ending_soon', 'aftercare_check_in', 'group_moment_invitation',
  'meet_and_greet_invitation', 'coach_new_participant', 'coach_daily_digest');
create type public.agreement_status as enum ('active', 'expired', 'completed', 'stopped', 'ended_by_outflow');
create type public.path_status as enum ('active', 'aftercare', 'closed', 'forgotten');

create type public.staff_role as enum ('staff', 'coach', 'coordinator');

-- Helpers for policies live in a schema PostgREST does not expose.
create schema if not exists private;
comment on schema private is 'Security-definer helpers for row-level security; not exposed by the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

------------------------------------------------------------------------------------------------
-- sites
create table public.sites (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);
comment on table public.sites is 'A Stuyfplek: a community place where participants grow together.';

------------------------------------------------------------------------------------------------
-- profiles
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  role public.staff_role not null,
  display_name text not null,
  email text,
  email_opted_out_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.profiles is 'Staff, coaches and coordinators: their role and their site, one per auth.users row.';
comment on column public.profiles.email_opted_out_at is 'Set by the opt-out link in an email: no more emails to this person.';
create index profiles_site_id_idx on public.profiles (site_id);

------------------------------------------------------------------------------------------------
-- participants
create table public.participants (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references public.sites (id),
  coach_id uuid references public.profiles (id) on delete set null,
  first_name text,
  last_name text,
  birth_date date,
  email text,
  phone text,
  consent_email boolean not null default false,
  opted_out_at timestamptz,
  -- Stable, non-personal identity for "the same person" at a repeated intake; erased with the rest.
  identity_key text unique,
  referral_source public.referral_source not null,
  erased_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.participants is 'Bestuyvers: the only place with names and contact details. Erased on request; the id and codes stay for anonymous figures.';
comment on column public.participants.consent_email is 'The participant agreed to receive email; without it no email is sent.';
comment on column public.participants.opted_out_at is 'When the participant opted out through an email link: no email after this.';
comment on column public.participants.erased_at is 'When the personal data was erased (the path was forgotten on request).';
create index participants_site_id_idx on public.participants (site_id);
create index participants_coach_id_idx on public.participants (coach_id);

------------------------------------------------------------------------------------------------
-- notes
create table public.notes (
  id uuid primary key default gen_random_uuid(),
  participant_id uuid not null references public.participants (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null,
  body text not null,
  created_at timestamptz not null default now()
);
comment on table public.notes is 'Free text about a participant (crisis notes, goals, reasons). Workflows refer to notes by id only; erasure deletes them.';
create index notes_participant_id_idx on public.notes (participant_id);

------------------------------------------------------------------------------------------------
-- Helpers (security definer: they read profiles and participants without recursing into RLS).

create function private.staff_site_id() returns uuid
language sql stable security definer set search_path = ''
as $$
  select p.site_id from public.profiles p where p.id = (select auth.uid()) and p.role = 'staff'
$$;
comment on function private.staff_site_id() is 'The site of the signed-in person if they are staff, else null.';

create function private.my_site_id() returns uuid
language sql stable security definer set search_path = ''
as $$
  select p.site_id from public.profiles p where p.id = (select auth.uid())
$$;
comment on function private.my_site_id() is 'The site of the signed-in person, whatever their role.';

create function private.coached_participant_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select p.id from public.participants p where p.coach_id = (select auth.uid())
$$;
comment on function private.coached_participant_ids() is 'The participants the signed-in person coaches.';

create function private.staff_participant_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select p.id from public.participants p
   where p.site_id = (select pr.site_id from public.profiles pr where pr.id = (select auth.uid()) and pr.role = 'staff')
$$;
comment on function private.staff_participant_ids() is 'The participants of the site of the signed-in person, if they are staff.';

create function private.is_coordinator_of(p_site uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.profiles p where p.id = (select auth.uid()) and p.role = 'coordinator' and p.site_id = p_site)
$$;
comment on function private.is_coordinator_of(uuid) is 'Whether the signed-in person is a coordinator of the site.';

revoke all on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, service_role;

------------------------------------------------------------------------------------------------
-- Grants. Hosted Supabase grants everything on new tables to anon and authenticated by default;
-- take that back and grant only what the policies below need.

revoke all on table public.sites, public.profiles, public.participants, public.notes from anon, authenticated;
grant select, insert, update, delete on table public.sites, public.profiles, public.participants, public.notes to service_role;

grant select on table public.sites to authenticated;
grant select on table public.profiles to authenticated;
grant update (display_name) on table public.profiles to authenticated;
grant select on table public.participants to authenticated;
grant insert (site_id, coach_id, first_name, last_name, birth_date, email, phone, consent_email, referral_source, identity_key)
  on table public.participants to authenticated;
-- coach_id changes go through the path (assignCoach); erasure through the path (forget).
grant update (first_name, last_name, birth_date, email, phone, consent_email, opted_out_at) on table public.participants to authenticated;
grant select on table public.notes to authenticated;
grant insert (participant_id, author_id, body) on table public.notes to authenticated;
grant update (body) on table public.notes to authenticated;

------------------------------------------------------------------------------------------------
-- Row-level security and policies.

alter table public.sites enable row level security;
alter table public.profiles enable row level security;
alter table public.participants enable row level security;
alter table public.notes enable row level security;

create policy "sites: members read their own site" on public.sites
  for select to authenticated using (id = (select private.my_site_id()));

create policy "profiles: members read the people of their site" on public.profiles
  for select to authenticated using (site_id = (select private.my_site_id()));
create policy "profiles: everyone updates their own profile" on public.profiles
  for update to authenticated using (id = (select auth.uid())) with check (id = (select auth.uid()));

create policy "participants: coaches read the participants they coach" on public.participants
  for select to authenticated using (coach_id = (select auth.uid()));
create policy "participants: staff read the participants of their site" on public.participants
  for select to authenticated using (site_id = (select private.staff_site_id()));
create policy "participants: staff register participants at their site" on public.participants
  for insert to authenticated with check (
    site_id = (select private.staff_site_id())
    -- and with no coach, or a coach of that same site
    and (coach_id is null or exists (
      select 1 from public.profiles p where p.id = coach_id and p.role = 'coach' and p.site_id = (select private.staff_site_id())
    ))
  );
create policy "participants: coaches update the participants they coach" on public.participants
  for update to authenticated using (coach_id = (select auth.uid())) with check (coach_id = (select auth.uid()));
create policy "participants: staff update the participants of their site" on public.participants
  for update to authenticated using (site_id = (select private.staff_site_id())) with check (site_id = (select private.staff_site_id()));

create policy "notes: coaches read notes on the participants they coach" on public.notes
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "notes: staff read notes on the participants of their site" on public.notes
  for select to authenticated using (participant_id in (select private.staff_participant_ids()));
create policy "notes: coaches write notes on the participants they coach" on public.notes
  for insert to authenticated
  with check (author_id = (select auth.uid()) and participant_id in (select private.coached_participant_ids()));
create policy "notes: staff write notes on the participants of their site" on public.notes
  for insert to authenticated
  with check (author_id = (select auth.uid()) and participant_id in (select private.staff_participant_ids()));
create policy "notes: coaches edit their own notes on the participants they coach" on public.notes
  for update to authenticated
  using (author_id = (select auth.uid()) and participant_id in (select private.coached_participant_ids()))
  with check (author_id = (select auth.uid()));
create policy "notes: staff edit their own notes at their site" on public.notes
  for update to authenticated
  using (author_id = (select auth.uid()) and participant_id in (select private.staff_participant_ids()))
  with check (author_id = (select auth.uid()));
create index notes_author_id_idx on public.notes (author_id);
