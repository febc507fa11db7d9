-- One database call per batch of a path's effects. The path workflow hands the records, tasks and
-- emails of one workflow task to one (local) activity; that activity calls
-- public.record_path_effects once, through PostgREST's RPC, and the function writes them all, in
-- order, in the one transaction PostgREST runs it in: a batch is written whole or not at all.
--
-- Every write is idempotent on the key the workflow derived from its event, as the activities
-- wrote them before (one PostgREST request each): an event's own row is inserted or kept
-- (on conflict do nothing); rows that events change (a path's phase and status, an agreement,
-- a step, a referral, aftercare) get absolute values, or are guarded by the key that last changed
-- them (last_key, due_key) or by "only while not set yet" (confirmed_at, counted_at, outcome), so
-- a retried batch changes nothing a second time. Times arrive as epoch milliseconds.

------------------------------------------------------------------------------------------------
-- Helpers (private: PostgREST does not expose them).

-- An instant in epoch milliseconds: the same instant the activities wrote before as
-- new Date(ms).toISOString(). Whole seconds and the milliseconds apart, so no float rounding
-- can move it by a microsecond (to_timestamp(ms / 1000.0) may, far enough from 1970); a
-- fraction of a millisecond is cut off, as a JavaScript Date does.
create function private.ms_instant(p_ms numeric) returns timestamptz
language sql stable parallel safe set search_path = ''
as $$
  select to_timestamp(div(trunc(p_ms), 1000)::double precision) + mod(trunc(p_ms), 1000) * interval '1 millisecond'
$$;
comment on function private.ms_instant(numeric) is 'Epoch milliseconds (as the workflow keeps time) to timestamptz.';

-- Who did it, when it is a person: "intake", "partner" and the like are not profiles.
create function private.actor(p_by text) returns uuid
language sql immutable parallel safe set search_path = ''
as $$
  select case when p_by ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then p_by::uuid end
$$;
comment on function private.actor(text) is 'The uuid of the person who did it, or null when "by" is not a person''s id.';

-- A JSON array of codes as a text array, in its order (enum arrays are cast from it).
create function private.text_array(p_codes jsonb) returns text[]
language sql immutable parallel safe set search_path = ''
as $$
  select coalesce(array_agg(c.code order by c.n), '{}') from jsonb_array_elements_text(p_codes) with ordinality as c(code, n)
$$;

------------------------------------------------------------------------------------------------
-- A referral's row as the event has it. The row is made by its first event; a later event of the
-- same referral changes it; a retry of that event finds its key in last_key and changes nothing,
-- so updated_at (the first time the change was seen, when the event carries none) stays.
create function private.write_referral(p_participant uuid, p_site uuid, p_run int, p_key text, r jsonb, p_by text)
returns void
language sql security invoker set search_path = ''
as $$
  insert into public.referrals_out as o
    (id, participant_id, site_id, path_run, partner, status, proposed_at, introduced_at, updated_at, updated_by, note_id, last_key)
  values (
    (r->>'id')::uuid, p_participant, p_site, p_run,
    (r->>'partner')::public.partner,
    (r->>'status')::public.referral_status,
    private.ms_instant((r->>'proposedAt')::numeric),
    private.ms_instant((r->>'introducedAt')::numeric),
    case
      when jsonb_typeof(r->'partnerAnswer') = 'object' then private.ms_instant((r->'partnerAnswer'->>'at')::numeric)
      when r->>'status' = 'introduced' and r->>'introducedAt' is not null then private.ms_instant((r->>'introducedAt')::numeric)
      when r->>'status' = 'proposed' then private.ms_instant((r->>'proposedAt')::numeric)
      else now()
    end,
    private.actor(p_by),
    (r->>'noteId')::uuid,
    p_key)
  on conflict (id) do update
     set partner = excluded.partner, status = excluded.status, proposed_at = excluded.proposed_at,
         introduced_at = excluded.introduced_at, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
         note_id = excluded.note_id, last_key = excluded.last_key
   where o.last_key <> excluded.last_key
$$;

-- The path run's row (the first write wins); returns when the run started.
create function private.start_path_run(p_participant uuid, p_site uuid, p_run int, p_workflow text, p_phase public.phase, p_at timestamptz)
returns timestamptz
language plpgsql security invoker set search_path = ''
as $$
declare
  v_started timestamptz;
begin
  insert into public.paths (participant_id, path_run, site_id, phase, status, started_at, workflow_id)
  values (p_participant, p_run, p_site, p_phase, 'active', p_at, p_workflow)
  on conflict (participant_id, path_run) do nothing;
  select pa.started_at into strict v_started from public.paths pa where pa.participant_id = p_participant and pa.path_run = p_run;
  return v_started;
