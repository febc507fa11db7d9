-- ESF+ after a leaving, written by the path (domain/path-rules.ts): the event esf_result_recorded
-- (a leaving result within the window, or the answer six months later, from the coach or the
-- participant) writes public.esf_results, idempotent on its key, and settles the task that went
-- out for it (esf_leaving_result, esf_follow_up), as aftercare_closed settles the reconnect task.
-- The participant's question six months after leaving is an email of its own.

alter type public.email_template add value if not exists 'esf_follow_up_question';

-- The days a leaving's results are about, as the path computed them from the timings it runs
-- with (domain/path-rules.ts leavingDates): the last day of the result window and the day of the
-- six-month follow-up. The report reads them, so the path and the report count the same window.
-- The event outflow_recorded carries them (resultWindowEnds, followUpOn). Null for outflows recorded
-- before, and for outflows of runs from before the ESF+ timers (they have no leaving; the report
-- falls back to the fund's 28 days and 6 months).
alter table public.outflows add column result_window_ends date, add column follow_up_on date;
comment on column public.outflows.result_window_ends is 'ESF+: the last day a situation after this leaving counts as its result (the path''s window).';
comment on column public.outflows.follow_up_on is 'ESF+: the day of the six-month follow-up of this leaving.';

-- The function of 20261129160000_record_path_effects.sql, with the new event and the outflow's
-- ESF+ days (the rest unchanged).
create or replace function private.record_path_event(p_participant uuid, p_site uuid, p_workflow text, p_run int, p_key text, e jsonb)
returns boolean
language plpgsql security invoker set search_path = ''
as $$
declare
  v_type text := e->>'type';
  v_at timestamptz := case when jsonb_typeof(e->'at') = 'number' then private.ms_instant((e->>'at')::numeric) end;
  v_intake timestamptz;
  v_started timestamptz;
  v_moment_id uuid;
  v_moment_date date;
  v_queued boolean := false;
begin
  case v_type
  when 'path_started' then
    -- The event carries the intake time; histories recorded before it did fall back to the
    -- participant row's (written just before the path started), to the millisecond as before.
    v_intake := v_at;
    if v_intake is null then
      select date_trunc('milliseconds', p.created_at) into v_intake from public.participants p where p.id = p_participant;
      if v_intake is null then
        raise exception 'read intake: participant % not found', p_participant using errcode = 'P0002';
      end if;
    end if;
    v_started := private.start_path_run(p_participant, p_site, p_run, p_workflow, (e->>'phase')::public.phase, v_intake);
    insert into public.phase_changes (key, participant_id, site_id, path_run, from_phase, to_phase, reason, changed_by, changed_at)
    values (p_key, p_participant, p_site, p_run, null, (e->>'phase')::public.phase, null, null, v_started)
    on conflict (key) do nothing;
    insert into public.referrals_in (key, participant_id, site_id, path_run, source, referred_at)
    values (p_key, p_participant, p_site, p_run, (e->>'referralSource')::public.referral_source, v_started)
    on conflict (key) do nothing;

  when 'path_reentered' then
    update public.paths pa set status = 'closed', ended_at = v_at
     where pa.participant_id = p_participant and pa.path_run = (e->>'previousRun')::int and pa.status in ('active', 'aftercare');
    perform private.start_path_run(p_participant, p_site, p_run, p_workflow, (e->>'phase')::public.phase, v_at);
    -- Back through the intake desk: the new referral counts as an intake of this run.
    if coalesce(e->>'referralSource', '') <> '' then
      insert into public.referrals_in (key, participant_id, site_id, path_run, source, referred_at)
      values (p_key, p_participant, p_site, p_run, (e->>'referralSource')::public.referral_source, v_at)
      on conflict (key) do nothing;
    end if;

  when 'phase_changed' then
    insert into public.phase_changes
      (key, participant_id, site_id, path_run, from_phase, to_phase, reason, changed_by, changed_at, note_id, crisis_signalled_at, agreement_choice)
    values (
      p_key, p_participant, p_site, p_run,
      (e->'change'->>'from')::public.phase,
      (e->'change'->>'to')::public.phase,
      (e->'change'->>'reason')::public.phase_change_reason,
      private.actor(e->'change'->>'by'),
      private.ms_instant((e->'change'->>'at')::numeric),
      (e->'change'->>'noteId')::uuid,
      private.ms_instant((e->'change'->>'crisisAt')::numeric),
      (e->'change'->>'agreementChoice')::public.agreement_choice)
    on conflict (key) do nothing;
    update public.paths pa set phase = (e->'change'->>'to')::public.phase
     where pa.participant_id = p_participant and pa.path_run = p_run;

  when 'crisis_signalled' then
    insert into public.crises (key, participant_id, site_id, path_run, kind, signalled_by, signalled_at, proposed_phase, moved, note_id)
    values (
      p_key, p_participant, p_site, p_run,
      (e->'crisis'->>'kind')::public.crisis_kind,
      private.actor(e->'crisis'->>'by'),
      private.ms_instant((e->'crisis'->>'at')::numeric),
      (e->'crisis'->>'proposed')::public.phase,
      (e->'crisis'->>'moved')::boolean,
      (e->'crisis'->>'noteId')::uuid)
    on conflict (key) do nothing;

  when 'agreement_signed' then
    insert into public.agreements
      (key, participant_id, site_id, path_run, id, coach_id, signed_at, start_date, end_date, commitments, privileges, goal_note_id, status, renewals)
    values (
      p_key, p_participant, p_site, p_run,
      (e->'agreement'->>'id')::uuid,
      private.actor(e->'agreement'->>'coachId'),
      private.ms_instant((e->'agreement'->>'signedAt')::numeric),
      (e->'agreement'->>'startDate')::date,
      (e->'agreement'->>'endDate')::date,
      private.text_array(e->'agreement'->'commitments')::public.group_moment_kind[],
      private.text_array(e->'agreement'->'privileges')::public.privilege[],
      (e->'agreement'->>'goalNoteId')::uuid,
      (e->'agreement'->>'status')::public.agreement_status,
      (e->'agreement'->>'renewals')::int)
    on conflict (id) do nothing;

  when 'agreement_renewed' then
    insert into public.agreement_renewals (key, participant_id, site_id, path_run, agreement_id, renewal, start_date, end_date, renewed_at)
    values (
      p_key, p_participant, p_site, p_run,
      (e->>'agreementId')::uuid, (e->>'renewals')::int, (e->>'startDate')::date, (e->>'endDate')::date,
      coalesce(v_at, now()))
    on conflict (key) do nothing;
    update public.agreements a set start_date = (e->>'startDate')::date, end_date = (e->>'endDate')::date, renewals = (e->>'renewals')::int
     where a.id = (e->>'agreementId')::uuid;

  when 'agreement_ended' then
    update public.agreements a set status = (e->>'status')::public.agreement_status, ended_at = v_at, paused_at = null
     where a.id = (e->>'agreementId')::uuid;

  when 'agreement_confirmed' then
    -- The first confirmation's time stays (the workflow allows one; a retry finds it set).
    update public.agreements a set confirmed_at = v_at where a.id = (e->>'agreementId')::uuid and a.confirmed_at is null;

  when 'agreement_paused' then
    update public.agreements a set paused_at = v_at where a.id = (e->>'agreementId')::uuid;

  when 'agreement_resumed' then
    update public.agreements a set paused_at = null, end_date = (e->>'endDate')::date where a.id = (e->>'agreementId')::uuid;

  when 'contact_logged' then
    insert into public.contacts (key, participant_id, site_id, path_run, kind, contact_at, logged_by, note_id)
    values (p_key, p_participant, p_site, p_run, (e->>'kind')::public.contact_kind, v_at, private.actor(e->>'by'), (e->>'noteId')::uuid)
    on conflict (key) do nothing;

  when 'attendance_logged' then
    insert into public.attendance (key, participant_id, site_id, path_run, kind, moment_date, logged_at, logged_by)
    values (p_key, p_participant, p_site, p_run, (e->>'kind')::public.group_moment_kind, (e->>'date')::date, v_at, private.actor(e->>'by'))
    on conflict (key) do nothing;
    -- The moment's register shows it was counted on the path (the first time stays).
    if coalesce(e->>'momentId', '') <> '' then
      update public.group_moment_attendance g set counted_at = v_at
       where g.moment_id = (e->>'momentId')::uuid and g.participant_id = p_participant and g.counted_at is null;
    end if;

  when 'connectors_table_invited' then
    -- The next connectors table of the site on or after the crisis's day (in Brussels), or pending
    -- until one is planned (public.plan_group_moment then attaches it and queues the email).
    select m.moment_id, m.moment_date into v_moment_id, v_moment_date
      from public.invite_to_next_connectors_table(p_key, p_participant, p_site, (v_at at time zone 'Europe/Brussels')::date) m
     limit 1;
    if v_moment_id is not null then
      -- The same key as staff's invitations to that moment (domain/codes.ts groupMomentEmailKey):
      -- one email, whoever invites.
      insert into public.email_log (key, template, participant_id, status, params)
      values (
        'group_moment/connectors_table/' || to_char(v_moment_date, 'YYYY-MM-DD') || '/' || p_participant::text,
        'group_moment_invitation', p_participant, 'queued',
        jsonb_build_object('kind', 'connectors_table', 'date', to_char(v_moment_date, 'YYYY-MM-DD')))
      on conflict (key) do nothing;
      v_queued := true;
    end if;

  when 'crisis_confirmed' then
    -- Absolute values: writing them twice is writing them once.
    update public.crises c set moved = true, confirmed_at = v_at
     where c.participant_id = p_participant and c.path_run = p_run and c.signalled_at = private.ms_instant((e->>'crisisAt')::numeric);

  when 'step_validated' then
    update public.steps s
       set status = 'done',
           validated_at = private.ms_instant((e->'validation'->>'at')::numeric),
           validated_by = private.actor(e->'validation'->>'by'),
           evidence = (e->'validation'->>'evidence')::public.step_evidence,
           evidence_note_id = (e->'validation'->>'noteId')::uuid
     where s.id = (e->>'stepId')::uuid;

  when 'step_registered' then
    -- A later registration of the same step changes it; a retry of one (its key in last_key)
    -- writes the values it wrote already, so it is skipped.
    insert into public.steps as s (id, agreement_id, participant_id, site_id, path_run, status, registered_at, registered_by, note_id, last_key)
    values (
      (e->'step'->>'id')::uuid,
      (e->>'agreementId')::uuid,
      p_participant, p_site,
      coalesce((e->'step'->>'pathRun')::int, p_run),
      (e->'step'->>'status')::public.step_status,
      private.ms_instant((e->'step'->>'at')::numeric),
      private.actor(e->>'by'),
      (e->'step'->>'noteId')::uuid,
      p_key)
    on conflict (id) do update
       set agreement_id = excluded.agreement_id, participant_id = excluded.participant_id, site_id = excluded.site_id,
           path_run = excluded.path_run, status = excluded.status, registered_at = excluded.registered_at,
           registered_by = excluded.registered_by, note_id = excluded.note_id, last_key = excluded.last_key
     where s.last_key <> excluded.last_key;

  when 'referral_out_changed' then
    perform private.write_referral(p_participant, p_site, p_run, p_key, e->'referral', e->>'by');

  when 'referral_answered' then
    -- The partner has no profile: no one is named as the one who changed it.
    perform private.write_referral(p_participant, p_site, p_run, p_key, e->'referral', null);
    -- The follow-up task that already went out is done once the partner answered. Only an open
    -- task changes, so a retry (or a coach who closed it first) changes nothing.
    if coalesce(e->>'settlesTask', '') <> '' then
      update public.tasks t set status = 'done'
       where t.participant_id = p_participant and t.kind = 'referral_follow_up' and t.cause = e->>'settlesTask' and t.status = 'open';
    end if;

  when 'outflow_recorded' then
    -- ESF+: the leaving's window end and follow-up day as the path computed them (absent for
    -- outflows of runs from before the ESF+ timers: those have no leaving, the columns stay null).
    insert into public.outflows (key, participant_id, site_id, path_run, outflow_type, outflow_at, recorded_by, note_id, result_window_ends, follow_up_on)
    values (
      p_key, p_participant, p_site, p_run, (e->>'outflowType')::public.outflow_type, v_at, private.actor(e->>'by'), (e->>'noteId')::uuid,
      (e->>'resultWindowEnds')::date, (e->>'followUpOn')::date)
    on conflict (key) do nothing;
    insert into public.aftercare (participant_id, path_run, site_id, outflow_at)
    values (p_participant, p_run, p_site, v_at)
    on conflict (participant_id, path_run) do nothing;
    update public.paths pa set status = 'aftercare' where pa.participant_id = p_participant and pa.path_run = p_run;

  when 'aftercare_reconnected' then
    update public.aftercare a set due_at = v_at, due_key = p_key
     where a.participant_id = p_participant and a.path_run = p_run and a.due_key is null;
    update public.paths pa set status = 'closed', ended_at = v_at where pa.participant_id = p_participant and pa.path_run = p_run;

  when 'aftercare_due' then
    update public.aftercare a set due_at = v_at, due_key = p_key
     where a.participant_id = p_participant and a.path_run = p_run and a.due_key is null;

  when 'aftercare_closed' then
    update public.aftercare a
       set outcome = (e->>'outcome')::public.aftercare_outcome,
           reconnected_at = case when e->>'outcome' = 'reached' then v_at else a.reconnected_at end
     where a.participant_id = p_participant and a.path_run = p_run and a.outcome is null;
    -- The reconnect conversation is the reconnect task done; only an open task changes.
    if coalesce(e->>'settlesTask', '') <> '' then
      update public.tasks t set status = 'done', completed_at = v_at, completed_by = private.actor(e->>'by')
       where t.participant_id = p_participant and t.kind = 'aftercare_reconnect' and t.cause = e->>'settlesTask'
         and t.path_run = p_run and t.status = 'open';
    end if;
    update public.paths pa set status = 'closed', ended_at = v_at where pa.participant_id = p_participant and pa.path_run = p_run;

  when 'coach_assigned' then
    update public.participants p set coach_id = (e->>'coachId')::uuid where p.id = p_participant;
    -- The new coach takes over what is still open, except staff's own work: completing the
    -- ESF+ entry record stays with the site's staff (unassigned).
    update public.tasks t set assignee_id = (e->>'coachId')::uuid
     where t.participant_id = p_participant and t.status = 'open' and t.kind <> 'esf_entry_incomplete';

  when 'path_forgotten' then
    update public.paths pa set status = 'forgotten', ended_at = v_at where pa.participant_id = p_participant and pa.path_run = p_run;

  when 'esf_result_recorded' then
    -- ESF+: a result after a leaving, about the run that ended with it (the event's pathRun; the
    -- record's own run may be a later one, after a re-entry). Every one is kept (the report takes
    -- the last observed in the window); a retry finds its key.
    insert into public.esf_results (key, participant_id, site_id, path_run, kind, observed_on, situations, follow_up, source, recorded_by, recorded_at)
    values (
      p_key, p_participant, p_site, (e->>'pathRun')::int,
      (e->>'kind')::public.esf_result_kind,
      (e->>'observedOn')::date,
      case when e->>'kind' = 'leaving' then private.text_array(coalesce(e->'situations', '[]'))::public.esf_situation[] end,
      (e->>'followUp')::public.esf_follow_up_answer,
      e->>'source',
      private.actor(e->>'by'),
      v_at)
    on conflict (key) do nothing;
    -- The task that already went out for it is done; only an open task changes, so a retry (or a
    -- coach who marked it done first) changes nothing.
    if coalesce(e->>'settlesTask', '') <> '' then
      update public.tasks t set status = 'done', completed_at = v_at, completed_by = private.actor(e->>'by')
       where t.participant_id = p_participant
         and t.kind = (case when e->>'kind' = 'leaving' then 'esf_leaving_result' else 'esf_follow_up' end)::public.task_kind
         and t.cause = e->>'settlesTask' and t.path_run = (e->>'pathRun')::int and t.status = 'open';
    end if;

  else
    raise exception 'unknown path event %', coalesce(v_type, '(none)') using errcode = '22023', hint = 'UnknownPathEvent';
  end case;

  -- Last: the audit row says the event was recorded in full. Its time is the event's own when it
  -- carries one, else when it was first recorded.
  insert into public.path_events (key, participant_id, site_id, path_run, type, payload, at)
  values (p_key, p_participant, p_site, p_run, v_type, e, coalesce(v_at, now()))
  on conflict (key) do nothing;
  return v_queued;
end
$$;
