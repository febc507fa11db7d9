-- What happens on a path, one table per kind of event, written by the path workflow's activities
-- (activities/index.ts, recordEvent) with the service role. Every row carries the key of the
-- workflow event that wrote it (unique), so a retried activity finds its row instead of adding one.
-- Rows hold ids, codes and instants; free text stays in public.notes. note_id columns carry no
-- foreign key on purpose: a note is erased on request and a dangling id must never stop a path.

------------------------------------------------------------------------------------------------
-- paths
create table public.paths (
  participant_id uuid not null references public.participants (id) on delete cascade,
  path_run int not null check (path_run >= 1),
  site_id uuid not null references public.sites (id),
  phase public.phase not null,
  status public.path_status not null default 'active',
  started_at timestamptz not null,
  ended_at timestamptz,
  workflow_id text not null,
  primary key (participant_id, path_run)
);
comment on table public.paths is 'One row per path run of a participant (a re-entry starts the next run): current phase and status.';
create index paths_site_id_idx on public.paths (site_id, started_at);

------------------------------------------------------------------------------------------------
-- path_events
create table public.path_events (
  key text primary key,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  type text not null,
  at timestamptz not null default now(),
  payload jsonb not null
);
comment on table public.path_events is 'Audit trail: every path event as the workflow emitted it (ids and codes only), once per key.';
create index path_events_participant_idx on public.path_events (participant_id, at);
create index path_events_site_idx on public.path_events (site_id, at);

------------------------------------------------------------------------------------------------
-- phase_changes
create table public.phase_changes (
  id bigint generated always as identity primary key,
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  from_phase public.phase,
  to_phase public.phase not null,
  -- Null for the phase a path starts in at intake.
  reason public.phase_change_reason,
  changed_by uuid,
  changed_at timestamptz not null,
  note_id uuid,
  foreign key (participant_id, path_run) references public.paths (participant_id, path_run) on delete cascade
);
comment on table public.phase_changes is 'Every phase a path entered, with time, who and why; the first row of a run has no from_phase.';
create index phase_changes_participant_idx on public.phase_changes (participant_id, path_run, changed_at);
create index phase_changes_site_idx on public.phase_changes (site_id, changed_at);

------------------------------------------------------------------------------------------------
-- crises
create table public.crises (
  id bigint generated always as identity primary key,
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  kind public.crisis_kind not null,
  signalled_by uuid,
  signalled_at timestamptz not null,
  proposed_phase public.phase,
  moved boolean not null default false,
  note_id uuid,
  foreign key (participant_id, path_run) references public.paths (participant_id, path_run) on delete cascade
);
comment on table public.crises is 'Focus and status crises a coach signalled, the move they proposed and whether it was made.';
create index crises_participant_idx on public.crises (participant_id);
create index crises_site_idx on public.crises (site_id, signalled_at);

------------------------------------------------------------------------------------------------
-- agreements
create table public.agreements (
  id uuid primary key,
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  coach_id uuid,
  signed_at timestamptz not null,
  start_date date not null,
  end_date date not null,
  commitments public.group_moment_kind[] not null default '{}',
  privileges public.privilege[] not null default '{}',
  goal_note_id uuid,
  status public.agreement_status not null default 'active',
  renewals int not null default 0,
  ended_at timestamptz,
  foreign key (participant_id, path_run) references public.paths (participant_id, path_run) on delete cascade
);
comment on table public.agreements is 'Growth agreements (groeiovereenkomsten): one year, commitments and privileges; start and end are local dates (Europe/Brussels).';
create index agreements_participant_idx on public.agreements (participant_id);
create index agreements_site_idx on public.agreements (site_id, signed_at);
create index agreements_site_ended_idx on public.agreements (site_id, ended_at);

