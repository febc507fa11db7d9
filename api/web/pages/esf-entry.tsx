import { ESF_ENTRY_ITEMS, ESF_ENTRY_KEYS, ESF_LABELS, REFUSED_LABEL, entryAnswers, type EsfEntryKey } from '../../../domain/esf.js';
import type { EntryView } from '../../esf-entry.js';
import { FormProblems, Select, TextArea } from '../components.js';
import type { FormState } from '../form-input.js';
import { formatDate, formatDateTime } from '../labels.js';
import type { ParticipantPageData } from './participant.js';

/**
 * The ESF+ entry questions on the pages (README, "Entry snapshot"): in the intake form, and as
 * the "ESF-gegevens" section of the participant's page with its completion/correction form.
 * Questions, answers and labels come from domain/esf.ts.
 */

/** The questions' labels by field name, for the list of problems at the top of a form. */
export const ESF_FIELD_LABELS: Record<string, string> = Object.fromEntries(ESF_ENTRY_KEYS.map((k) => [k, ESF_ENTRY_ITEMS[k].label]));

const SENSITIVE_HINT = 'Gevoelig gegeven: alleen de coach van de deelnemer ziet het antwoord.';

/** After an intake of someone who had a record already: the answers given at the desk were not recorded. */
export const ESF_KEPT_AT_INTAKE =
  'De ESF-gegevens van de eerste inschrijving blijven gelden; de antwoorden van deze inschrijving zijn niet bewaard. Verbeter ze hieronder bij "ESF-gegevens".';

/** Under the reason of a correction: staff read it, so it must not carry what only the coach may read. */
export const REASON_HINT =
  'Bijvoorbeeld: de deelnemer gaf het antwoord later, of het was verkeerd ingevuld. Staff van je Stuyfplek lezen deze reden: noem er geen gevoelige antwoorden in.';

function answerOptions(key: EsfEntryKey) {
  return entryAnswers(key).map((a) => [a, ESF_LABELS[a] ?? a] as const);
}

/** What a form's select shows when nothing is chosen: at intake "not asked", later "leave as it is". */
function keepLabel(key: EsfEntryKey, view: EntryView | undefined): string {
  const current = view?.current;
  if (!current) return 'Niet gevraagd';
  if (!current.answered.includes(key)) return 'Nog niet beantwoord';
  const answer = current.answers[key];
  return answer ? `Laten zoals het is (${ESF_LABELS[answer] ?? answer})` : 'Laten zoals het is (ingevuld)';
}

/** One select per question, each with "Wil niet antwoorden"; the sensitive ones marked. */
export function EsfQuestions({ prefix, state, view }: { prefix: string; state?: FormState | undefined; view?: EntryView | undefined }) {
  return (
    <>
      {ESF_ENTRY_KEYS.map((key) => (
        <Select
          prefix={prefix}
          name={key}
          label={ESF_ENTRY_ITEMS[key].label}
          options={answerOptions(key)}
          placeholder={keepLabel(key, view)}
          hint={ESF_ENTRY_ITEMS[key].special ? SENSITIVE_HINT : undefined}
          state={state}
        />
      ))}
    </>
  );
}

/** The intake form's ESF+ part: why we ask, and that every question may stay open. */
export function IntakeEsfFieldset({ prefix, state }: { prefix: string; state?: FormState | undefined }) {
  return (
    <fieldset class="esf-questions" aria-describedby={`${prefix}-esf-uitleg`}>
      <legend>ESF-gegevens</legend>
      <p class="hint" id={`${prefix}-esf-uitleg`}>
        De Stuyfplek krijgt steun van het Europees Sociaal Fonds (ESF+). Het fonds vraagt deze gegevens om te tellen wie we bereiken; in het rapport komen ze
        alleen als aantallen, nooit met een naam. Elke vraag mag open blijven (dan krijgen jullie een taak om ze binnen de eerste weken aan te vullen) of
        beantwoord worden met "{REFUSED_LABEL}". De gevoelige vragen ziet alleen de coach van de deelnemer. Wie hier al eerder was, houdt
        de gegevens van de eerste instap: verbeter ze dan op de pagina van de deelnemer.
      </p>
      <EsfQuestions prefix={prefix} state={state} />
    </fieldset>
  );
}

