import { PARTNER_ANSWERS, PARTNER_ANSWER_LABELS, PARTNER_LABELS, SHARED_FIELDS, SHARED_FIELD_LABELS } from '../../../domain/codes.js';
import type { PartnerAnswerRecord, ReferralOut } from '../../../domain/path-state.js';
import type { PartnerPageData } from '../../partner-links.js';
import type { AccessLink } from '../../../activities/access-links.js';
import type { Introduction } from '../../partner-links.js';
import { CheckboxGroup, FormProblems, Notice, RadioGroup, TextArea, TextField, optionsFrom } from '../components.js';
import type { FormState } from '../form-input.js';
import { formatDate } from '../labels.js';

/**
 * The partner's page behind its signed link (GET/POST /doorverwijzing/:token), and the coach's
 * controls for it on the participant page: introduce a referral to a partner with consent per
 * field, see the link, revoke it.
 */

/** The participant page's notice after the coach's partner-link forms (by query parameter). */
export const PARTNER_LINK_NOTICES = [
  ['voorgesteld', 'Voorgesteld aan de partner. De partner krijgt een e-mail met de link.'],
  ['ingetrokken', 'De link van de partner is ingetrokken.'],
] as const;

const ANSWER_PREFIX = 'antwoord';
export const ANSWER_FIELD_LABELS = { answer: 'Wat antwoorden jullie?', appointmentDate: 'Datum van de eerste afspraak' };

/** "eerste afspraak op 15 dec. 2026", "aanvaard", "afgewezen". */
export function answerText(answer: PartnerAnswerRecord): string {
  return answer.answer === 'appointment' && answer.appointmentDate ? `eerste afspraak op ${formatDate(answer.appointmentDate)}` : PARTNER_ANSWER_LABELS[answer.answer].toLowerCase();
}

export function PartnerReferralPage({ data, action, state, thanks }: { data: PartnerPageData; action: string; state?: FormState | undefined; thanks?: boolean | undefined }) {
  const { referral } = data;
  const answered = referral?.partnerAnswer;
  return (
    <>
      <h1>Warme doorverwijzing naar {PARTNER_LABELS[data.partner]}</h1>
      <p>
        {data.coachName} van {data.siteName} stelt iemand aan jullie voor. Die persoon weet hiervan en koos zelf wat we met jullie delen.
      </p>
      {thanks && answered ? (
        <Notice kind="ok">
          <p>Bedankt! Jullie antwoord is doorgegeven aan {data.coachName}.</p>
        </Notice>
      ) : null}

      <section class="card" aria-labelledby="gedeeld">
        <h2 id="gedeeld">Wat we met jullie delen</h2>
        {data.shared.length ? (
          <dl class="facts">
            {data.shared.map((s) => (
              <>
                <dt>{SHARED_FIELD_LABELS[s.field]}</dt>
                <dd class={s.field === 'note' ? 'note' : undefined}>{s.field === 'birth_date' ? formatDate(s.value) : s.value}</dd>
              </>
            ))}
          </dl>
        ) : (
          <p class="muted">De persoon koos om nog geen gegevens te delen. {data.coachName} brengt jullie met elkaar in contact.</p>
        )}
      </section>

      <section aria-labelledby="jullie-antwoord">
        <h2 id="jullie-antwoord">Jullie antwoord</h2>
        {answered ? (
          <p id="antwoord-gegeven">
            Jullie antwoordden: <strong>{answerText(answered)}</strong> (op {formatDate(answered.at)}).
          </p>
        ) : referral?.status !== 'introduced' ? (
          <p>Deze doorverwijzing wacht niet meer op een antwoord. Vragen? Neem contact op met {data.coachName} van {data.siteName}.</p>
        ) : (
          <>
            <FormProblems state={state} prefix={ANSWER_PREFIX} labels={ANSWER_FIELD_LABELS} />
            <form method="post" action={action} novalidate>
              <RadioGroup prefix={ANSWER_PREFIX} name="answer" label={ANSWER_FIELD_LABELS.answer} options={optionsFrom(PARTNER_ANSWERS, PARTNER_ANSWER_LABELS)} state={state} required />
              <TextField
                prefix={ANSWER_PREFIX}
                name="appointmentDate"
                type="date"
                label={ANSWER_FIELD_LABELS.appointmentDate}
                hint="Alleen bij een eerste afspraak. Schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2026-12-15."
                state={state}
              />
              <button type="submit">Antwoord doorgeven</button>
            </form>
          </>
        )}
      </section>
    </>
  );
}

