-- Signed links for the people who have no account: a participant's own page and a partner's
-- answer to a warm referral. The link itself carries the participant, the purpose and the expiry
-- under a signature (activities/access-links.ts); this table lets a coach revoke a link, lets
-- erasure kill every link of a person, and keeps a record of every time a link was used.

create type public.access_link_purpose as enum ('participant_page', 'referral');

create table public.access_links (
  id uuid primary key default gen_random_uuid(),
  participant_id uuid not null references public.participants (id),
  site_id uuid not null references public.sites (id),
  purpose public.access_link_purpose not null,
  -- The path's referral this link answers (purpose 'referral' only).
  referral_id uuid,
  expires_at timestamptz not null,
  -- Who made the link: a coach or staff member, or null when the system made it for an email.
  created_by uuid references public.profiles (id),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by uuid references public.profiles (id),
  constraint access_links_referral_check check ((purpose = 'referral') = (referral_id is not null))
);
comment on table public.access_links is 'Signed links for people without an account (a participant''s own page, a partner''s referral answer): expiry, revocation, who made them. The token is never stored.';
create index access_links_participant_idx on public.access_links (participant_id, purpose, expires_at);
create index access_links_site_idx on public.access_links (site_id);

create table public.access_link_views (
  id bigint generated always as identity primary key,
  link_id uuid not null references public.access_links (id),
  participant_id uuid not null references public.participants (id),
  site_id uuid not null references public.sites (id),
  -- 'view' for opening the page, or what the person did there (e.g. 'agreement_confirmed').
  action text not null default 'view' check (action ~ '^[a-z_]{1,40}$'),
  at timestamptz not null default now()
);
comment on table public.access_link_views is 'Every use of a signed link: each view, and each thing done on the page. No addresses, no user agents.';
create index access_link_views_link_idx on public.access_link_views (link_id, at);
create index access_link_views_participant_idx on public.access_link_views (participant_id, at);

alter table public.access_links enable row level security;
alter table public.access_link_views enable row level security;
revoke all on public.access_links, public.access_link_views from anon, authenticated;
grant select on public.access_links, public.access_link_views to authenticated;
grant all on public.access_links, public.access_link_views to service_role;
grant usage on sequence public.access_link_views_id_seq to service_role;

create policy "access_links: coaches read their participants' rows" on public.access_links
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "access_links: staff read their site's rows" on public.access_links
  for select to authenticated using (site_id = (select private.staff_site_id()));
create policy "access_link_views: coaches read their participants' rows" on public.access_link_views
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "access_link_views: staff read their site's rows" on public.access_link_views
  for select to authenticated using (site_id = (select private.staff_site_id()));

-- Erasure also kills every link of the person (the page checks erased_at as well).
create or replace function public.erase_participant(p_participant uuid) returns void
language plpgsql security invoker set search_path = ''
as $$
begin
  delete from public.notes where participant_id = p_participant;
  update public.participants
     set first_name = null, last_name = null, birth_date = null, email = null, phone = null,
         identity_key = null, consent_email = false,
         erased_at = coalesce(erased_at, now())
   where id = p_participant;
  update public.tasks set status = 'cancelled' where participant_id = p_participant and status = 'open';
  update public.access_links set revoked_at = coalesce(revoked_at, now()) where participant_id = p_participant;
end
$$;
