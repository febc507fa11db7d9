-- The complete path, as the methodology has it:
--   * a phase change that makes the move an earlier crisis proposed is linked to that crisis
--     (crises.confirmed_at, phase_changes.crisis_signalled_at): the crisis counts as moved;
--   * a move back to orientation with a running agreement records the coach's choice for it
--     (continue, pause, end); a paused agreement keeps when it was paused (agreements.paused_at);
--   * aftercare ends with the reconnect conversation or after a grace period (aftercare.outcome).
-- The funder report counts crises (moved at once, later, not), the choices, and aftercare's outcome.

create type public.agreement_choice as enum ('continue', 'pause', 'end');
create type public.aftercare_outcome as enum ('reached', 'not_reached');

alter table public.crises add column confirmed_at timestamptz;
comment on column public.crises.confirmed_at is 'When a later phase change made the move this crisis proposed (moved is then true).';

alter table public.phase_changes
  add column crisis_signalled_at timestamptz,
  add column agreement_choice public.agreement_choice;
comment on column public.phase_changes.crisis_signalled_at is 'The crisis whose proposed move this change made later, by the instant it was signalled.';
comment on column public.phase_changes.agreement_choice is 'A move back to orientation while an agreement ran: whether it continued, paused or ended.';

alter table public.agreements add column paused_at timestamptz;
comment on column public.agreements.paused_at is 'Set while the agreement is paused; at the resume its end_date moves by the pause.';

alter table public.aftercare add column outcome public.aftercare_outcome;
comment on column public.aftercare.outcome is 'How aftercare ended: the reconnect conversation (reached) or the grace period without it (not_reached); null for paths before the grace rule.';

create or replace function public.funder_report(p_site uuid, p_from date, p_to date) returns json
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_from timestamptz;
  v_to timestamptz;
  v_result json;
