-- Recording the ESF+ entry snapshot (README, "ESF+ indicators" → "Entry snapshot"): one function
-- the API calls with the service role, so that a version, its special-category part and the
-- staff task are written in one transaction, and the special answers a correction leaves alone
-- are carried forward here, inside the database: staff never read them back to write them again.
--
--   p_participant  the participant
--   p_by           who records (profiles.id): the intake's staff member, the coach, staff
--   p_answers      {column: code} of public.esf_entries and public.esf_entry_special; a column
--                  absent (or null) is not changed: the version before's answer is carried forward
--   p_entered_on   the local day of entry (Europe/Brussels); only for version 1 (later versions keep it)
--   p_age_band     derived by the API from the birth date on that day (domain/esf.ts ageBandOn);
--                  only for version 1 (later versions keep it)
--   p_reason_note  why a correction is made (public.notes); required for version > 1
--   p_task_due     when the task to complete the record is due, if this version is incomplete
--   p_first_only   the intake: record version 1 only when the participant has no record at all.
--                  A retried intake and a re-entry find the record there and change nothing.
--
-- Returns {entry_id, version, complete, recorded}: recorded is false when p_first_only found a record.
-- Refusals (the API answers them in Dutch): esf_participant_unknown, esf_participant_erased,
-- esf_reason_missing (400), esf_entry_unchanged (409), esf_answer_unknown (400).

create function public.record_esf_entry(
  p_participant uuid,
  p_by uuid,
  p_answers jsonb,
  p_entered_on date,
  p_age_band public.esf_age_band,
  p_reason_note uuid,
  p_task_due timestamptz,
  p_first_only boolean default false
) returns jsonb
language plpgsql security invoker set search_path = ''
as $$
declare
  v_site uuid;
  v_erased timestamptz;
  v_last public.esf_entries;
  v_last_special public.esf_entry_special;
  v_new public.esf_entries;
  v_special public.esf_entry_special;
  v_answers jsonb := jsonb_strip_nulls(coalesce(p_answers, '{}'::jsonb));
  v_unknown text;
  v_run int;
  v_key text;
