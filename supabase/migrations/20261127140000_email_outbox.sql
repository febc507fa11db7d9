-- Emails go out in batches. A workflow's email is queued in email_log (its key, template and the
-- template's codes and dates); one dispatcher claims up to a batch of queued emails at a time,
-- decides consent for each, and sends the rest in one call to Resend's batch endpoint under the
-- batch's id as idempotency key, within the provider's rate limit.

alter table public.email_log drop constraint email_log_status_check;
alter table public.email_log add constraint email_log_status_check check (status in ('queued', 'sending', 'sent', 'skipped', 'failed'));
alter table public.email_log add column params jsonb not null default '{}'::jsonb;
alter table public.email_log add column batch_id uuid;
comment on column public.email_log.params is 'The template''s codes and dates, to render the email when its batch goes out. Never personal data.';
comment on column public.email_log.batch_id is 'The batch the email goes out in; also that batch''s Resend idempotency key.';
comment on table public.email_log is 'Every email a workflow asked for, once per key: queued, sending (claimed by a batch), sent, skipped (no consent, opted out, no address) or failed. Holds no addresses.';

create index email_log_queued_idx on public.email_log (created_at, key) where status = 'queued';
create index email_log_sending_idx on public.email_log (batch_id) where status = 'sending';

-- An email that was being sent one at a time when this runs goes out again through the queue.
update public.email_log set status = 'queued' where status = 'sending' and batch_id is null;

-- Claims the next batch: a batch claimed before and not finished first (the sender died, or the
-- provider refused it for a while), whole and under its own id, so Resend sends it once; else up
-- to p_limit queued emails, oldest first. Consent is decided here, once per email: an email whose
-- recipient opted out, never agreed or has no address is skipped and never enters a batch.
create function public.claim_email_batch(p_limit integer)
returns setof public.email_log
language plpgsql
set search_path = ''
as $$
declare
  v_batch uuid;
  v_claimed integer;
begin
  loop
    select l.batch_id into v_batch
      from public.email_log l
     where l.status = 'sending' and l.batch_id is not null
     order by l.updated_at
     limit 1;
    exit when v_batch is not null;

    v_batch := gen_random_uuid();
    with next as (
      select l.key
        from public.email_log l
       where l.status = 'queued'
       order by l.created_at, l.key
       limit p_limit
         for update skip locked
    ), decided as (
      select l.key,
             coalesce(p.site_id, c.site_id) as site_id,
             case
               when l.participant_id is not null then
                 case
                   when p.opted_out_at is not null or p.erased_at is not null then 'opted_out'
                   when not p.consent_email then 'no_consent'
                   when p.email is null then 'no_address'
                 end
               when c.email_opted_out_at is not null then 'opted_out'
               when c.email is null then 'no_address'
             end as skip
        from next n
        join public.email_log l on l.key = n.key
        left join public.participants p on p.id = l.participant_id
        left join public.profiles c on c.id = l.coach_id
    )
    update public.email_log l
       set status = case when d.skip is null then 'sending' else 'skipped' end,
           reason = d.skip,
           batch_id = case when d.skip is null then v_batch end,
           site_id = coalesce(l.site_id, d.site_id),
           updated_at = now()
      from decided d
     where l.key = d.key;
    get diagnostics v_claimed = row_count;
    -- Nothing queued: no batch. A claim of skipped emails only: claim again.
    if v_claimed = 0 then
      return;
    end if;
    exit when exists (select 1 from public.email_log l where l.batch_id = v_batch and l.status = 'sending');
    v_batch := null;
  end loop;

  return query
    select l.* from public.email_log l where l.batch_id = v_batch and l.status = 'sending' order by l.key;
end;
$$;
comment on function public.claim_email_batch(integer) is 'The email dispatcher''s next batch: an unfinished one first, else up to p_limit queued emails with consent decided. Service role only.';

-- Records what the provider answered for each email of a batch, in one statement.
create function public.finish_email_batch(p_batch uuid, p_results jsonb)
returns void
language sql
set search_path = ''
as $$
  update public.email_log l
     set status = r.status, provider_id = r.provider_id, reason = r.reason, updated_at = now()
    from jsonb_to_recordset(p_results) as r(key text, status text, provider_id text, reason text)
   where l.key = r.key and l.batch_id = p_batch and l.status = 'sending';
$$;
comment on function public.finish_email_batch(uuid, jsonb) is 'Marks the emails of a batch sent, skipped or failed: [{key, status, provider_id, reason}]. Service role only.';

revoke all on function public.claim_email_batch(integer) from public, anon, authenticated;
revoke all on function public.finish_email_batch(uuid, jsonb) from public, anon, authenticated;
grant execute on function public.claim_email_batch(integer) to service_role;
grant execute on function public.finish_email_batch(uuid, jsonb) to service_role;
