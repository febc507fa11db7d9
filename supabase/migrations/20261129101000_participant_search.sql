-- The participant list of a real site: searched by name and paged in the database. The function
-- runs as the caller (security invoker), so row-level security decides which participants it
-- sees: the API calls it with the signed-in person's own token.

create index participants_list_idx on public.participants (site_id, last_name, first_name, id) where erased_at is null;

create function public.list_participants(
  p_site uuid,
  p_coach uuid default null,
  p_phase public.phase default null,
  p_search text default null,
  p_limit integer default 25,
  p_offset integer default 0
)
returns table (
  id uuid,
  first_name text,
  last_name text,
  site_id uuid,
  coach_id uuid,
  created_at timestamptz,
  phase public.phase,
  status public.path_status,
  path_run integer,
  total bigint
)
language sql stable security invoker set search_path = ''
as $$
  with latest as (
    select distinct on (pa.participant_id) pa.participant_id, pa.phase, pa.status, pa.path_run
      from public.paths pa
     where pa.site_id = p_site
     order by pa.participant_id, pa.path_run desc
  ), words as (
    -- Every word of the search must occur in the name (accents and case as typed are ignored
    -- for case only; "peet" finds "Peeters", "an pee" finds "Anna Peeters").
    select '%' || replace(replace(replace(lower(w), '\', '\\'), '%', '\%'), '_', '\_') || '%' as pattern
      from regexp_split_to_table(btrim(coalesce(p_search, '')), '\s+') as w
     where w <> ''
  ), found as (
    select p.id, p.first_name, p.last_name, p.site_id, p.coach_id, p.created_at, l.phase, l.status, l.path_run
      from public.participants p
      left join latest l on l.participant_id = p.id
     where p.site_id = p_site
       and p.erased_at is null
       and (p_coach is null or p.coach_id = p_coach)
       and (p_phase is null or l.phase = p_phase)
       and not exists (
         select 1 from words w
          where lower(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')) not like w.pattern
       )
  )
  select f.*, count(*) over () as total
    from found f
   order by lower(f.last_name), lower(f.first_name), f.id
   limit least(greatest(p_limit, 1), 100)
  offset greatest(p_offset, 0)
$$;
comment on function public.list_participants(uuid, uuid, public.phase, text, integer, integer) is
  'A page of the participants of a site that the caller may see (row-level security), optionally of one coach, in one phase, matching every word of a name search; total is the number of matches.';
revoke all on function public.list_participants(uuid, uuid, public.phase, text, integer, integer) from public, anon;
grant execute on function public.list_participants(uuid, uuid, public.phase, text, integer, integer) to authenticated, service_role;
