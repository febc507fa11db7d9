import { ESF_FOLLOW_UP_ANSWERS, ESF_FOLLOW_UP_RECORDED_LABELS, ESF_SITUATIONS, ESF_SITUATION_LABELS } from '../../../domain/esf.js';
import type { LeavingView } from '../../../domain/path-state.js';
import { OUTFLOW_LABELS } from '../../../domain/codes.js';
import { CheckboxGroup, FormProblems, RadioGroup, TextField, optionsFrom, type Options } from '../components.js';
import { valuesOf, type FormState, type FormValues } from '../form-input.js';
import { ACTION_TITLES, formatDate } from '../labels.js';
import type { OpenForm, ParticipantPageData, Spec } from './participant.js';

/**
 * ESF+ after a leaving, on the participant page (README, "ESF+ indicators" → "Leaving and six
 * months later"): every leaving of the person with its result within the window and the answer
 * six months later, the coach's form for the situation (`recordLeavingResult`) and for the answer
 * (`recordFollowUp`). The forms post to the participant page's action route like every action;
 * the codes and labels come from domain/esf.ts.
 */

/** The checkbox for "none of these": empty situations, as opposed to none ticked ("not known yet" at outflow). */
export const NO_SITUATION = 'none';
const NO_SITUATION_LABEL = 'Geen van deze';
const SITUATION_OPTIONS: Options = [...optionsFrom(ESF_SITUATIONS, ESF_SITUATION_LABELS), [NO_SITUATION, NO_SITUATION_LABEL]];
const SITUATIONS_MISSING = `Vink aan wat de deelnemer nu doet, of "${NO_SITUATION_LABEL}".`;
const NONE_AND_SOME = `"${NO_SITUATION_LABEL}" gaat niet samen met een andere situatie.`;

/** The outflow form's field: the situation at leaving, when the coach already knows it. */
export const SITUATIONS_AT_OUTFLOW: Spec = {
  name: 'situations',
  label: 'ESF: situatie bij uitstroom, als je ze al kent',
  kind: 'checkboxes',
  options: SITUATION_OPTIONS,
  hint: 'Niets aangevinkt: nog niet gekend. Dan komt er na de periode voor het resultaat een taak om ze te noteren.',
};

export function esfSpecs(type: 'recordLeavingResult' | 'recordFollowUp'): Spec[] {
  if (type === 'recordFollowUp') {
    return [{ name: 'answer', label: 'Werkt de deelnemer op dit moment?', kind: 'radio', options: optionsFrom(ESF_FOLLOW_UP_ANSWERS, ESF_FOLLOW_UP_RECORDED_LABELS) }];
  }
  return [
    { name: 'situations', label: 'Wat doet de deelnemer?', kind: 'checkboxes', options: SITUATION_OPTIONS, hint: 'Alles wat klopt. Werkzoekend en aan het werk sluiten elkaar uit, net als onderwijs volgen en een kwalificatie behaald.' },
    { name: 'observedOn', label: 'Op welke dag was dat zo?', kind: 'date', hint: 'Leeg laten: vandaag. Een dag in de periode hierboven; de laatste situatie in die periode telt.' },
  ];
}

const HAS_SITUATIONS: ReadonlySet<string> = new Set(['outflow', 'recordLeavingResult']);
const HAS_LEAVING_RUN: ReadonlySet<string> = new Set(['recordLeavingResult', 'recordFollowUp']);

/**
 * The form's ticked situations as the action takes them: "none of these" is the empty list; at
 * outflow nothing ticked is "not known yet" (no field at all). The leaving chosen (`pathRun`, a
 * form's text) as the number the action takes; anything else is left for the schema to refuse.
 */
