-- Tasks for coaches (created by the path workflow, completed by people) and the log of every
-- email a workflow asked for.

------------------------------------------------------------------------------------------------
-- tasks
create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  path_run int not null,
  kind public.task_kind not null,
  assignee_id uuid references public.profiles (id) on delete set null,
  due_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'done', 'cancelled')),
  -- What caused the task: a code, e.g. "focus_crisis", "no_contact", "agreement/<id>/<n>".
  cause text not null,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  completed_by uuid
);
comment on table public.tasks is 'Follow-up work for coaches, each caused by one workflow event (the key): kind, due, assignee, status.';
create index tasks_assignee_status_due_idx on public.tasks (assignee_id, status, due_at);
create index tasks_site_status_due_idx on public.tasks (site_id, status, due_at);
create index tasks_participant_idx on public.tasks (participant_id);

-- Completing (or cancelling) stamps who and when; reopening clears it. A person cannot choose
-- the time or the name (the funder's "aftercare on time" is read from it); only the service
-- role, acting for someone the API signed in, passes them along.
create function private.stamp_task_completion() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.status is distinct from old.status then
    if new.status = 'open' then
      new.completed_at := null;
      new.completed_by := null;
    else
      if (select auth.uid()) is null then
        new.completed_at := coalesce(new.completed_at, now());
      else
        new.completed_at := now();
        new.completed_by := (select auth.uid());
      end if;
    end if;
  end if;
  return new;
end
$$;
create trigger tasks_stamp_completion before update of status on public.tasks
  for each row execute function private.stamp_task_completion();

-- The aftercare reconnect is done when its task is done: that is what "on time" is measured by.
create function private.aftercare_reconnected_by_task() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.kind = 'aftercare_reconnect' and new.status = 'done' and old.status is distinct from 'done' then
    update public.aftercare a
       set reconnected_at = new.completed_at
     where a.participant_id = new.participant_id and a.path_run = new.path_run and a.reconnected_at is null;
  end if;
  return null;
end
$$;
create trigger tasks_aftercare_reconnected after update of status on public.tasks
  for each row execute function private.aftercare_reconnected_by_task();

revoke all on table public.tasks from anon, authenticated;
grant select on table public.tasks to authenticated;
grant update (status) on table public.tasks to authenticated;
grant select, insert, update, delete on table public.tasks to service_role;

alter table public.tasks enable row level security;
create policy "tasks: coaches read their own tasks and those of their participants" on public.tasks
  for select to authenticated
  using (assignee_id = (select auth.uid()) or participant_id in (select private.coached_participant_ids()));
create policy "tasks: staff read the tasks of their site" on public.tasks
  for select to authenticated using (site_id = (select private.staff_site_id()));
create policy "tasks: coaches complete their own tasks and those of their participants" on public.tasks
  for update to authenticated
  using (assignee_id = (select auth.uid()) or participant_id in (select private.coached_participant_ids()))
  with check (assignee_id = (select auth.uid()) or participant_id in (select private.coached_participant_ids()));
create policy "tasks: staff complete the tasks of their site" on public.tasks
  for update to authenticated
  using (site_id = (select private.staff_site_id())) with check (site_id = (select private.staff_site_id()));

------------------------------------------------------------------------------------------------
-- email_log
create table public.email_log (
  key text primary key,
  template public.email_template not null,
  participant_id uuid references public.participants (id) on delete cascade,
  coach_id uuid references public.profiles (id) on delete set null,
  site_id uuid references public.sites (id),
  status text not null check (status in ('sending', 'sent', 'skipped', 'failed')),
  -- Why not sent: no_consent, opted_out, no_address, or the provider's status and error name. Never an address.
  reason text,
  provider_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (participant_id is not null or coach_id is not null)
);
comment on table public.email_log is 'Every email a workflow asked for, once per key (also the Resend idempotency key): sent, skipped (no consent, opted out) or failed. Holds no addresses.';
create index email_log_participant_idx on public.email_log (participant_id);
create index email_log_coach_idx on public.email_log (coach_id);
create index email_log_site_idx on public.email_log (site_id, created_at);

revoke all on table public.email_log from anon, authenticated;
grant select on table public.email_log to authenticated;
grant select, insert, update, delete on table public.email_log to service_role;

alter table public.email_log enable row level security;
create policy "email_log: coaches read the emails of their participants and their own" on public.email_log
  for select to authenticated
  using (coach_id = (select auth.uid()) or participant_id in (select private.coached_participant_ids()));
create policy "email_log: staff read the emails of their site" on public.email_log
  for select to authenticated using (site_id = (select private.staff_site_id()));

revoke all on all functions in schema private from public, anon;
grant execute on all functions in schema private to authenticated, service_role;