function answerText(key: EsfEntryKey, view: EntryView): string {
  const current = view.current!;
  if (!current.answered.includes(key)) return 'Nog niet beantwoord';
  const answer = current.answers[key];
  // Staff know that a sensitive question was answered, never the answer.
  return answer ? (ESF_LABELS[answer] ?? answer) : 'ingevuld';
}

function missingText(view: EntryView): string {
  const current = view.current!;
  return current.missing
    .map((m) => (m === 'ageBand' ? 'leeftijdsgroep (geen geboortedatum)' : `${ESF_ENTRY_ITEMS[m].label.toLowerCase()}${current.answers[m] ? ' (wil niet antwoorden)' : ''}`))
    .join(', ');
}

/** The participant page's section: the current version, every version, and the form to complete or correct. */
export function EsfEntrySection({ data, state }: { data: ParticipantPageData; state?: FormState | undefined }) {
  const view = data.esfEntry;
  if (!view) return null;
  const { participant, names, notes } = data;
  const current = view.current;
  const prefix = 'esf';
  return (
    <section class="card" aria-labelledby="esf-gegevens">
      <h2 id="esf-gegevens">ESF-gegevens</h2>
      {current ? (
        <>
          <p id="esf-stand">
            {current.complete
              ? 'Volledig: telt mee in het ESF-rapport.'
              : `Onvolledig: telt pas mee in het ESF-rapport als dit beantwoord is: ${missingText(view)}.`}
          </p>
          <dl class="facts">
            <dt>Dag van instap</dt>
            <dd>{formatDate(current.enteredOn)}</dd>
            <dt>Leeftijdsgroep</dt>
            <dd>{current.ageBand ? ESF_LABELS[current.ageBand] : '—'}</dd>
            {ESF_ENTRY_KEYS.map((key) => (
              <>
                <dt>{ESF_ENTRY_ITEMS[key].label}</dt>
                <dd id={`esf-antwoord-${key}`}>{answerText(key, view)}</dd>
              </>
            ))}
          </dl>
          <h3>Versies</h3>
          <ol id="esf-versies">
            {view.versions.map((v) => {
              const reason = v.reasonNoteId ? notes.get(v.reasonNoteId)?.body : undefined;
              return (
                <li>
                  Versie {v.version}, {formatDateTime(v.recordedAt)}
                  {v.recordedBy ? ` door ${names.get(v.recordedBy) ?? 'iemand van een andere Stuyfplek'}` : ''}
                  {v.complete ? ' (volledig)' : ' (onvolledig)'}
                  {v.version > 1 ? <p class="note">{reason ? `Reden: ${reason}` : 'Reden gewist'}</p> : null}
                </li>
              );
            })}
          </ol>
        </>
      ) : (
        <p id="esf-stand">Nog geen ESF-gegevens. Vul ze hieronder in; elke vraag mag ook "{REFUSED_LABEL}" zijn.</p>
      )}
      {participant.erased_at ? (
        <p class="muted">De gegevens van deze deelnemer zijn gewist; de ESF-gegevens blijven als anonieme cijfers.</p>
      ) : (
        <details open={state ? true : undefined} id="esf-formulier">
          <summary>{current ? (current.complete ? 'ESF-gegevens verbeteren' : 'ESF-gegevens aanvullen of verbeteren') : 'ESF-gegevens invullen'}</summary>
          <FormProblems state={state} prefix={prefix} labels={{ ...ESF_FIELD_LABELS, reason: 'Reden', _: '' }} />
          <form method="post" action={`/deelnemers/${participant.id}/esf-gegevens`} novalidate>
            <p class="hint">
              Kies alleen wat verandert; de andere antwoorden blijven. Elke wijziging wordt een nieuwe versie{current ? ', met de reden en wie ze maakte' : ''}.
            </p>
            <EsfQuestions prefix={prefix} state={state} view={view} />
            {current ? (
              <TextArea prefix={prefix} name="reason" label="Waarom verbeter of vul je dit aan?" hint={REASON_HINT} state={state} required />
            ) : null}
            <button type="submit">ESF-gegevens bewaren</button>
          </form>
        </details>
      )}
    </section>
  );
}
