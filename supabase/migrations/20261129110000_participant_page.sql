-- The participant's own page (/mijn-pad/…): the participant confirms their growth agreement
-- ("akkoord") through the path workflow, which records the moment here once (the first write
-- wins, so a retried activity keeps the first time). The coach reads it on the participant page.
-- The links, their views and what was done on the page live in access_links and
-- access_link_views (20261129100000_access_links.sql); nothing else is needed.

alter table public.agreements add column confirmed_at timestamptz;
comment on column public.agreements.confirmed_at is 'When the participant confirmed the agreement on their own page (set once, by the path workflow).';

-- The table's grants and policies (select for coaches of the participant and staff of the site,
-- everything for the service role) cover the new column; said again here so the column's reach
-- is explicit: only the workflow (service role) writes it.
revoke update (confirmed_at) on public.agreements from authenticated;
grant select (confirmed_at) on public.agreements to authenticated;
