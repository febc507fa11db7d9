-- The ESF+ indicators of a site for a period (README, "ESF+ indicators" → "The report and its
-- CSV"), and what the report's charts need beside public.funder_report: the participants per
-- phase at each month end of the period.
--
-- Who counts (a period is [p_from, p_to], local days in Europe/Brussels):
--   * entries: participants whose entry day (esf_entries.entered_on of their last version) lies in
--     the period, plus those whose first path (run 1) started in the period at the site without
--     any entry record. The entry indicators are counted from the last version, only when it is
--     complete; the incomplete ones are counted beside, with why (core item refused or missing,
--     no record at all).
--   * leavers: participants whose LAST leaving (outflow) up to the end of the period falls in the
--     period: a re-entry is one participant, with the exit and results of that last leaving. The
--     result is the last leaving result of that run observed in [day of leaving, last day of the
--     window] (latest observed_on, then latest recorded_at); none in the window: "no result". The
--     window's last day is the one the path stored on the leaving (outflows.result_window_ends,
--     from the timings it ran with); leavings recorded before it have none and get the fund's 28
--     days, the path's default (domain/timings.ts esfResultWindow).
--   * six months: participants with a leaving whose six-month day (outflows.follow_up_on, else
--     the day of leaving + 6 calendar months, the path's default esfFollowUpAfter) falls in the
--     period and has come (not after today, or its answer is in); with several, the last such leaving. A participant who left
--     again later in the period still counts for the earlier leaving's six months, so the months
--     of a quarter add up to the quarter. The last answer for that leaving counts.
--   Leavers and six-month results are counted for participants with a complete entry record; the
--   others are counted beside as incomplete.
-- Erased participants count like everyone else: these rows hold codes only (no names, no birth
-- date is read here).
--
-- Statistical disclosure control of the special-category answers (disability, third-country
-- national, foreign origin, minority; README "The report and its CSV"): a coordinator chooses
-- the period, so a one-day period around one known intake would read that person's answers
-- from the counts. The special block is therefore shown only when the period has at least
-- c_special_min_participants complete entries (else `disclosed` is false and `items` null), and
-- a cell of 1 to c_special_suppressed_below - 1 is null ("<5"); when an item has exactly one such
-- cell, its smallest other non-zero cell is null too, or the published total (`complete`) would
-- give it back by subtraction. The two constants are defined here only: the JSON carries them
-- (min_participants, suppressed_below), the API and the page read them from there, and a test
-- holds the README to them.

create function public.esf_report(p_site uuid, p_from date, p_to date) returns json
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_from timestamptz;
  v_to timestamptz;
  v_today date;
  c_special_min_participants constant int := 10;
  c_special_suppressed_below constant int := 5;
  v_entries json;
  v_leavers json;
  v_six json;
begin
  if p_site is null or p_from is null or p_to is null or p_to < p_from then
    raise exception 'esf_report: give a site and a period with from <= to' using errcode = '22023';
  end if;
  if coalesce((select auth.role()), '') <> 'service_role' and not (select private.is_coordinator_of(p_site)) then
    raise exception 'esf_report: only the coordinators of this site may read its figures' using errcode = '42501';
  end if;
  v_from := p_from::timestamp at time zone 'Europe/Brussels';
  v_to := (p_to + 1)::timestamp at time zone 'Europe/Brussels';
  v_today := (now() at time zone 'Europe/Brussels')::date;

  ------------------------------------------------------------------------------------------------
  -- Entries.
  with last_entry as (
    select distinct on (e.participant_id) e.*
      from public.esf_entries e
     where e.participant_id in (select s.participant_id from public.esf_entries s where s.site_id = p_site)
     order by e.participant_id, e.version desc
  ),
  entrants as (
    select le.* from last_entry le where le.site_id = p_site and le.entered_on between p_from and p_to
  ),
  without_record as (
    select pa.participant_id
      from public.paths pa
     where pa.site_id = p_site and pa.started_at >= v_from and pa.started_at < v_to
       and not exists (select 1 from public.paths p0 where p0.participant_id = pa.participant_id and p0.path_run < pa.path_run)
       and not exists (select 1 from public.esf_entries e where e.participant_id = pa.participant_id)
  ),
  answers as (
    select a.item, coalesce(a.code, 'not_answered') as code
      from entrants en
      left join public.esf_entry_special sp on sp.entry_id = en.id
     cross join lateral (values
        ('age_band', en.age_band::text), ('labour_status', en.labour_status::text), ('education', en.education::text),
        ('gender', en.gender::text), ('homeless', en.homeless::text), ('rural', en.rural::text),
        ('disability', sp.disability::text), ('third_country_national', sp.third_country_national::text),
        ('foreign_origin', sp.foreign_origin::text), ('minority', sp.minority::text)) a (item, code)
     where en.complete
  ),
  -- Every answer a table shows, zeros included, in the order of the enums (those of domain/esf.ts).
  -- The core items of a complete record are never refused or missing: their tables list the values.
  codes (item, code, ord) as (
    select 'age_band', c::text, n from unnest(enum_range(null::public.esf_age_band)) with ordinality u (c, n)
    union all select 'labour_status', c::text, n from unnest(enum_range(null::public.esf_labour_status)) with ordinality u (c, n) where c <> 'refused'
    union all select 'education', c::text, n from unnest(enum_range(null::public.esf_education)) with ordinality u (c, n) where c <> 'refused'
    union all select 'gender', c::text, n from unnest(enum_range(null::public.esf_gender)) with ordinality u (c, n) where c <> 'refused'
    union all select i.item, c::text, n
      from (values ('homeless'), ('rural'), ('disability'), ('third_country_national'), ('foreign_origin'), ('minority')) i (item)
     cross join lateral (select u.c::text, u.n from unnest(enum_range(null::public.esf_yes_no)) with ordinality u (c, n)
                         union all select 'not_answered', 99) y (c, n)
  ),
  tables as (
    select co.item, json_object_agg(co.code, (select count(*)::int from answers a where a.item = co.item and a.code = co.code) order by co.ord) as counts
      from codes co
     group by co.item
  ),
  incomplete as (
    select en.* from entrants en where not en.complete
  ),
  special_cells as (
    select co.item, co.code, co.ord, n.n, n.n between 1 and c_special_suppressed_below - 1 as small
      from codes co
     cross join lateral (select count(*)::int as n from answers a where a.item = co.item and a.code = co.code) n
     where co.item in ('disability', 'third_country_national', 'foreign_origin', 'minority')
  ),
  -- An item with exactly one small cell: its smallest other non-zero cell is hidden with it.
  secondary as (
    select distinct on (sc.item) sc.item, sc.code
      from special_cells sc
     where not sc.small and sc.n > 0
       and (select count(*) from special_cells x where x.item = sc.item and x.small) = 1
     order by sc.item, sc.n, sc.ord
  ),
  special_tables as (
    select sc.item,
           json_object_agg(sc.code, case when sc.small or exists (select 1 from secondary x where x.item = sc.item and x.code = sc.code) then null else sc.n end
                           order by sc.ord) as counts
      from special_cells sc
     group by sc.item
  ),
  disclosure as (
    select (select count(*) from entrants where complete) >= c_special_min_participants as disclosed
  )
  select json_build_object(
    'participants', (select count(*)::int from entrants) + (select count(*)::int from without_record),
    'complete', (select count(*)::int from entrants where complete),
    'incomplete', (select count(*)::int from incomplete) + (select count(*)::int from without_record),
    'incomplete_detail', json_build_object(
      'without_record', (select count(*)::int from without_record),
      'refused', json_build_object(
        'labour_status', (select count(*)::int from incomplete i where i.labour_status = 'refused'),
        'education', (select count(*)::int from incomplete i where i.education = 'refused'),
        'gender', (select count(*)::int from incomplete i where i.gender = 'refused')),
      'missing', json_build_object(
        'labour_status', (select count(*)::int from incomplete i where i.labour_status is null),
        'education', (select count(*)::int from incomplete i where i.education is null),
        'gender', (select count(*)::int from incomplete i where i.gender is null),
        'age_band', (select count(*)::int from incomplete i where i.age_band is null))),
    'labour_status', (select t.counts from tables t where t.item = 'labour_status'),
    -- The fund's subtotals: unemployed including the long-term unemployed, of which long-term;
    -- inactive; employed including the self-employed, of which self-employed.
    'labour_status_totals', (
      select json_build_object(
        'unemployed_incl_long_term', count(*) filter (where a.code in ('unemployed', 'long_term_unemployed')),
        'long_term_unemployed', count(*) filter (where a.code = 'long_term_unemployed'),
        'inactive', count(*) filter (where a.code = 'inactive'),
        'employed_incl_self_employed', count(*) filter (where a.code in ('employed', 'self_employed')),
        'self_employed', count(*) filter (where a.code = 'self_employed'))
        from answers a where a.item = 'labour_status'),
    'education', (select t.counts from tables t where t.item = 'education'),
    'gender', (select t.counts from tables t where t.item = 'gender'),
    'age_band', (select t.counts from tables t where t.item = 'age_band'),
    'homeless', (select t.counts from tables t where t.item = 'homeless'),
    'rural', (select t.counts from tables t where t.item = 'rural'),
    -- Special-category answers: counts only (the rows stay unreadable), under disclosure control.
    'special', json_build_object(
      'disclosed', (select d.disclosed from disclosure d),
      'min_participants', c_special_min_participants,
      'suppressed_below', c_special_suppressed_below,
      'items', case when (select d.disclosed from disclosure d) then json_build_object(
        'disability', (select t.counts from special_tables t where t.item = 'disability'),
        'third_country_national', (select t.counts from special_tables t where t.item = 'third_country_national'),
        'foreign_origin', (select t.counts from special_tables t where t.item = 'foreign_origin'),
        'minority', (select t.counts from special_tables t where t.item = 'minority')) end)
  ) into v_entries;

  ------------------------------------------------------------------------------------------------
  -- Leavers, their exit and their result within the window (the fund's 28 days by default).
  with last_leaving as (
    select distinct on (o.participant_id) o.participant_id, o.site_id, o.path_run, o.outflow_type, o.outflow_at,
           (o.outflow_at at time zone 'Europe/Brussels')::date as left_on,
           coalesce(o.result_window_ends, (o.outflow_at at time zone 'Europe/Brussels')::date + 28) as window_ends
      from public.outflows o
     where o.outflow_at < v_to
       and o.participant_id in (select s.participant_id from public.outflows s where s.site_id = p_site)
     order by o.participant_id, o.outflow_at desc, o.path_run desc
  ),
  leavers as (
    select ll.*, coalesce((select e.complete from public.esf_entries e where e.participant_id = ll.participant_id order by e.version desc limit 1), false) as complete
      from last_leaving ll
     where ll.site_id = p_site and ll.outflow_at >= v_from
  ),
  result28 as (
    select distinct on (r.participant_id) r.participant_id, r.situations
      from public.esf_results r
      join leavers l on l.participant_id = r.participant_id and l.path_run = r.path_run
     where r.kind = 'leaving' and l.complete and r.observed_on between l.left_on and l.window_ends
     order by r.participant_id, r.observed_on desc, r.recorded_at desc
  )
  select json_build_object(
    'participants', (select count(*)::int from leavers),
    'complete', (select count(*)::int from leavers where complete),
    'incomplete', (select count(*)::int from leavers where not complete),
    -- The windows the counted results were looked for in, in days (28 unless the path ran with another).
    'result_window_days', (select coalesce(json_agg(w.days order by w.days), '[]'::json)
                             from (select distinct l.window_ends - l.left_on as days from leavers l where l.complete) w),
    'outflow_type', (
      select json_object_agg(u.c, (select count(*)::int from leavers l where l.complete and l.outflow_type = u.c) order by u.n)
        from unnest(enum_range(null::public.outflow_type)) with ordinality u (c, n)),
    'result_28_days', (
      select json_object_agg(t.code, t.count order by t.n)
        from (select s.c::text as code, s.n, (select count(*)::int from result28 r where s.c = any (r.situations)) as count
                from unnest(enum_range(null::public.esf_situation)) with ordinality s (c, n)
              union all select 'none_of_these', 98, (select count(*)::int from result28 r where cardinality(r.situations) = 0)
              union all select 'no_result', 99, (select count(*)::int from leavers l where l.complete and not exists (select 1 from result28 r where r.participant_id = l.participant_id))) t)
  ) into v_leavers;

  ------------------------------------------------------------------------------------------------
  -- Six months after leaving: per participant the last leaving whose six-month day has come in the
  -- period. It has come when the calendar says so, or when its answer is in (the path takes an
  -- answer from that day on; so a database clock behind the workflows' does not hide it).
  with leavings as (
    select o.participant_id, o.path_run, o.outflow_at,
           coalesce(o.follow_up_on, ((o.outflow_at at time zone 'Europe/Brussels')::date + interval '6 months')::date) as follow_up_on
      from public.outflows o
     where o.site_id = p_site
  ),
  last_due as (
    select distinct on (l.participant_id) l.*
      from leavings l
     where l.follow_up_on between p_from and p_to
       and (l.follow_up_on <= v_today
            or exists (select 1 from public.esf_results r
                        where r.participant_id = l.participant_id and r.path_run = l.path_run and r.kind = 'six_months'))
     order by l.participant_id, l.follow_up_on desc, l.outflow_at desc, l.path_run desc
  ),
  due as (
    select ld.*, coalesce((select e.complete from public.esf_entries e where e.participant_id = ld.participant_id order by e.version desc limit 1), false) as complete
      from last_due ld
  ),
  answer as (
    select d.participant_id,
           (select r.follow_up::text from public.esf_results r
             where r.participant_id = d.participant_id and r.path_run = d.path_run and r.kind = 'six_months'
             order by r.observed_on desc, r.recorded_at desc limit 1) as follow_up
      from due d where d.complete
  )
  select json_build_object(
    'participants', (select count(*)::int from due),
    'complete', (select count(*)::int from due where complete),
    'incomplete', (select count(*)::int from due where not complete),
    'follow_up', (
      select json_object_agg(t.code, (select count(*)::int from answer a where coalesce(a.follow_up, 'no_answer') = t.code) order by t.n)
        from (select c::text as code, n from unnest(enum_range(null::public.esf_follow_up_answer)) with ordinality u (c, n)
              union all select 'no_answer', 99) t)
  ) into v_six;

  return json_build_object('site', p_site, 'from', p_from, 'to', p_to, 'entries', v_entries, 'leavers', v_leavers, 'six_months', v_six);
end
$$;
comment on function public.esf_report(uuid, date, date) is 'ESF+ indicators of one site for a period (entries, leavers and their results within the window, six months after leaving). Counts only, special-category answers under disclosure control; coordinators of the site and the service role.';
revoke all on function public.esf_report(uuid, date, date) from public, anon;
grant execute on function public.esf_report(uuid, date, date) to authenticated, service_role;

------------------------------------------------------------------------------------------------
-- Participants per phase over the period, for the report's chart: at the end of each month of
-- the period and at the end of the period (days after today are measured today instead), counted
-- as funder_report's participants_per_phase counts them at the end of its last day.
create function public.participants_per_phase_series(p_site uuid, p_from date, p_to date) returns json
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_today date;
  v_result json;
begin
  if p_site is null or p_from is null or p_to is null or p_to < p_from then
    raise exception 'participants_per_phase_series: give a site and a period with from <= to' using errcode = '22023';
  end if;
  if coalesce((select auth.role()), '') <> 'service_role' and not (select private.is_coordinator_of(p_site)) then
    raise exception 'participants_per_phase_series: only the coordinators of this site may read its figures' using errcode = '42501';
  end if;
  v_today := (now() at time zone 'Europe/Brussels')::date;

  with runs as (
    select pa.participant_id, pa.path_run, pa.ended_at, o.outflow_at
      from public.paths pa
      left join public.outflows o on o.participant_id = pa.participant_id and o.path_run = pa.path_run
     where pa.site_id = p_site
  ),
  stays as (
    select pc.to_phase::text as phase,
           pc.changed_at as entered_at,
           least(lead(pc.changed_at) over (partition by pc.participant_id, pc.path_run order by pc.changed_at, pc.id),
                 r.outflow_at, r.ended_at) as left_at
      from public.phase_changes pc
      join runs r on r.participant_id = pc.participant_id and r.path_run = pc.path_run
  ),
  points as (
    select distinct least(d, v_today) as day
      from (select (date_trunc('month', g) + interval '1 month' - interval '1 day')::date as d
              from generate_series(date_trunc('month', p_from::timestamp), date_trunc('month', p_to::timestamp), interval '1 month') g
            union select p_to) x
     where x.d between p_from and p_to
  ),
  instants as (
    select pt.day, (pt.day + 1)::timestamp at time zone 'Europe/Brussels' as t from points pt where pt.day >= p_from
  )
  select coalesce(json_agg(json_build_object(
           'date', i.day,
           'orientation', (select count(*)::int from stays st where st.phase = 'orientation' and st.entered_at < i.t and (st.left_at is null or st.left_at >= i.t)),
           'focus', (select count(*)::int from stays st where st.phase = 'focus' and st.entered_at < i.t and (st.left_at is null or st.left_at >= i.t)),
           'activation', (select count(*)::int from stays st where st.phase = 'activation' and st.entered_at < i.t and (st.left_at is null or st.left_at >= i.t)),
           'aftercare', (select count(*)::int from runs r where r.outflow_at < i.t and (r.ended_at is null or r.ended_at >= i.t)))
         order by i.day), '[]'::json)
    from instants i
    into v_result;
  return v_result;
end
$$;
comment on function public.participants_per_phase_series(uuid, date, date) is 'Participants per phase (and in aftercare) at each month end of the period and at its end (not after today). Coordinators of the site and the service role.';
revoke all on function public.participants_per_phase_series(uuid, date, date) from public, anon;
grant execute on function public.participants_per_phase_series(uuid, date, date) to authenticated, service_role;