begin
  if p_site is null or p_from is null or p_to is null or p_to < p_from then
    raise exception 'funder_report: give a site and a period with from <= to' using errcode = '22023';
  end if;
  if coalesce((select auth.role()), '') <> 'service_role' and not (select private.is_coordinator_of(p_site)) then
    raise exception 'funder_report: only the coordinators of this site may read its figures' using errcode = '42501';
  end if;
  v_from := p_from::timestamp at time zone 'Europe/Brussels';
  v_to := (p_to + 1)::timestamp at time zone 'Europe/Brussels';

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
  phases (phase) as (values ('orientation'), ('focus'), ('activation'))
  select json_build_object(
    'site', p_site,
    'from', p_from,
    'to', p_to,
    'intakes', (select count(*)::int from public.referrals_in ri where ri.site_id = p_site and ri.referred_at >= v_from and ri.referred_at < v_to),
    'intakes_by_referral_source', (
      select coalesce(json_object_agg(s.source, s.n order by s.source), '{}'::json)
        from (select ri.source::text as source, count(*)::int as n
                from public.referrals_in ri
               where ri.site_id = p_site and ri.referred_at >= v_from and ri.referred_at < v_to
               group by ri.source) s),
    'reentries', (select count(*)::int from public.phase_changes pc
                   where pc.site_id = p_site and pc.reason = 're_entry' and pc.changed_at >= v_from and pc.changed_at < v_to),
    'participants_per_phase', (
      select json_build_object(
        'date', p_to,
        'orientation', count(*) filter (where st.phase = 'orientation'),
        'focus', count(*) filter (where st.phase = 'focus'),
        'activation', count(*) filter (where st.phase = 'activation'),
        'aftercare', (select count(*)::int from runs r where r.outflow_at < v_to and (r.ended_at is null or r.ended_at >= v_to)))
        from stays st
       where st.entered_at < v_to and (st.left_at is null or st.left_at >= v_to)),
    'phase_changes', (
      select json_build_object(
        'total', coalesce(sum(t.n), 0)::int,
        'transitions', coalesce(json_agg(json_build_object('from', t.from_phase, 'to', t.to_phase, 'count', t.n) order by t.from_phase, t.to_phase), '[]'::json))
        from (select pc.from_phase, pc.to_phase, count(*)::int as n
                from public.phase_changes pc
               where pc.site_id = p_site and pc.from_phase is not null and pc.changed_at >= v_from and pc.changed_at < v_to
               group by pc.from_phase, pc.to_phase) t),
    'time_in_phase', (
      select json_object_agg(ph.phase, json_build_object(
               'completed_stays', (select count(*)::int from stays st where st.phase = ph.phase and st.left_at >= v_from and st.left_at < v_to),
               'average_days', (select round(avg(extract(epoch from st.left_at - st.entered_at) / 86400)::numeric, 1)
                                 from stays st where st.phase = ph.phase and st.left_at >= v_from and st.left_at < v_to),
               'ongoing_stays', (select count(*)::int from stays st
                                 where st.phase = ph.phase and st.entered_at < v_to and (st.left_at is null or st.left_at >= v_to)),
               'average_days_so_far', (select round(avg(extract(epoch from least(v_to, now()) - st.entered_at) / 86400)::numeric, 1)
                                      from stays st
                                     where st.phase = ph.phase and st.entered_at < v_to and (st.left_at is null or st.left_at >= v_to)))
             order by ph.phase)
        from phases ph),
    'agreements', json_build_object(
      'signed', (select count(*)::int from public.agreements a where a.site_id = p_site and a.signed_at >= v_from and a.signed_at < v_to),
      'renewed', (select count(*)::int from public.agreement_renewals ar where ar.site_id = p_site and ar.renewed_at >= v_from and ar.renewed_at < v_to),
      'completed', (select count(*)::int from public.agreements a where a.site_id = p_site and a.status = 'completed' and a.ended_at >= v_from and a.ended_at < v_to),
      'expired', (select count(*)::int from public.agreements a where a.site_id = p_site and a.status = 'expired' and a.ended_at >= v_from and a.ended_at < v_to),
      'stopped', (select count(*)::int from public.agreements a where a.site_id = p_site and a.status = 'stopped' and a.ended_at >= v_from and a.ended_at < v_to),
      'ended_by_outflow', (select count(*)::int from public.agreements a where a.site_id = p_site and a.status = 'ended_by_outflow' and a.ended_at >= v_from and a.ended_at < v_to)),
    'outflow_by_type', (
      select coalesce(json_object_agg(o.outflow_type, o.n order by o.outflow_type), '{}'::json)
        from (select ou.outflow_type::text as outflow_type, count(*)::int as n
                from public.outflows ou
               where ou.site_id = p_site and ou.outflow_at >= v_from and ou.outflow_at < v_to
               group by ou.outflow_type) o),
    'aftercare', (
      select json_build_object(
        'due', count(*)::int,
        'on_time', (count(*) filter (where af.reconnected_at is not null and af.reconnected_at <= af.due_at + interval '1 day'))::int,
        'late', (count(*) filter (where af.reconnected_at > af.due_at + interval '1 day'))::int,
        'not_done', (count(*) filter (where af.reconnected_at is null))::int,
        'reached', (count(*) filter (where af.outcome = 'reached'))::int,
        'not_reached', (count(*) filter (where af.outcome = 'not_reached'))::int)
        from public.aftercare af
       where af.site_id = p_site and af.due_at >= v_from and af.due_at < v_to),
    'crises', (
      select coalesce(json_object_agg(k.kind, json_build_object(
               'signalled', k.signalled, 'moved_at_once', k.at_once, 'moved_later', k.later, 'not_moved', k.not_moved) order by k.kind), '{}'::json)
        from (select c.kind::text as kind,
                     count(*)::int as signalled,
                     (count(*) filter (where c.moved and c.confirmed_at is null))::int as at_once,
                     (count(*) filter (where c.moved and c.confirmed_at is not null))::int as later,
                     (count(*) filter (where not c.moved))::int as not_moved
                from public.crises c
               where c.site_id = p_site and c.signalled_at >= v_from and c.signalled_at < v_to
               group by c.kind) k),
    'moves_back_with_agreement', (
      select json_build_object(
        'continue', (count(*) filter (where pc.agreement_choice = 'continue'))::int,
        'pause', (count(*) filter (where pc.agreement_choice = 'pause'))::int,
        'end', (count(*) filter (where pc.agreement_choice = 'end'))::int)
        from public.phase_changes pc
       where pc.site_id = p_site and pc.agreement_choice is not null and pc.changed_at >= v_from and pc.changed_at < v_to),
    'attendance_by_kind', (
      select coalesce(json_object_agg(k.kind, json_build_object('attendances', k.n, 'participants', k.people) order by k.kind), '{}'::json)
        from (select at.kind::text as kind, count(*)::int as n, count(distinct at.participant_id)::int as people
                from public.attendance at
               where at.site_id = p_site and at.moment_date between p_from and p_to
               group by at.kind) k)
  ) into v_result;
  return v_result;
end
$$;
