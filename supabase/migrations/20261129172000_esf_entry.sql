-- Recording the ESF+ entry snapshot (README, "ESF+ indicators" → "Entry snapshot"): one function
-- the API calls with the service role, so that a version, its special-category part, the reason
-- of a correction and the staff task are written in one transaction, and the special answers a
-- correction leaves alone are carried forward here, inside the database: staff never read them
-- back to write them again.
--
-- The answer columns and the `complete` rule are written out below, not derived from
-- domain/esf.ts (plpgsql cannot read it): tests/data-esf-entry.test.ts holds the accepted keys
-- equal to the columns of ESF_ENTRY_ITEMS and `complete` equal to entryIsComplete.
--
--   p_participant    the participant
--   p_by             who records (profiles.id): the intake's staff member, the coach, staff;
--                    also the author of the reason note
--   p_answers        {column: code} of public.esf_entries and public.esf_entry_special; a column
--                    absent (or null) is not changed: the version before's answer is carried forward
--   p_entered_on     the local day of entry (Europe/Brussels); only for version 1 (later versions keep it)
--   p_age_band       derived by the API from the birth date on that day (domain/esf.ts ageBandOn);
--                    only for version 1 (later versions keep it)
--   p_reason         why a correction is made: written here as a note (public.notes, author p_by),
--                    so a refused or failed call leaves no reason behind; required for version > 1
--   p_task_due       when the staff task is due, if this version opens it
--   p_path_run       the path run the task belongs to (the API knows it: at a re-entry, the new
--                    run); null: the participant's latest run in public.paths, else 1
--   p_reads_special  whether p_by may read the special-category answers (the participant's own
--                    coach). Who may not learns nothing of them from the answer: for them a special
--                    answer sent always makes a version, never the refusal "unchanged".
--   p_first_only     the intake: record version 1 only when the participant has no record at all.
--                    A retried intake and a re-entry find the record there and change nothing.
--
-- Returns {entry_id, version, complete, recorded}: recorded is false when p_first_only found a record.
-- Refusals (the API answers them in Dutch): esf_participant_unknown, esf_participant_erased,
-- esf_reason_missing (400), esf_entry_unchanged (409), esf_answer_unknown (400; DETAIL: the key).

create function public.record_esf_entry(
  p_participant uuid,
  p_by uuid,
  p_answers jsonb,
  p_entered_on date,
  p_age_band public.esf_age_band,
  p_reason text,
  p_task_due timestamptz,
  p_path_run int,
  p_reads_special boolean,
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
  v_reason text := nullif(btrim(coalesce(p_reason, '')), '');
  v_note uuid;
  v_specials_same boolean;
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
    -- The message alone names the refusal (the API looks it up as it is); the key is the detail.
    raise exception 'esf_answer_unknown' using errcode = 'P0001', detail = v_unknown;
  end if;

  select * into v_last from public.esf_entries where participant_id = p_participant order by version desc limit 1;
  if found then
    if p_first_only then
      return jsonb_build_object('entry_id', v_last.id, 'version', v_last.version, 'complete', v_last.complete, 'recorded', false);
    end if;
    if v_reason is null then
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
  -- The special answers count only for who may read them: someone else who sends one gets a
  -- version, whether or not it equals the stored answer, so the refusal tells them nothing.
  if p_reads_special then
    v_specials_same := (v_special.disability, v_special.third_country_national, v_special.foreign_origin, v_special.minority)
      is not distinct from (v_last_special.disability, v_last_special.third_country_national, v_last_special.foreign_origin, v_last_special.minority);
  else
    v_specials_same := not exists (select 1 from jsonb_object_keys(v_answers) k where k in ('disability', 'third_country_national', 'foreign_origin', 'minority'));
  end if;
  if v_last.id is not null and v_specials_same
     and (v_new.labour_status, v_new.education, v_new.gender, v_new.homeless, v_new.rural)
         is not distinct from (v_last.labour_status, v_last.education, v_last.gender, v_last.homeless, v_last.rural) then
    raise exception 'esf_entry_unchanged' using errcode = 'P0001';
  end if;

  -- The reason, in this transaction: a refused or failed correction leaves none behind.
  if v_last.id is not null then
    insert into public.notes (participant_id, author_id, body) values (p_participant, p_by, v_reason) returning id into v_note;
  end if;
  v_new.reason_note_id := v_note;

  insert into public.esf_entries select v_new.*;
  insert into public.esf_entry_special select v_special.*;

  -- The staff task: one per participant (its key), open while a core question is unanswered (null)
  -- or the age band is missing. A refusal is an answer: staff asked and recorded it, so it needs
  -- no task, although the record stays incomplete for the fund (`complete` above). The version
  -- that leaves no core question unanswered settles the open task, by whoever recorded it. A
  -- task once closed (settled, done by hand, cancelled at erasure) is never opened again.
  v_key := 'esf_entry_incomplete/' || p_participant;
  if v_new.age_band is not null and v_new.labour_status is not null and v_new.education is not null and v_new.gender is not null then
    update public.tasks set status = 'done', completed_at = now(), completed_by = p_by
     where key = v_key and status = 'open';
  else
    if p_task_due is null then
      raise exception 'esf_task_due_missing' using errcode = 'P0001';
    end if;
    v_run := coalesce(p_path_run, (select max(path_run) from public.paths where participant_id = p_participant), 1);
    insert into public.tasks (key, participant_id, site_id, path_run, kind, assignee_id, due_at, cause)
    values (v_key, p_participant, v_site, v_run, 'esf_entry_incomplete', null, p_task_due, 'esf_entry/' || v_new.version)
    -- Open already: it stays as it is (the first due date counts). Closed: it stays closed.
    on conflict (key) do nothing;
  end if;

  return jsonb_build_object('entry_id', v_new.id, 'version', v_new.version, 'complete', v_new.complete, 'recorded', true);
end
$$;
comment on function public.record_esf_entry(uuid, uuid, jsonb, date, public.esf_age_band, text, timestamptz, int, boolean, boolean) is
  'Records the next version of a participant''s ESF+ entry snapshot (carrying forward what it does not change, special answers included) with the reason of a correction as a note, and opens or settles the staff task. Service role only.';
revoke all on function public.record_esf_entry(uuid, uuid, jsonb, date, public.esf_age_band, text, timestamptz, int, boolean, boolean) from public, anon, authenticated;
grant execute on function public.record_esf_entry(uuid, uuid, jsonb, date, public.esf_age_band, text, timestamptz, int, boolean, boolean) to service_role;

-- Which special-category questions of a version were answered (a refusal included), without the
-- answers: what staff see of them ("ingevuld"). The API reads the answers themselves only for
-- the participant's own coach; for anyone else it asks this, so the values never reach it.
-- Security definer: it reads the table with its owner's rights, so the API's service role needs
-- no read of the answers for it (tests/api-esf-entry.test.ts takes that read away to prove it).
create function public.esf_special_answered(p_entry uuid) returns text[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(e.key order by e.key), '{}')
    from public.esf_entry_special s,
         jsonb_each(to_jsonb(s) - 'entry_id' - 'participant_id' - 'site_id') e
   where s.entry_id = p_entry and e.value <> 'null'::jsonb
$$;
comment on function public.esf_special_answered(uuid) is
  'The columns of public.esf_entry_special answered in a version (refusals included), without the answers. Service role only.';
revoke all on function public.esf_special_answered(uuid) from public, anon, authenticated;
grant execute on function public.esf_special_answered(uuid) to service_role;