export function esfFormInput(type: string, values: FormValues, input: Record<string, unknown>): Record<string, unknown> {
  let out = input;
  if (HAS_LEAVING_RUN.has(type) && typeof out.pathRun === 'string' && /^\d{1,6}$/.test(out.pathRun)) out = { ...out, pathRun: Number(out.pathRun) };
  if (!HAS_SITUATIONS.has(type)) return out;
  const ticked = valuesOf(values, 'situations').filter((v) => v !== '');
  const { situations: _situations, ...rest } = out;
  if (type === 'outflow' && ticked.length === 0) return rest;
  return { ...rest, situations: ticked.filter((v) => v !== NO_SITUATION) };
}

/** What the schema cannot see of the checkboxes: nothing ticked for a result, or "none of these" with a situation. */
export function esfFormErrors(type: string, values: FormValues): Record<string, string> {
  if (!HAS_SITUATIONS.has(type)) return {};
  const ticked = valuesOf(values, 'situations').filter((v) => v !== '');
  if (ticked.includes(NO_SITUATION) && ticked.length > 1) return { situations: NONE_AND_SOME };
  if (type === 'recordLeavingResult' && ticked.length === 0) return { situations: SITUATIONS_MISSING };
  return {};
}

function situationsText(situations: readonly string[]): string {
  return situations.map((s) => ESF_SITUATION_LABELS[s as keyof typeof ESF_SITUATION_LABELS] ?? s).join(', ') || NO_SITUATION_LABEL;
}

function LeavingItem({ leaving, outflowType }: { leaving: LeavingView; outflowType: string | undefined }) {
  const { result, followUp } = leaving;
  return (
    <li>
      <div class="title">
        Uitstroom op {formatDate(leaving.leftOn)}
        {outflowType ? ` — ${outflowType}` : ''}
        {` (groeipad ${leaving.pathRun})`}
      </div>
      <dl class="facts">
        <dt>Kort na de uitstroom</dt>
        <dd class="esf-resultaat">
          {result
            ? `${situationsText(result.situations)} (op ${formatDate(result.observedOn)})`
            : leaving.resultTaskAt !== undefined
              ? `Nog niet genoteerd; de taak kwam op ${formatDate(leaving.resultTaskAt)}. Noteer de situatie zoals ze was, tot ${formatDate(leaving.windowEnds)}.`
              : `Nog niet genoteerd; telt tot ${formatDate(leaving.windowEnds)}`}
        </dd>
        <dt>Na zes maanden</dt>
        <dd class="esf-zes-maanden">
          {followUp
            ? `${ESF_FOLLOW_UP_RECORDED_LABELS[followUp.answer]} — ${followUp.source === 'participant' ? 'antwoord van de deelnemer op de eigen pagina' : 'genoteerd door de coach'} op ${formatDate(followUp.at)}`
            : leaving.followUpAt !== undefined
              ? `Gevraagd op ${formatDate(leaving.followUpAt)}; nog geen antwoord`
              : `De vraag komt op ${formatDate(leaving.followUpOn)}`}
        </dd>
      </dl>
    </li>
  );
}

const LEAVING_LABEL = 'Over welke uitstroom?';

/**
 * The leavings a form can be about: those with something open (no result yet; no answer yet),
 * and the last leaving always (a later result in its window, a correction). Oldest first.
 */
export function leavingChoices(type: 'recordLeavingResult' | 'recordFollowUp', leavings: readonly LeavingView[]): LeavingView[] {
  const last = leavings.at(-1);
  return leavings.filter((l) => l === last || (type === 'recordLeavingResult' ? l.result === undefined : l.followUp === undefined));
}

function choiceText(type: 'recordLeavingResult' | 'recordFollowUp', l: LeavingView): string {
  return type === 'recordLeavingResult'
    ? `de uitstroom van ${formatDate(l.leftOn)} (groeipad ${l.pathRun}): de situatie van ${formatDate(l.leftOn)} tot ${formatDate(l.windowEnds)}`
    : `de uitstroom van ${formatDate(l.leftOn)} (groeipad ${l.pathRun}): vanaf ${formatDate(l.followUpOn)}`;
}

