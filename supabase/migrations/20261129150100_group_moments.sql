-- Group moments as they happen: a moment has a date, a site, a kind and a facilitator. Staff and
-- facilitators plan them; invitations attach to a planned moment (or wait for the next connectors
-- table, after a focus crisis); the facilitator fills in the register for the whole group at once
-- (participants who came, and guests from partner organisations, counted without being
-- participants). Every participant's attendance also reaches their path (the workflow counts it
-- once per moment); the rows here are what the facilitator sees was saved.
--
-- Who may do what:
--   staff of the site       plan moments, fill in any register of the site, read everything here;
--   facilitators of a site  plan moments, fill in the registers of the site; they read the moments
--                           and, through public.group_moment_register, only the names of the
--                           people a register lists (never a participant row, a path or a reason);
--   coaches of the site     read the moments; a coach named as a moment's facilitator may fill in
--                           that moment's register (checked by the API) and reads its register;
--   coordinators            figures only (nothing here).
-- Writes go through the API (service role) after its own check, like every other write.

------------------------------------------------------------------------------------------------
-- Helpers
create function private.facilitator_site_id() returns uuid
language sql stable security definer set search_path = ''
as $$
  select p.site_id from public.profiles p where p.id = (select auth.uid()) and p.role in ('staff', 'facilitator', 'coach')
$$;
comment on function private.facilitator_site_id() is 'The site of the signed-in person if they are staff, a facilitator or a coach (the people around group moments), else null.';

------------------------------------------------------------------------------------------------
-- group_moments
create table public.group_moments (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references public.sites (id),
  kind public.group_moment_kind not null,
  moment_date date not null,
  facilitator_id uuid references public.profiles (id) on delete set null,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  -- One moment of a kind per site and day: planning it twice finds the first.
  unique (site_id, kind, moment_date)
);
comment on table public.group_moments is 'A group moment as it happens: site, kind, date and who runs it (the facilitator).';
create index group_moments_site_date_idx on public.group_moments (site_id, moment_date);

------------------------------------------------------------------------------------------------
-- group_moment_invitations
create table public.group_moment_invitations (
  id uuid primary key default gen_random_uuid(),
  -- The cause's key: "moment/<moment>/<participant>" for staff's invitations, the path event's
  -- key for an invitation after a focus crisis.
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  kind public.group_moment_kind not null,
  -- Null: waiting for the next connectors table of the site to be planned.
  moment_id uuid references public.group_moments (id) on delete set null,
  reason text not null check (reason in ('invited', 'focus_crisis')),
  created_at timestamptz not null default now()
);
comment on table public.group_moment_invitations is 'Who is invited to which moment, and why (invited by staff, or after a focus crisis: the next connectors table). A pending one (no moment) is attached when that moment is planned.';
comment on column public.group_moment_invitations.reason is 'Only coaches and staff read it; the register says "uitgenodigd" whatever the reason.';
create index group_moment_invitations_moment_idx on public.group_moment_invitations (moment_id);
create index group_moment_invitations_pending_idx on public.group_moment_invitations (site_id, kind) where moment_id is null;
create index group_moment_invitations_participant_idx on public.group_moment_invitations (participant_id);

------------------------------------------------------------------------------------------------
-- group_moment_attendance: the register, one row per participant who came.
create table public.group_moment_attendance (
  moment_id uuid not null references public.group_moments (id) on delete cascade,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  registered_by uuid references public.profiles (id) on delete set null,
  registered_at timestamptz not null default now(),
  -- When the path counted it (its logAttendance update returned); null while that is on its way.
  counted_at timestamptz,
  primary key (moment_id, participant_id)
);
comment on table public.group_moment_attendance is 'The register of a group moment: the participants who came. Each one is counted on their path once (the path refuses a second attendance for the same moment).';
create index group_moment_attendance_participant_idx on public.group_moment_attendance (participant_id);

