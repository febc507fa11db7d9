-- Steps belong to the person, not to one growth agreement. Ambitions are cut into small steps
-- from orientation on; a coach validates a step (who, when, what shows it) and a validated step
-- stays with the participant across agreements, outflow and re-entry. The table keeps its rows
-- and policies; it only loses its tie to a single agreement.

alter table public.agreement_steps rename to steps;
alter table public.steps alter column agreement_id drop not null;
alter table public.steps drop constraint agreement_steps_agreement_id_fkey;
alter table public.steps
  add constraint steps_agreement_id_fkey foreign key (agreement_id) references public.agreements (id) on delete set null;
alter index public.agreement_steps_agreement_idx rename to steps_agreement_idx;
alter index public.agreement_steps_participant_idx rename to steps_participant_idx;
alter index public.agreement_steps_site_idx rename to steps_site_idx;
alter policy "agreement_steps: coaches read their participants' rows" on public.steps rename to "steps: coaches read their participants' rows";
alter policy "agreement_steps: staff read their site's rows" on public.steps rename to "steps: staff read their site's rows";

-- What shows that a step was taken.
create type public.step_evidence as enum ('observed', 'group_moment', 'partner', 'certificate', 'work');

alter table public.steps
  add column validated_at timestamptz,
  add column validated_by uuid,
  add column evidence public.step_evidence,
  -- Free text about the evidence, in public.notes (erased with the rest).
  add column evidence_note_id uuid,
  add constraint steps_validation_complete check ((validated_at is null) = (evidence is null));

comment on table public.steps is 'The small steps a participant takes, from orientation on; the agreement they were set in, if any. A validated step (validated_at, by, evidence) travels with the person across agreements, outflow and re-entry.';
comment on column public.steps.note_id is 'The step itself, in the participant''s words (public.notes).';
comment on column public.steps.path_run is 'The path run in which the step was first set.';