function EsfForm({ type, data, open, leavings }: { type: 'recordLeavingResult' | 'recordFollowUp'; data: ParticipantPageData; open: OpenForm | undefined; leavings: readonly LeavingView[] }) {
  const prefix = `actie-${type}`;
  const state: FormState | undefined = open?.type === type ? open.state : undefined;
  const specs = esfSpecs(type);
  const choices = leavingChoices(type, leavings);
  const only = choices.length === 1 ? choices[0] : undefined;
  const last = choices.at(-1)!;
  const participantToo = type === 'recordFollowUp' ? ' De deelnemer kan ook zelf antwoorden op de eigen pagina, voor de laatste uitstroom waarover de vraag kwam.' : '';
  return (
    <details class="action" id={prefix} open={state !== undefined}>
      <summary>{ACTION_TITLES[type]}</summary>
      <div class="body">
        <FormProblems state={state} prefix={prefix} labels={{ ...Object.fromEntries(specs.map((s) => [s.name, s.label])), pathRun: LEAVING_LABEL }} />
        {only ? <p class="muted">{`Over ${choiceText(type, only)}.${participantToo}`}</p> : participantToo ? <p class="muted">{participantToo.trim()}</p> : null}
        <form method="post" action={`/deelnemers/${data.participant.id}/acties/${type}`} novalidate>
          {only ? (
            <input type="hidden" name="pathRun" value={String(only.pathRun)} />
          ) : (
            // More than one leaving with something open: the coach picks (the last one preselected).
            <RadioGroup
              prefix={prefix}
              name="pathRun"
              label={LEAVING_LABEL}
              options={choices.map((l) => [String(l.pathRun), choiceText(type, l)] as const)}
              state={state ?? { values: { pathRun: String(last.pathRun) }, errors: {} }}
              required
            />
          )}
          {specs.map((spec) => {
            const common = { prefix, name: spec.name, label: spec.label, hint: spec.hint, state, required: spec.kind !== 'date' };
            if (spec.kind === 'checkboxes') return <CheckboxGroup {...common} options={spec.options} />;
            if (spec.kind === 'radio') return <RadioGroup {...common} options={spec.options} />;
            return <TextField {...common} type="date" />;
          })}
          <button type="submit">{ACTION_TITLES[type]}</button>
        </form>
      </div>
    </details>
  );
}

/** The section "ESF: uitstroom en resultaten" (nothing before the first outflow, unless a form came back). */
export function EsfResultsSection({ data, open }: { data: ParticipantPageData; open: OpenForm | undefined }) {
  const leavings = data.view.leavings ?? [];
  const formOpen = open?.type === 'recordLeavingResult' || open?.type === 'recordFollowUp';
  if (leavings.length === 0 && !formOpen) return null;
  const outflowTypes = new Map<number, string>(data.view.earlierPaths.map((p) => [p.pathRun, p.outflowType ? OUTFLOW_LABELS[p.outflowType] : '']));
  if (data.view.outflow) outflowTypes.set(data.view.pathRun, OUTFLOW_LABELS[data.view.outflow.type]);
  return (
    <section class="card" aria-labelledby="esf-resultaten" id="esf-resultaten-sectie">
      <h2 id="esf-resultaten">ESF: uitstroom en resultaten</h2>
      <p>Voor het Europees Sociaal Fonds: de situatie van de deelnemer kort na elke uitstroom (de laatste in de periode telt), en zes maanden later of die werkt.</p>
      <ul class="list" id="esf-uitstromen">
        {[...leavings].reverse().map((leaving) => (
          <LeavingItem leaving={leaving} outflowType={outflowTypes.get(leaving.pathRun)} />
        ))}
      </ul>
      {data.view.status === 'forgotten' || leavings.length === 0 ? null : (
        <>
          <EsfForm type="recordLeavingResult" data={data} open={open} leavings={leavings} />
          <EsfForm type="recordFollowUp" data={data} open={open} leavings={leavings} />
        </>
      )}
    </section>
  );
}