------------------------------------------------------------------------------------------------
-- group_moment_guests: people from partner organisations, counted, never participants.
create table public.group_moment_guests (
  moment_id uuid not null references public.group_moments (id) on delete cascade,
  partner public.partner not null,
  guests int not null check (guests > 0 and guests <= 500),
  site_id uuid not null references public.sites (id),
  updated_by uuid references public.profiles (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (moment_id, partner)
);
comment on table public.group_moment_guests is 'Guests from partner organisations at a group moment: a number per partner, no names.';

------------------------------------------------------------------------------------------------
-- Grants and policies: people read; the API (service role) writes.
revoke all on table public.group_moments, public.group_moment_invitations, public.group_moment_attendance, public.group_moment_guests from anon, authenticated;
grant select, insert, update, delete on table public.group_moments, public.group_moment_invitations, public.group_moment_attendance, public.group_moment_guests to service_role;
grant select on table public.group_moments, public.group_moment_invitations, public.group_moment_attendance, public.group_moment_guests to authenticated;

alter table public.group_moments enable row level security;
alter table public.group_moment_invitations enable row level security;
alter table public.group_moment_attendance enable row level security;
alter table public.group_moment_guests enable row level security;

create policy "group_moments: staff, facilitators and coaches read their site's moments" on public.group_moments
  for select to authenticated using (site_id = (select private.facilitator_site_id()));

create policy "group_moment_invitations: coaches read their participants' rows" on public.group_moment_invitations
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "group_moment_invitations: staff read their site's rows" on public.group_moment_invitations
  for select to authenticated using (site_id = (select private.staff_site_id()));

create policy "group_moment_attendance: coaches read their participants' rows" on public.group_moment_attendance
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "group_moment_attendance: staff read their site's rows" on public.group_moment_attendance
  for select to authenticated using (site_id = (select private.staff_site_id()));

create policy "group_moment_guests: staff, facilitators and coaches read their site's rows" on public.group_moment_guests
  for select to authenticated using (site_id = (select private.facilitator_site_id()));

------------------------------------------------------------------------------------------------
-- The register as the facilitator sees it: the participants expected at the moment (those on an
-- active path at the site, and everyone invited to it) and those already registered, with their
-- first and last name only, whether they were invited (never why) and whether they came. For
-- staff and facilitators of the moment's site, and for the coach who is the moment's facilitator;
-- anyone else gets no rows. Erased people are not listed.
create function public.group_moment_register(p_moment uuid)
returns table (participant_id uuid, first_name text, last_name text, invited boolean, present boolean, counted boolean)
language sql stable security definer set search_path = ''
as $$
  with m as (
    select gm.* from public.group_moments gm
     where gm.id = p_moment
       and exists (
         select 1 from public.profiles pr
          where pr.id = (select auth.uid()) and pr.site_id = gm.site_id
            and (pr.role in ('staff', 'facilitator') or (pr.role = 'coach' and gm.facilitator_id = pr.id))
       )
  ), expected as (
    select pa.participant_id from public.paths pa, m where pa.site_id = m.site_id and pa.status = 'active'
    union
    select i.participant_id from public.group_moment_invitations i, m where i.moment_id = m.id
    union
    select a.participant_id from public.group_moment_attendance a, m where a.moment_id = m.id
  )
  select p.id, p.first_name, p.last_name,
         exists (select 1 from public.group_moment_invitations i where i.moment_id = p_moment and i.participant_id = p.id),
         a.participant_id is not null,
         a.counted_at is not null
    from expected e
    join public.participants p on p.id = e.participant_id and p.erased_at is null
    left join public.group_moment_attendance a on a.moment_id = p_moment and a.participant_id = p.id
   order by p.first_name, p.last_name, p.id
$$;
comment on function public.group_moment_register(uuid) is 'The register of a group moment for its facilitator: names, invited (never why), present. Empty for anyone who may not fill it in.';
revoke all on function public.group_moment_register(uuid) from public, anon;
grant execute on function public.group_moment_register(uuid) to authenticated, service_role;

------------------------------------------------------------------------------------------------
-- Plans a group moment (once per site, kind and day) and, for a connectors table today or later,
-- attaches the invitations waiting for the next one (after a focus crisis) and queues their
-- emails (once per moment and participant; the same key as staff's invitations, so nobody gets
-- two). Returns the moment and whether this call made it. Service role only: the API checks who.
create function public.plan_group_moment(p_site uuid, p_kind public.group_moment_kind, p_date date, p_facilitator uuid, p_created_by uuid, p_today date)
returns table (id uuid, created boolean, attached int)
language plpgsql security invoker set search_path = ''
as $$
declare
  v_id uuid;
  v_created boolean := false;
  v_attached int := 0;
begin
  insert into public.group_moments (site_id, kind, moment_date, facilitator_id, created_by)
  values (p_site, p_kind, p_date, p_facilitator, p_created_by)
  on conflict (site_id, kind, moment_date) do nothing
  returning group_moments.id into v_id;
  if v_id is not null then
    v_created := true;
  else
    select gm.id into v_id from public.group_moments gm where gm.site_id = p_site and gm.kind = p_kind and gm.moment_date = p_date;
  end if;

  if p_kind = 'connectors_table' and p_date >= p_today then
    with pending as (
      update public.group_moment_invitations i
         set moment_id = v_id
       where i.site_id = p_site and i.kind = 'connectors_table' and i.moment_id is null
      returning i.participant_id
    ), queued as (
      insert into public.email_log (key, template, participant_id, site_id, status, params)
      select 'group_moment/connectors_table/' || p_date::text || '/' || a.participant_id::text,
             'group_moment_invitation', a.participant_id, p_site, 'queued',
             jsonb_build_object('kind', 'connectors_table', 'date', p_date::text)
        from pending a
      on conflict (key) do nothing
      returning 1
    )
    select count(*)::int into v_attached from pending;
  end if;
  return query select v_id, v_created, v_attached;
end
$$;
comment on function public.plan_group_moment(uuid, public.group_moment_kind, date, uuid, uuid, date) is 'Plans a group moment once per site, kind and day; attaches pending connectors-table invitations and queues their emails. Service role only.';
revoke all on function public.plan_group_moment(uuid, public.group_moment_kind, date, uuid, uuid, date) from public, anon, authenticated;
grant execute on function public.plan_group_moment(uuid, public.group_moment_kind, date, uuid, uuid, date) to service_role;

------------------------------------------------------------------------------------------------
-- After a focus crisis the participant is invited to the next connectors table of their site: the
-- next one planned on or after p_today, or pending until one is planned (plan_group_moment attaches
-- it). Once per path event (the key); returns the moment it is attached to, if any (a retry
-- returns what the first call attached). Service role only (the worker).
create function public.invite_to_next_connectors_table(p_key text, p_participant uuid, p_site uuid, p_today date)
returns table (moment_id uuid, moment_date date)
language plpgsql security invoker set search_path = ''
as $$
begin
  insert into public.group_moment_invitations (key, participant_id, site_id, kind, moment_id, reason)
  values (
    p_key, p_participant, p_site, 'connectors_table',
    (select gm.id from public.group_moments gm
      where gm.site_id = p_site and gm.kind = 'connectors_table' and gm.moment_date >= p_today
      order by gm.moment_date limit 1),
    'focus_crisis')
  on conflict (key) do nothing;
  return query
    select gm.id, gm.moment_date
      from public.group_moment_invitations i
      join public.group_moments gm on gm.id = i.moment_id
     where i.key = p_key;
end
$$;
comment on function public.invite_to_next_connectors_table(text, uuid, uuid, date) is 'Invites a participant to the next connectors table of the site (or pending until one is planned), once per key. Service role only.';
revoke all on function public.invite_to_next_connectors_table(text, uuid, uuid, date) from public, anon, authenticated;
grant execute on function public.invite_to_next_connectors_table(text, uuid, uuid, date) to service_role;

------------------------------------------------------------------------------------------------
-- People stay in the network: after outflow and after the path closed, former participants keep
-- being invited to group moments (stuyflabs, activities) and to their site's meet & greet, unless
-- they opted out, never agreed to email, or were erased (forgotten).
create function public.group_moment_invitees(p_site uuid) returns setof uuid
language sql stable security invoker set search_path = ''
as $$
  select p.id
    from public.participants p
   where p.site_id = p_site
     and p.consent_email
     and p.opted_out_at is null
     and p.erased_at is null
     and exists (select 1 from public.paths pa where pa.participant_id = p.id and pa.status in ('active', 'aftercare', 'closed'))
   order by p.id
$$;
comment on function public.group_moment_invitees(uuid) is 'Participants of a site to invite to a group moment: active and former (aftercare, closed) who agreed to email, did not opt out and were not erased. Service role only.';
revoke all on function public.group_moment_invitees(uuid) from public, anon, authenticated;
grant execute on function public.group_moment_invitees(uuid) to service_role;

-- The yearly meet & greet is each site's own: a meet & greet moment per site on the date, and an
-- invitation row per invitee to their site's moment (so its register lists them). Idempotent.
create function public.plan_meet_and_greets(p_date date) returns setof uuid
language plpgsql security invoker set search_path = ''
as $$
begin
  insert into public.group_moments (site_id, kind, moment_date)
  select distinct p.site_id, 'meet_and_greet'::public.group_moment_kind, p_date
    from public.participants p
   where p.id in (select public.meet_and_greet_invitees())
  on conflict (site_id, kind, moment_date) do nothing;
  insert into public.group_moment_invitations (key, participant_id, site_id, kind, moment_id, reason)
  select 'moment/' || gm.id::text || '/' || p.id::text, p.id, p.site_id, 'meet_and_greet', gm.id, 'invited'
    from public.participants p
    join public.group_moments gm on gm.site_id = p.site_id and gm.kind = 'meet_and_greet' and gm.moment_date = p_date
   where p.id in (select public.meet_and_greet_invitees())
  on conflict (key) do nothing;
  return query select public.meet_and_greet_invitees();
end
$$;
comment on function public.plan_meet_and_greets(date) is 'Plans each site''s meet & greet on the date and invites its active and former participants to it; returns the invitees. Service role only.';
revoke all on function public.plan_meet_and_greets(date) from public, anon, authenticated;
grant execute on function public.plan_meet_and_greets(date) to service_role;

revoke all on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, service_role;