------------------------------------------------------------------------------------------------
-- agreement_renewals
create table public.agreement_renewals (
  id bigint generated always as identity primary key,
  key text not null unique,
  agreement_id uuid not null references public.agreements (id) on delete cascade,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  renewal int not null check (renewal >= 1),
  start_date date not null,
  end_date date not null,
  renewed_at timestamptz not null
);
comment on table public.agreement_renewals is 'Each renewal of a growth agreement for another term.';
create index agreement_renewals_participant_idx on public.agreement_renewals (participant_id);
create index agreement_renewals_site_idx on public.agreement_renewals (site_id, renewed_at);

------------------------------------------------------------------------------------------------
-- agreement_steps
create table public.agreement_steps (
  id uuid primary key,
  agreement_id uuid not null references public.agreements (id) on delete cascade,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  status public.step_status not null,
  registered_at timestamptz not null,
  registered_by uuid,
  note_id uuid,
  -- The event that last changed the step.
  last_key text not null
);
comment on table public.agreement_steps is 'The small steps of a growth agreement: done or still needed; validated steps travel with the participant.';
create index agreement_steps_agreement_idx on public.agreement_steps (agreement_id);
create index agreement_steps_participant_idx on public.agreement_steps (participant_id);
create index agreement_steps_site_idx on public.agreement_steps (site_id);

------------------------------------------------------------------------------------------------
-- contacts
create table public.contacts (
  id bigint generated always as identity primary key,
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  kind public.contact_kind not null,
  contact_at timestamptz not null,
  logged_by uuid,
  note_id uuid
);
comment on table public.contacts is 'Logged contacts (conversation, reply, ...); each moves "last contact" forward.';
create index contacts_participant_idx on public.contacts (participant_id, contact_at);
create index contacts_site_idx on public.contacts (site_id, contact_at);

------------------------------------------------------------------------------------------------
-- attendance
create table public.attendance (
  id bigint generated always as identity primary key,
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  kind public.group_moment_kind not null,
  moment_date date not null,
  logged_at timestamptz not null,
  logged_by uuid
);
comment on table public.attendance is 'Attendance at group moments (connectors table, open house, co-working, stuyflab, meet & greet).';
create index attendance_participant_idx on public.attendance (participant_id);
create index attendance_site_idx on public.attendance (site_id, moment_date);

------------------------------------------------------------------------------------------------
-- referrals_in
create table public.referrals_in (
  id bigint generated always as identity primary key,
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  source public.referral_source not null,
  referred_at timestamptz not null
);
comment on table public.referrals_in is 'Who referred the participant, registered at intake (one row per intake).';
create index referrals_in_participant_idx on public.referrals_in (participant_id);
create index referrals_in_site_idx on public.referrals_in (site_id, referred_at);

------------------------------------------------------------------------------------------------
-- referrals_out
create table public.referrals_out (
  id uuid primary key,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  partner public.partner not null,
  status public.referral_status not null,
  proposed_at timestamptz not null,
  introduced_at timestamptz,
  updated_at timestamptz not null,
  updated_by uuid,
  note_id uuid,
  -- The event that last changed the referral.
  last_key text not null
);
comment on table public.referrals_out is 'Warm referrals to partners: proposed, introduced, accepted or declined.';
create index referrals_out_participant_idx on public.referrals_out (participant_id);
create index referrals_out_site_idx on public.referrals_out (site_id, proposed_at);

------------------------------------------------------------------------------------------------
-- outflows
create table public.outflows (
  id bigint generated always as identity primary key,
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  outflow_type public.outflow_type not null,
  outflow_at timestamptz not null,
  recorded_by uuid,
  note_id uuid,
  unique (participant_id, path_run),
  foreign key (participant_id, path_run) references public.paths (participant_id, path_run) on delete cascade
);
comment on table public.outflows is 'Where a path led (uitstroom): at most one per path run.';
create index outflows_site_idx on public.outflows (site_id, outflow_at);

