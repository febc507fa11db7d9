-- The partner's side of a warm referral. When a coach introduces a participant to a partner
-- organisation, the coach records what the participant agreed to share with that partner, field
-- by field, and the partner contact's email address. The partner gets one signed link per
-- referral (public.access_links, purpose 'referral') to a page that shows only those fields and
-- takes the answer; the answer goes into the path through the workflow. Personal data and
-- addresses stay here: the workflow gets ids and codes only.

create table public.referral_introductions (
  id uuid primary key default gen_random_uuid(),
  -- The path's referral (public.referrals_out.id, made by the workflow): one introduction each.
  referral_id uuid not null unique,
  participant_id uuid not null references public.participants (id),
  site_id uuid not null references public.sites (id),
  partner public.partner not null,
  -- The partner contact's address: not the participant's data, and never in email_log.
  partner_email text not null check (partner_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and length(partner_email) <= 254),
  -- What the participant agreed to share with this partner for this referral.
  shared_fields text[] not null default '{}'
    check (shared_fields <@ array['first_name', 'last_name', 'email', 'phone', 'birth_date', 'note']::text[]),
  -- The coach's introduction for the partner (free text lives in public.notes; erasure deletes it).
  note_id uuid references public.notes (id) on delete set null,
  introduced_by uuid references public.profiles (id),
  introduced_at timestamptz not null default now()
);
comment on table public.referral_introductions is 'A warm referral introduced to a partner: the partner contact''s address and what the participant agreed to share with that partner, field by field; who recorded it and when.';
comment on column public.referral_introductions.shared_fields is 'Consent per referral: first_name, last_name, email, phone, birth_date, note (the coach''s introduction note). Only these appear on the partner''s page.';
create index referral_introductions_participant_idx on public.referral_introductions (participant_id);
create index referral_introductions_site_idx on public.referral_introductions (site_id);

-- One partner link per referral: issuing it twice finds the first.
create unique index access_links_one_per_referral on public.access_links (referral_id) where purpose = 'referral';

alter table public.referral_introductions enable row level security;
revoke all on public.referral_introductions from anon, authenticated;
grant select on public.referral_introductions to authenticated;
grant select, insert, update, delete on public.referral_introductions to service_role;

create policy "referral_introductions: coaches read their participants' rows" on public.referral_introductions
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "referral_introductions: staff read their site's rows" on public.referral_introductions
  for select to authenticated using (site_id = (select private.staff_site_id()));

-- The partner's email goes through the same outbox as every other email (queued in email_log,
-- sent in batches by the dispatcher under the batch's idempotency key). Its row names the
-- introduction; the address is read from there when the batch is rendered, never stored here.
alter type public.email_template add value if not exists 'partner_referral';
alter table public.email_log add column introduction_id uuid references public.referral_introductions (id);
comment on column public.email_log.introduction_id is 'For a partner''s referral email: the introduction it belongs to (the address is read from there when it is sent).';

-- As before, plus the partner's email: it goes only while its link still works (not revoked, not
-- expired) and the participant was not erased. The participant's own email consent does not
-- apply to it: the participant agreed to this introduction, field by field.
create or replace function public.claim_email_batch(p_limit integer)
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
               when l.introduction_id is not null then
                 case
                   when p.erased_at is not null then 'opted_out'
                   when not exists (
                     select 1 from public.access_links a
                      where a.referral_id = i.referral_id and a.purpose = 'referral'
                        and a.revoked_at is null and a.expires_at > now()
                   ) then 'link_revoked'
                 end
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
        left join public.referral_introductions i on i.id = l.introduction_id
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
comment on function public.claim_email_batch(integer) is 'The email dispatcher''s next batch: an unfinished one first, else up to p_limit queued emails with consent decided (a partner''s referral email: while its link works). Service role only.';
revoke all on function public.claim_email_batch(integer) from public, anon, authenticated;
grant execute on function public.claim_email_batch(integer) to service_role;
