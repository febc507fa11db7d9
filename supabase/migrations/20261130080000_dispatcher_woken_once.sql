-- A burst of paths queueing emails woke the email dispatcher once per path: thousands of signals,
-- each one an event in the dispatcher's history and a write on the Temporal server. Now a path
-- wakes it only when it sleeps. One row says whether it does; the two sides decide under an
-- advisory lock that paths share with each other and the dispatcher takes alone:
-- - a path takes it (shared) after writing its emails and keeps it until it commits;
-- - the dispatcher, finding nothing to claim, takes it (exclusive), which waits for every path
--   holding it to commit, and looks again: an email written before is seen and claimed; a path
--   that comes after waits for the dispatcher's commit and finds it asleep, so it wakes it.
-- Paths do not wait for each other: of two that find it asleep, the second's update waits for
-- the first's and then finds it awake.
-- Nets for a wake-up that was decided but never arrived (a worker killed between its commit and
-- its signal, a dispatcher terminated by hand, an unconditional signal that failed):
-- - a batch whose emails were written before (a retry) always wakes it;
-- - an email queued longer than stale_after wakes it again, at most once per stale_after: from a
--   path's batch, and from the workers' periodic look (public.email_dispatcher_overdue).

create table private.email_dispatch (
  singleton boolean primary key default true check (singleton),
  awake boolean not null default false,
  woken_at timestamptz,
  stale_after interval not null default interval '2 minutes'
);
comment on table private.email_dispatch is 'One row: whether the email dispatcher was woken since it last found the queue empty, when, and how long a queued email may wait before it is woken again.';
insert into private.email_dispatch default values;
revoke all on table private.email_dispatch from public, anon, authenticated;
grant select, update on table private.email_dispatch to service_role;

-- The lock's key: any constant, the same on both sides.
create function private.email_dispatch_lock_key() returns bigint
language sql immutable set search_path = '' as $$ select 7301160800 $$;

-- Whether to wake the dispatcher, marking it woken when so. p_new_email: this transaction queued
-- an email; p_always: wake whatever the row says.
create function private.dispatcher_needs_waking(p_new_email boolean, p_always boolean)
returns boolean
language plpgsql security invoker set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock_shared(private.email_dispatch_lock_key());
  update private.email_dispatch d set awake = true, woken_at = now()
   where p_always
      or (p_new_email and not d.awake)
      or ((not d.awake or coalesce(d.woken_at, '-infinity') < now() - d.stale_after)
          and exists (select 1 from public.email_log l where l.status = 'queued' and l.created_at < now() - d.stale_after));
  return found;
end
$$;

-- record_path_effects, and whether the caller must wake the dispatcher: when an email was queued
-- and the dispatcher sleeps, or always when an email of the batch was there before this
-- transaction (a retry, also one still running beside this one) or came from an event (a
-- connectors table invitation, rare).
create function public.record_path_effects_and_wake(p_participant uuid, p_site uuid, p_workflow_id text, p_effects jsonb)
returns boolean
language plpgsql security invoker set search_path = ''
as $$
declare
  v_keys text[] := array(select x->>'key' from jsonb_array_elements(coalesce(p_effects, '[]')) x where x->>'type' = 'email');
begin
  if not public.record_path_effects(p_participant, p_site, p_workflow_id, p_effects) then
    return false;
  end if;
  -- A row this transaction inserted has its start time (now()) as created_at; any other was there.
  return private.dispatcher_needs_waking(
    true,
    cardinality(v_keys) = 0 or exists (select 1 from public.email_log l where l.key = any(v_keys) and l.created_at <> now()));
end
$$;
comment on function public.record_path_effects_and_wake(uuid, uuid, text, jsonb) is 'record_path_effects, returning whether to wake the email dispatcher (only when it sleeps, on a retry, or when an email has waited past stale_after). Service role only (the worker).';

-- The dispatcher's side, when a claim found nothing: looks again under the lock and, still
-- nothing, records that it sleeps. Returns false when there is more to claim.
create function public.email_dispatcher_sleeps()
returns boolean
language plpgsql security invoker set search_path = ''
as $$
begin
  perform pg_advisory_xact_lock(private.email_dispatch_lock_key());
  if exists (select 1 from public.email_log l where l.status in ('queued', 'sending')) then
    return false;
  end if;
  update private.email_dispatch set awake = false;
  return true;
end
$$;
comment on function public.email_dispatcher_sleeps() is 'Called by the email dispatcher when a claim found nothing: true (and marked asleep) when nothing is queued under the lock. Service role only.';

-- The workers' periodic look: whether an email has waited past stale_after with no wake-up since.
create function public.email_dispatcher_overdue()
returns boolean
language sql security invoker set search_path = ''
as $$ select private.dispatcher_needs_waking(false, false) $$;
comment on function public.email_dispatcher_overdue() is 'True (and marked woken) when a queued email has waited longer than stale_after and the dispatcher was not woken since: the caller wakes it. Service role only.';

revoke all on function private.email_dispatch_lock_key(), private.dispatcher_needs_waking(boolean, boolean),
  public.record_path_effects_and_wake(uuid, uuid, text, jsonb), public.email_dispatcher_sleeps(), public.email_dispatcher_overdue()
  from public, anon, authenticated;
grant execute on function private.email_dispatch_lock_key(), private.dispatcher_needs_waking(boolean, boolean),
  public.record_path_effects_and_wake(uuid, uuid, text, jsonb), public.email_dispatcher_sleeps(), public.email_dispatcher_overdue()
  to service_role;