------------------------------------------------------------------------------------------------
-- aftercare
create table public.aftercare (
  participant_id uuid not null references public.participants (id) on delete cascade,
  path_run int not null,
  site_id uuid not null references public.sites (id),
  outflow_at timestamptz not null,
  -- When the reconnect was due (three months after the last contact); set when it came.
  due_at timestamptz,
  due_key text unique,
  -- When the coach completed the reconnect task.
  reconnected_at timestamptz,
  primary key (participant_id, path_run),
  foreign key (participant_id, path_run) references public.paths (participant_id, path_run) on delete cascade
);
comment on table public.aftercare is 'Aftercare after outflow: when the reconnect was due and when the coach did it (on time: within a day).';
create index aftercare_site_idx on public.aftercare (site_id, due_at);

------------------------------------------------------------------------------------------------
-- Grants: authenticated may only read these (through the policies below); the workflow writes.
revoke all on table public.paths, public.path_events, public.phase_changes, public.crises, public.agreements, public.agreement_renewals, public.agreement_steps, public.contacts, public.attendance, public.referrals_in, public.referrals_out, public.outflows, public.aftercare from anon, authenticated;
grant select on table public.paths, public.path_events, public.phase_changes, public.crises, public.agreements, public.agreement_renewals, public.agreement_steps, public.contacts, public.attendance, public.referrals_in, public.referrals_out, public.outflows, public.aftercare to authenticated;
grant select, insert, update, delete on table public.paths, public.path_events, public.phase_changes, public.crises, public.agreements, public.agreement_renewals, public.agreement_steps, public.contacts, public.attendance, public.referrals_in, public.referrals_out, public.outflows, public.aftercare to service_role;

alter table public.paths enable row level security;
create policy "paths: coaches read their participants' rows" on public.paths
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "paths: staff read their site's rows" on public.paths
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.path_events enable row level security;
create policy "path_events: coaches read their participants' rows" on public.path_events
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "path_events: staff read their site's rows" on public.path_events
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.phase_changes enable row level security;
create policy "phase_changes: coaches read their participants' rows" on public.phase_changes
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "phase_changes: staff read their site's rows" on public.phase_changes
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.crises enable row level security;
create policy "crises: coaches read their participants' rows" on public.crises
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "crises: staff read their site's rows" on public.crises
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.agreements enable row level security;
create policy "agreements: coaches read their participants' rows" on public.agreements
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "agreements: staff read their site's rows" on public.agreements
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.agreement_renewals enable row level security;
create policy "agreement_renewals: coaches read their participants' rows" on public.agreement_renewals
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "agreement_renewals: staff read their site's rows" on public.agreement_renewals
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.agreement_steps enable row level security;
create policy "agreement_steps: coaches read their participants' rows" on public.agreement_steps
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "agreement_steps: staff read their site's rows" on public.agreement_steps
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.contacts enable row level security;
create policy "contacts: coaches read their participants' rows" on public.contacts
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "contacts: staff read their site's rows" on public.contacts
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.attendance enable row level security;
create policy "attendance: coaches read their participants' rows" on public.attendance
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "attendance: staff read their site's rows" on public.attendance
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.referrals_in enable row level security;
create policy "referrals_in: coaches read their participants' rows" on public.referrals_in
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "referrals_in: staff read their site's rows" on public.referrals_in
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.referrals_out enable row level security;
create policy "referrals_out: coaches read their participants' rows" on public.referrals_out
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "referrals_out: staff read their site's rows" on public.referrals_out
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.outflows enable row level security;
create policy "outflows: coaches read their participants' rows" on public.outflows
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "outflows: staff read their site's rows" on public.outflows
  for select to authenticated using (site_id = (select private.staff_site_id()));

alter table public.aftercare enable row level security;
create policy "aftercare: coaches read their participants' rows" on public.aftercare
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "aftercare: staff read their site's rows" on public.aftercare
  for select to authenticated using (site_id = (select private.staff_site_id()));