begin
  -- One writer per participant at a time: the next version number, the carry-forward and the
  -- task are decided on what is there, not on what a concurrent call is writing.
  select site_id, erased_at into v_site, v_erased from public.participants where id = p_participant for update;
  if not found then
    raise exception 'esf_participant_unknown' using errcode = 'P0001';
  end if;
  if v_erased is not null then
    raise exception 'esf_participant_erased' using errcode = 'P0001';
  end if;
  select k into v_unknown from jsonb_object_keys(v_answers) k
   where k not in ('labour_status', 'education', 'gender', 'homeless', 'rural', 'disability', 'third_country_national', 'foreign_origin', 'minority')
   limit 1;
  if v_unknown is not null then
    raise exception 'esf_answer_unknown: %', v_unknown using errcode = 'P0001';
  end if;

  select * into v_last from public.esf_entries where participant_id = p_participant order by version desc limit 1;
  if found then
    if p_first_only then
      return jsonb_build_object('entry_id', v_last.id, 'version', v_last.version, 'complete', v_last.complete, 'recorded', false);
    end if;
    if p_reason_note is null then
      raise exception 'esf_reason_missing' using errcode = 'P0001';
    end if;
    select * into v_last_special from public.esf_entry_special where entry_id = v_last.id;
  end if;

  v_new.id := gen_random_uuid();
  v_new.participant_id := p_participant;
  v_new.site_id := v_site;
  v_new.version := coalesce(v_last.version, 0) + 1;
  -- The day of entry and the age band are those of the first entry: a correction does not move them.
  v_new.entered_on := coalesce(v_last.entered_on, p_entered_on);
  v_new.age_band := case when v_last.id is null then p_age_band else v_last.age_band end;
  v_new.labour_status := coalesce((v_answers ->> 'labour_status')::public.esf_labour_status, v_last.labour_status);
  v_new.education := coalesce((v_answers ->> 'education')::public.esf_education, v_last.education);
  v_new.gender := coalesce((v_answers ->> 'gender')::public.esf_gender, v_last.gender);
  v_new.homeless := coalesce((v_answers ->> 'homeless')::public.esf_yes_no, v_last.homeless);
  v_new.rural := coalesce((v_answers ->> 'rural')::public.esf_yes_no, v_last.rural);
  -- domain/esf.ts entryIsComplete: the core questions answered, none refused, and an age band.
  v_new.complete := v_new.age_band is not null
    and v_new.labour_status is not null and v_new.labour_status <> 'refused'
    and v_new.education is not null and v_new.education <> 'refused'
    and v_new.gender is not null and v_new.gender <> 'refused';
  v_new.reason_note_id := case when v_last.id is null then null else p_reason_note end;
  v_new.recorded_by := p_by;
  v_new.recorded_at := now();
  if v_new.entered_on is null then
    raise exception 'esf_entered_on_missing' using errcode = 'P0001';
  end if;

  v_special.entry_id := v_new.id;
  v_special.participant_id := p_participant;
  v_special.site_id := v_site;
  v_special.disability := coalesce((v_answers ->> 'disability')::public.esf_yes_no, v_last_special.disability);
  v_special.third_country_national := coalesce((v_answers ->> 'third_country_national')::public.esf_yes_no, v_last_special.third_country_national);
  v_special.foreign_origin := coalesce((v_answers ->> 'foreign_origin')::public.esf_yes_no, v_last_special.foreign_origin);
  v_special.minority := coalesce((v_answers ->> 'minority')::public.esf_yes_no, v_last_special.minority);

  -- A correction that changes nothing is no new version (and a retried correction makes none).
  if v_last.id is not null
     and (v_new.labour_status, v_new.education, v_new.gender, v_new.homeless, v_new.rural)
         is not distinct from (v_last.labour_status, v_last.education, v_last.gender, v_last.homeless, v_last.rural)
     and (v_special.disability, v_special.third_country_national, v_special.foreign_origin, v_special.minority)
         is not distinct from (v_last_special.disability, v_last_special.third_country_national, v_last_special.foreign_origin, v_last_special.minority) then
    raise exception 'esf_entry_unchanged' using errcode = 'P0001';
  end if;

  insert into public.esf_entries select v_new.*;
  insert into public.esf_entry_special select v_special.*;

  -- The staff task: one per participant (its key), open while the record is incomplete, done by
  -- whoever recorded the complete version. Nobody is assigned: staff of the site see it.
  v_key := 'esf_entry_incomplete/' || p_participant;
  if v_new.complete then
    update public.tasks set status = 'done', completed_at = now(), completed_by = p_by
     where key = v_key and status = 'open';
  else
    if p_task_due is null then
      raise exception 'esf_task_due_missing' using errcode = 'P0001';
    end if;
    select coalesce(max(path_run), 1) into v_run from public.paths where participant_id = p_participant;
    insert into public.tasks (key, participant_id, site_id, path_run, kind, assignee_id, due_at, cause)
    values (v_key, p_participant, v_site, v_run, 'esf_entry_incomplete', null, p_task_due, 'esf_entry/' || v_new.version)
    on conflict (key) do update
      set status = 'open', due_at = excluded.due_at, path_run = excluded.path_run, cause = excluded.cause
      -- Still open: it stays as it was (the first due date counts). Closed by hand or by an
      -- earlier complete version, and now incomplete again: open again.
      where public.tasks.status <> 'open';
  end if;

  return jsonb_build_object('entry_id', v_new.id, 'version', v_new.version, 'complete', v_new.complete, 'recorded', true);
end
$$;
comment on function public.record_esf_entry(uuid, uuid, jsonb, date, public.esf_age_band, uuid, timestamptz, boolean) is
  'Records the next version of a participant''s ESF+ entry snapshot (carrying forward what it does not change, special answers included), and opens or settles the staff task. Service role only.';
revoke all on function public.record_esf_entry(uuid, uuid, jsonb, date, public.esf_age_band, uuid, timestamptz, boolean) from public, anon, authenticated;
grant execute on function public.record_esf_entry(uuid, uuid, jsonb, date, public.esf_age_band, uuid, timestamptz, boolean) to service_role;
