import { STEP_EVIDENCE_LABELS } from '../../../domain/codes.js';
import { PASSPORT_FIELDS, type PassportStep } from '../../passport.js';
import { Checkbox, CheckboxGroup, FormProblems } from '../components.js';
import type { FormState } from '../form-input.js';
import { formatDate } from '../labels.js';

/**
 * The growth passport's form, on the participant's own page and on the coach's participant page
 * (the coach downloads on the participant's behalf, with the same choice): the validated steps
 * with a checkbox each (none chosen to begin with: the passport holds what is chosen), whether
 * the name goes on it (chosen to begin with: a passport one shows is about someone; it can be
 * left off), and a button per format. Posting it answers with the file itself.
 */

/** The form as it first shows: no step chosen yet, the name on. */
export const PASSPORT_START: FormState = { values: { [PASSPORT_FIELDS.name]: 'on' }, errors: {} };

const LABELS: Record<string, string> = { [PASSPORT_FIELDS.steps]: 'Stappen', [PASSPORT_FIELDS.format]: 'Soort download' };

export function PassportForm({ steps, action, state, who }: { steps: PassportStep[]; action: string; state?: FormState | undefined; who: 'participant' | 'coach' }) {
  const you = who === 'participant';
  if (steps.length === 0) {
    return (
      <p id="groeipaspoort-leeg">
        {you
          ? 'Er staan nog geen gevalideerde stappen op je groeipad. Zodra je coach een stap valideert, kan je hier je groeipaspoort maken.'
          : 'Er zijn nog geen gevalideerde stappen. Zodra een stap gevalideerd is, kan je hier het groeipaspoort maken.'}
      </p>
    );
  }
  const current = state ?? PASSPORT_START;
  const errorFormat = current.errors[PASSPORT_FIELDS.format];
  return (
    <form method="post" action={action} id="groeipaspoort-formulier">
      <p>
        {you
          ? 'Je groeipaspoort toont de stappen die je zette en die je coach valideerde. Jij kiest welke erin komen: niets anders staat erop.'
          : 'Het groeipaspoort toont de gevalideerde stappen die de deelnemer kiest, en niets anders. Kies samen met de deelnemer.'}
      </p>
      <FormProblems state={state} prefix="paspoort" labels={LABELS} />
      <CheckboxGroup
        prefix="paspoort"
        name={PASSPORT_FIELDS.steps}
        label={you ? 'Welke stappen wil je erin?' : 'Welke stappen komen erin?'}
        required
        state={current}
        options={steps.map((s) => [s.id, `${s.text} (gevalideerd op ${formatDate(s.validatedAt)}: ${STEP_EVIDENCE_LABELS[s.evidence].toLowerCase()})`] as const)}
      />
      <Checkbox
        prefix="paspoort"
        name={PASSPORT_FIELDS.name}
        label={you ? 'Zet mijn naam erop' : 'Met de naam van de deelnemer'}
        hint="Voornaam en familienaam. Zonder naam toont het paspoort alleen de stappen."
        state={current}
      />
      {errorFormat ? (
        <p class="field-error" id="paspoort-formaat-error">
          {errorFormat}
        </p>
      ) : null}
      <div class="actions-row">
        <button type="submit" name={PASSPORT_FIELDS.format} value="pdf">
          Download als pdf
        </button>
        <button type="submit" name={PASSPORT_FIELDS.format} value="badge" class="secondary">
          Download als digitaal bewijs
        </button>
      </div>
      <p class="hint">
        De pdf is om af te drukken of te mailen. Het digitaal bewijs is een Open Badge: een bestand dat de Stuyfplek ondertekende, zodat een werkgever of
        opleiding kan nagaan dat het echt is. Je kan het bewaren in een app voor badges.
      </p>
    </form>
  );
}