end
$$;

------------------------------------------------------------------------------------------------
-- One path event: its own rows, then the audit row in path_events last (it says the event was
-- recorded in full). Returns whether it queued an email (the connectors table's invitation).
create function private.record_path_event(p_participant uuid, p_site uuid, p_workflow text, p_run int, p_key text, e jsonb)
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
    insert into public.outflows (key, participant_id, site_id, path_run, outflow_type, outflow_at, recorded_by, note_id)
    values (p_key, p_participant, p_site, p_run, (e->>'outflowType')::public.outflow_type, v_at, private.actor(e->>'by'), (e->>'noteId')::uuid)
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
    -- The new coach takes over what is still open.
    update public.tasks t set assignee_id = (e->>'coachId')::uuid where t.participant_id = p_participant and t.status = 'open';

  when 'path_forgotten' then
    update public.paths pa set status = 'forgotten', ended_at = v_at where pa.participant_id = p_participant and pa.path_run = p_run;

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

------------------------------------------------------------------------------------------------
-- The batch: [{type: 'record', key, pathRun, event} | {type: 'task', key, pathRun, kind, dueAt,
-- coachId, cause} | {type: 'email', key, template, recipient: {participantId} | {coachId}, params}],
-- written in order. Returns whether an email was handed to the outbox (queued now or by an
-- earlier attempt), so the caller wakes the dispatcher. An error names the effect it came from.
create function public.record_path_effects(p_participant uuid, p_site uuid, p_workflow_id text, p_effects jsonb)
returns boolean
language plpgsql security invoker set search_path = ''
as $$
declare
  f jsonb;
  v_key text;
  v_wake boolean := false;
  v_state text;
  v_message text;
  v_detail text;
  v_hint text;
begin
  begin
    for f in select x from jsonb_array_elements(coalesce(p_effects, '[]')) as x loop
      v_key := f->>'key';
      case f->>'type'
      when 'record' then
        if private.record_path_event(p_participant, p_site, p_workflow_id, (f->>'pathRun')::int, v_key, f->'event') then
          v_wake := true;
        end if;
      when 'task' then
        insert into public.tasks (key, participant_id, site_id, path_run, kind, assignee_id, due_at, cause)
        values (
          v_key, p_participant, p_site, (f->>'pathRun')::int, (f->>'kind')::public.task_kind,
          (f->>'coachId')::uuid, private.ms_instant((f->>'dueAt')::numeric), f->>'cause')
        on conflict (key) do nothing;
      when 'email' then
        -- Consent and addresses are looked at when the email's batch is claimed, not here.
        insert into public.email_log (key, template, participant_id, coach_id, status, params)
        values (
          v_key, (f->>'template')::public.email_template,
          (f->'recipient'->>'participantId')::uuid, (f->'recipient'->>'coachId')::uuid,
          'queued', coalesce(f->'params', '{}'))
        on conflict (key) do nothing;
        v_wake := true;
      else
        raise exception 'unknown effect %', coalesce(f->>'type', '(none)') using errcode = '22023', hint = 'UnknownEffect';
      end case;
    end loop;
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    raise exception 'effect %: %', coalesce(v_key, '(no key)'), v_message
      using errcode = v_state, detail = coalesce(v_detail, ''), hint = coalesce(v_hint, '');
  end;
  return v_wake;
end
$$;
comment on function public.record_path_effects(uuid, uuid, text, jsonb) is 'Writes a batch of a path''s effects (records, tasks, queued emails) in order, in one transaction, idempotent on their keys; returns whether to wake the email dispatcher. Service role only (the worker).';

revoke all on function private.ms_instant(numeric), private.actor(text), private.text_array(jsonb),
  private.write_referral(uuid, uuid, int, text, jsonb, text), private.start_path_run(uuid, uuid, int, text, public.phase, timestamptz),
  private.record_path_event(uuid, uuid, text, int, text, jsonb), public.record_path_effects(uuid, uuid, text, jsonb)
  from public, anon, authenticated;
grant execute on function private.ms_instant(numeric), private.actor(text), private.text_array(jsonb),
  private.write_referral(uuid, uuid, int, text, jsonb, text), private.start_path_run(uuid, uuid, int, text, public.phase, timestamptz),
  private.record_path_event(uuid, uuid, text, int, text, jsonb), public.record_path_effects(uuid, uuid, text, jsonb)
  to service_role;