/** The coach's form that introduces a referral to a partner. */
export const INTRODUCTION_FIELD_LABELS = {
  partnerEmail: 'E-mailadres van de contactpersoon bij de partner',
  shared: 'Wat mag de partner zien? Vink alleen aan wat de deelnemer goedkeurde.',
  note: 'Introductie voor de partner',
};

export interface ReferralLinkInfo {
  introduction: Introduction;
  link: AccessLink | null;
}

function linkState(link: AccessLink | null): string {
  if (!link) return 'Er is nog geen link.';
  if (link.revoked_at) return `Link ingetrokken op ${formatDate(link.revoked_at)}.`;
  if (Date.parse(link.expires_at) <= Date.now()) return `Link verlopen op ${formatDate(link.expires_at)}.`;
  return `Link werkt tot ${formatDate(Date.parse(link.expires_at) - 1)}.`;
}

export function ReferralLinkControls({
  participantId,
  referral,
  info,
  state,
}: {
  participantId: string;
  referral: ReferralOut;
  info: ReferralLinkInfo | undefined;
  state?: FormState | undefined;
}) {
  const prefix = `voorstellen-${referral.id}`;
  const base = `/deelnemers/${participantId}/doorverwijzingen/${referral.id}`;
  // A form that came back where no form is shown any more (the referral moved on, or it was
  // introduced in the meantime): its reason still shows, here.
  const showsForm = !info && (referral.status === 'proposed' || referral.status === 'introduced');
  const problems = state && !showsForm ? <FormProblems state={state} prefix={prefix} labels={INTRODUCTION_FIELD_LABELS} /> : null;
  if (info) {
    const { introduction, link } = info;
    const shared = introduction.shared_fields.map((f) => SHARED_FIELD_LABELS[f as keyof typeof SHARED_FIELD_LABELS] ?? f).join(', ') || 'niets';
    return (
      <div class="partner-link" id={prefix}>
        {problems}
        <p class="meta">
          Voorgesteld aan {introduction.partner_email} op {formatDate(introduction.introduced_at)}. Gedeeld: {shared}. {linkState(link)}
        </p>
        {referral.partnerAnswer ? <p class="meta">Partner antwoordde: {answerText(referral.partnerAnswer)}</p> : null}
        {link && !link.revoked_at && Date.parse(link.expires_at) > Date.now() ? (
          <form method="post" action={`${base}/link-intrekken`}>
            <button type="submit" class="secondary small">
              Link van de partner intrekken
            </button>
          </form>
        ) : null}
      </div>
    );
  }
  if (!showsForm) return problems;
  const formState: FormState = state ?? { values: { shared: ['first_name'] }, errors: {} };
  return (
    <details class="action" id={prefix} open={state !== undefined}>
      <summary>Voorstellen aan de partner, met een link</summary>
      <div class="body">
        <FormProblems state={state} prefix={prefix} labels={INTRODUCTION_FIELD_LABELS} />
        <p class="muted">
          De partner krijgt een e-mail met een persoonlijke link die na enkele weken vervalt, en ziet daar alleen wat je hieronder aanvinkt. De voornaam staat standaard
          aan: een warme doorverwijzing stelt iemand bij naam voor.
        </p>
        <form method="post" action={`${base}/voorstellen#${prefix}`} novalidate>
          <TextField prefix={prefix} name="partnerEmail" type="email" autocomplete="off" label={INTRODUCTION_FIELD_LABELS.partnerEmail} state={formState} required />
          <CheckboxGroup prefix={prefix} name="shared" label={INTRODUCTION_FIELD_LABELS.shared} options={optionsFrom(SHARED_FIELDS, SHARED_FIELD_LABELS)} state={formState} />
          <TextArea prefix={prefix} name="note" label={INTRODUCTION_FIELD_LABELS.note} hint="Alleen zichtbaar voor de partner als je 'Introductie door de coach' aanvinkt." state={formState} />
          <button type="submit">Voorstellen en link sturen</button>
        </form>
      </div>
    </details>
  );
}
