-- Functions over the tables: erasure on request, the funder's report, and the lists the scheduled
-- workflows (meet & greet, the coaches' daily digest) work through.

------------------------------------------------------------------------------------------------
-- Erasure: the participant asked to be forgotten (the path workflow calls this once its path has
-- ended). Names, contact details, birth date and every note go; the row keeps its random id, site
-- and codes, so the anonymous figures stay. Nothing else holds personal data: the event tables
-- hold ids, codes and instants; email_log holds no addresses. Idempotent.
create function public.erase_participant(p_participant uuid) returns void
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
end
$$;
comment on function public.erase_participant(uuid) is 'Erases a participant''s personal data and notes, keeps the pseudonymous rows for anonymous figures. Service role only.';
revoke all on function public.erase_participant(uuid) from public, anon, authenticated;
grant execute on function public.erase_participant(uuid) to service_role;

------------------------------------------------------------------------------------------------
-- The yearly meet & greet invites active and former participants who agreed to email and did not
-- opt out (forgotten participants have no address left).
create function public.meet_and_greet_invitees() returns setof uuid
language sql stable security invoker set search_path = ''
as $$
  select p.id
    from public.participants p
   where p.consent_email
     and p.opted_out_at is null
     and p.erased_at is null
     and p.email is not null
     and exists (select 1 from public.paths pa where pa.participant_id = p.id and pa.status in ('active', 'aftercare', 'closed'))
   order by p.id
$$;
comment on function public.meet_and_greet_invitees() is 'Participants to invite to the yearly meet & greet (ids only). Service role only.';
revoke all on function public.meet_and_greet_invitees() from public, anon, authenticated;
grant execute on function public.meet_and_greet_invitees() to service_role;

------------------------------------------------------------------------------------------------
-- The coaches' daily digest: per assignee, open tasks due today and overdue.
create function public.coach_task_digest(p_day_start timestamptz, p_day_end timestamptz)
returns table (coach_id uuid, due int, overdue int)
language sql stable security invoker set search_path = ''
as $$
  select t.assignee_id,
         (count(*) filter (where t.due_at >= p_day_start))::int,
         (count(*) filter (where t.due_at < p_day_start))::int
    from public.tasks t
   where t.status = 'open' and t.assignee_id is not null and t.due_at < p_day_end
   group by t.assignee_id
   order by t.assignee_id
$$;
comment on function public.coach_task_digest(timestamptz, timestamptz) is 'Open tasks per assignee: due in [day start, day end) and overdue (before day start). Service role only.';
revoke all on function public.coach_task_digest(timestamptz, timestamptz) from public, anon, authenticated;
grant execute on function public.coach_task_digest(timestamptz, timestamptz) to service_role;

------------------------------------------------------------------------------------------------
-- The funder's report (ESF and partners) for one site and a period of local dates (inclusive,
-- Europe/Brussels). Anonymous figures only; coordinators of the site and the service role may run
-- it. Shape (every count an integer):
--   site, from, to,
--   intakes, intakes_by_referral_source {source: n}, reentries,
--   participants_per_phase {date, orientation, focus, activation, aftercare}   (at the end of p_to),
--   phase_changes {total, transitions [{from, to, count}]},
--   time_in_phase {phase: {completed_stays, average_days, ongoing_stays, average_days_so_far}}
--     (completed: stays that ended in the period; ongoing: stays still running at the end of p_to),
--   agreements {signed, renewed, completed, expired, stopped, ended_by_outflow},
--   outflow_by_type {type: n},
--   aftercare {due, on_time, late, not_done}   (reconnects due in the period; on time: the
--     reconnect task was done within a day of its due time),
--   attendance_by_kind {kind: {attendances, participants}}   (group moments dated in the period).
create function public.funder_report(p_site uuid, p_from date, p_to date) returns json
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
               'average_days_so_far', (select round(avg(extract(epoch from v_to - st.entered_at) / 86400)::numeric, 1)
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
        'not_done', (count(*) filter (where af.reconnected_at is null))::int)
        from public.aftercare af
       where af.site_id = p_site and af.due_at >= v_from and af.due_at < v_to),
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
comment on function public.funder_report(uuid, date, date) is 'Anonymous figures of one site for a period (ESF report). Coordinators of the site and the service role only.';
revoke all on function public.funder_report(uuid, date, date) from public, anon;
grant execute on function public.funder_report(uuid, date, date) to authenticated, service_role;
