-- A burst of paths queueing emails woke the email dispatcher once per path: thousands of signals,
-- each one an event in the dispatcher's history and a write on the Temporal server. Now a path
-- wakes it only when it sleeps: the database knows, in one row, whether a wake-up is on its way
-- or the dispatcher is delivering, and both sides decide under that row's lock.
--
-- The invariant: an email committed after the dispatcher last found the queue empty (under the
-- lock) is seen by a delivery still running, or its path finds the dispatcher asleep and wakes it.
-- - A path locks the row after writing its emails and keeps the lock until it commits.
-- - The dispatcher, finding nothing to claim, locks the row and looks again: a path that wrote
--   before it got the lock has committed by then and is seen; one that locks after it finds it
--   asleep.
-- Two nets for a wake-up that was decided but never arrived (a worker killed between the commit
-- and the signal, a dispatcher terminated by hand): an email already in the outbox when its batch
-- is written again (a retried batch) always wakes, and so does any email while the oldest one
-- queued has waited longer than stale_after.

create table private.email_dispatch (
  singleton boolean primary key default true check (singleton),
  awake boolean not null default false,
  stale_after interval not null default interval '2 minutes'
);
comment on table private.email_dispatch is 'One row: whether the email dispatcher was woken since it last found the queue empty, and how long the oldest queued email may wait before any new one wakes it again.';
insert into private.email_dispatch default values;
revoke all on table private.email_dispatch from public, anon, authenticated;
grant select, update on table private.email_dispatch to service_role;

-- The path's side, in the transaction that wrote its emails: whether to wake the dispatcher.
create function private.dispatcher_needs_waking(p_always boolean)
returns boolean
language plpgsql security invoker set search_path = ''
as $$
declare
  v_awake boolean;
  v_stale_after interval;
begin
  select d.awake, d.stale_after into v_awake, v_stale_after from private.email_dispatch d for update;
  if p_always or not v_awake
     or exists (select 1 from public.email_log l where l.status = 'queued' and l.created_at < now() - v_stale_after) then
    update private.email_dispatch set awake = true;
    return true;
  end if;
  return false;
end
$$;

-- record_path_effects, and whether the caller must wake the dispatcher: when an email was queued
-- and the dispatcher sleeps, or always when the batch was written before (a retry) or its email
-- came from an event (a connectors table invitation, rare).
create function public.record_path_effects_and_wake(p_participant uuid, p_site uuid, p_workflow_id text, p_effects jsonb)
returns boolean
language plpgsql security invoker set search_path = ''
as $$
declare
  v_keys text[] := array(select x->>'key' from jsonb_array_elements(coalesce(p_effects, '[]')) x where x->>'type' = 'email');
  v_written_before boolean := exists (select 1 from public.email_log l where l.key = any(v_keys));
begin
  if not public.record_path_effects(p_participant, p_site, p_workflow_id, p_effects) then
    return false;
  end if;
  return private.dispatcher_needs_waking(v_written_before or cardinality(v_keys) = 0);
end
$$;
comment on function public.record_path_effects_and_wake(uuid, uuid, text, jsonb) is 'record_path_effects, returning whether to wake the email dispatcher (only when it sleeps, or on a retry). Service role only (the worker).';

-- The dispatcher's side, when a claim found nothing: looks again under the lock and, still
-- nothing, records that it sleeps. Returns false when there is more to claim.
create function public.email_dispatcher_sleeps()
returns boolean
language plpgsql security invoker set search_path = ''
as $$
begin
  perform 1 from private.email_dispatch for update;
  if exists (select 1 from public.email_log l where l.status in ('queued', 'sending')) then
    return false;
  end if;
  update private.email_dispatch set awake = false;
  return true;
end
$$;
comment on function public.email_dispatcher_sleeps() is 'Called by the email dispatcher when a claim found nothing: true (and marked asleep) when nothing is queued under the lock. Service role only.';

revoke all on function private.dispatcher_needs_waking(boolean), public.record_path_effects_and_wake(uuid, uuid, text, jsonb), public.email_dispatcher_sleeps()
  from public, anon, authenticated;
grant execute on function private.dispatcher_needs_waking(boolean), public.record_path_effects_and_wake(uuid, uuid, text, jsonb), public.email_dispatcher_sleeps()
  to service_role;
