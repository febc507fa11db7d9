-- ESF+ participant data (README, "ESF+ indicators"): the entry snapshot, its special-category part,
-- and the results after leaving. The codes mirror domain/esf.ts in the same order; every enum
-- of an answer ends in 'refused' ("wil niet antwoorden": asked and not answered, never guessed).
--
-- The rows hold codes, dates and ids only (the age band, never the birth date), so they are the
-- anonymous indicator rows that stay when a participant's personal data is erased.
--
-- Who reads what: a coach the rows of the participants they coach, staff those of their site,
-- except the special-category answers, which only the participant's own coach reads. Nobody
-- writes directly: the API (entry) and the path workflow (results) write with the service role.
-- Coordinators read none of these rows, only the counts of the funder report.

create type public.esf_labour_status as enum ('unemployed', 'long_term_unemployed', 'inactive', 'employed', 'self_employed', 'refused');
create type public.esf_education as enum ('isced_0_2', 'isced_3_4', 'isced_5_8', 'refused');
create type public.esf_gender as enum ('female', 'male', 'non_binary', 'refused');
create type public.esf_yes_no as enum ('yes', 'no', 'refused');
create type public.esf_age_band as enum ('under_18', 'age_18_29', 'age_30_54', 'age_55_plus');
create type public.esf_situation as enum ('job_searching', 'in_employment', 'in_education', 'gained_qualification');
create type public.esf_follow_up_answer as enum ('working', 'not_working', 'refused');
create type public.esf_result_kind as enum ('leaving', 'six_months');

-- Tasks the ESF+ data ask for: staff complete an incomplete entry record, the coach records the
-- result after leaving, and asks six months later.
alter type public.task_kind add value if not exists 'esf_entry_incomplete';
alter type public.task_kind add value if not exists 'esf_leaving_result';
alter type public.task_kind add value if not exists 'esf_follow_up';

------------------------------------------------------------------------------------------------
-- esf_entries: the entry snapshot, one row per version. A correction is a new version (with its
-- reason and who made it); a version never changes.
create table public.esf_entries (
  id uuid primary key default gen_random_uuid(),
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  version int not null check (version >= 1),
  -- The local day (Europe/Brussels) of the participant's first entry into the project; a re-entry
  -- keeps the first entry's data.
  entered_on date not null,
  -- Derived from the birth date on the day of entry; null when it was not known.
  age_band public.esf_age_band,
  labour_status public.esf_labour_status,
  education public.esf_education,
  gender public.esf_gender,
  homeless public.esf_yes_no,
  rural public.esf_yes_no,
  -- The fund's rule: labour status, education, gender answered (not refused) and an age band.
  complete boolean not null,
  -- Why this version corrects the one before (free text, in public.notes); none for version 1.
  reason_note_id uuid references public.notes (id) on delete set null,
  recorded_by uuid references public.profiles (id) on delete set null,
  recorded_at timestamptz not null default now(),
  unique (participant_id, version)
);
comment on table public.esf_entries is 'ESF+ entry snapshot of a participant, versioned: the last version counts; earlier versions stay as the record of corrections. Codes only, kept after erasure.';
create index esf_entries_site_idx on public.esf_entries (site_id, entered_on);

-- esf_entry_special: the special-category answers of a version (GDPR article 9: disability,
-- origin, minority), apart so that they can be closed more tightly than the rest.
create table public.esf_entry_special (
  entry_id uuid primary key references public.esf_entries (id) on delete cascade,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  disability public.esf_yes_no,
  third_country_national public.esf_yes_no,
  foreign_origin public.esf_yes_no,
  minority public.esf_yes_no
);
comment on table public.esf_entry_special is 'Special-category ESF+ answers of an entry version: read only by the participant''s own coach, and as counts by coordinators.';
create index esf_entry_special_participant_idx on public.esf_entry_special (participant_id);

-- A version never changes; only its reason goes when the notes are erased.
create function private.esf_rows_never_change() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_table_name = 'esf_entries' then
    if (to_jsonb(new) - 'reason_note_id') is distinct from (to_jsonb(old) - 'reason_note_id') then
      raise exception 'an ESF+ entry version never changes: record a new version' using errcode = '55000';
    end if;
  elsif to_jsonb(new) is distinct from to_jsonb(old) then
    raise exception 'an ESF+ entry version never changes: record a new version' using errcode = '55000';
  end if;
  return new;
end
$$;
create trigger esf_entries_never_change before update on public.esf_entries
  for each row execute function private.esf_rows_never_change();
create trigger esf_entry_special_never_change before update on public.esf_entry_special
  for each row execute function private.esf_rows_never_change();

------------------------------------------------------------------------------------------------
-- esf_results: what the participant's situation was after a leaving (the path run that ended
-- with outflow). 'leaving': the situations within 28 days (the last one observed in the window
-- counts); 'six_months': whether they work six months after leaving. Written by the path.
create table public.esf_results (
  id uuid primary key default gen_random_uuid(),
  key text not null unique,
  participant_id uuid not null references public.participants (id) on delete cascade,
  site_id uuid not null references public.sites (id),
  -- The run whose outflow this result is about.
  path_run int not null,
  kind public.esf_result_kind not null,
  observed_on date not null,
  situations public.esf_situation[],
  follow_up public.esf_follow_up_answer,
  -- Who answered: the coach (recorded_by) or the participant on their own page.
  source text not null check (source in ('coach', 'participant')),
  recorded_by uuid references public.profiles (id) on delete set null,
  recorded_at timestamptz not null,
  check ((kind = 'leaving' and situations is not null and follow_up is null)
      or (kind = 'six_months' and follow_up is not null and situations is null)),
  check (not (situations @> '{job_searching,in_employment}' or situations @> '{in_education,gained_qualification}'))
);
comment on table public.esf_results is 'ESF+ results after a leaving: the situations within 28 days, and work six months later. Codes only, kept after erasure.';
create index esf_results_participant_idx on public.esf_results (participant_id, path_run, kind, observed_on);
create index esf_results_site_idx on public.esf_results (site_id, kind);

------------------------------------------------------------------------------------------------
revoke all on table public.esf_entries, public.esf_entry_special, public.esf_results from anon, authenticated;
grant select, insert, update, delete on table public.esf_entries, public.esf_entry_special, public.esf_results to service_role;
alter table public.esf_entries enable row level security;
alter table public.esf_entry_special enable row level security;
alter table public.esf_results enable row level security;
grant select on table public.esf_entries, public.esf_entry_special, public.esf_results to authenticated;

create policy "esf_entries: coaches read their participants' rows" on public.esf_entries
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "esf_entries: staff read their site's rows" on public.esf_entries
  for select to authenticated using (site_id = (select private.staff_site_id()));
create policy "esf_entry_special: only the participant's own coach reads them" on public.esf_entry_special
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "esf_results: coaches read their participants' rows" on public.esf_results
  for select to authenticated using (participant_id in (select private.coached_participant_ids()));
create policy "esf_results: staff read their site's rows" on public.esf_results
  for select to authenticated using (site_id = (select private.staff_site_id()));
revoke all on function private.esf_rows_never_change() from public, anon, authenticated;
