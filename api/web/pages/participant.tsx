import { raw } from 'hono/html';
import type { z } from 'zod';
import type { LinkSummary } from '../../../activities/access-links.js';
import type { CalendarSpan } from '../../../domain/calendar.js';
import {
  AGREEMENT_CHOICES,
  AGREEMENT_CHOICE_LABELS,
  type AgreementChoice,
  STEP_EVIDENCE,
  STEP_EVIDENCE_LABELS,
  CONTACT_KINDS,
  CONTACT_LABELS,
  CRISIS_KINDS,
  CRISIS_LABELS,
  GROUP_MOMENT_KINDS,
  GROUP_MOMENT_LABELS,
  OUTFLOW_LABELS,
  OUTFLOW_TYPES,
  PARTNERS,
  PARTNER_LABELS,
  PHASES,
  PHASE_CHANGE_REASONS,
  PHASE_CHANGE_REASON_LABELS,
  PHASE_LABELS,
  PRIVILEGES,
  PRIVILEGE_LABELS,
  REFERRAL_SOURCE_LABELS,
  REFERRAL_STATUS_LABELS,
  STEP_STATUSES,
  TASK_LABELS,
  type ReferralSource,
  ERASURE_REASONS,
  ERASURE_REASON_LABELS,
} from '../../../domain/codes.js';
import type { PathView } from '../../../domain/path-state.js';
import type { Note, TaskSummary } from '../../queries.js';
import { actionRequestSchemas, type ActionType } from '../../requests.js';
import { Checkbox, CheckboxGroup, EmailAddress, FormProblems, Notice, PhaseBadge, RadioGroup, Select, TextArea, TextField, optionsFrom, type Options } from '../components.js';
import type { FormState } from '../form-input.js';
import {
  ACTION_TITLES,
  AGREEMENT_STATUS_LABELS,
  CLOSE_OUTCOME_LABELS,
  DEADLINE_LABELS,
  PATH_STATUS_LABELS,
  STEP_STATUS_LABELS,
  formatDate,
  formatDateTime,
} from '../labels.js';
import type { TimelineEntry } from '../timeline.js';
import { ReferralLinkControls, type ReferralLinkInfo } from './partner-referral.js';
import type { PassportStep } from '../../passport.js';
import { PassportForm } from './passport.js';
import type { EntryView } from '../../esf-entry.js';
import { EsfEntrySection } from './esf-entry.js';
import { EsfResultsSection, SITUATIONS_AT_OUTFLOW, esfSpecs } from './esf-results.js';

export interface ParticipantPageData {
  participant: {
    id: string;
    first_name: string | null;
    last_name: string | null;
    referral_source: string;
    created_at: string;
    email: string | null;
    phone: string | null;
    consent_email: boolean;
    opted_out_at: string | null;
    erased_at: string | null;
  };
  view: PathView;
  timeline: TimelineEntry[];
  notes: Map<string, Note>;
  tasks: TaskSummary[];
  coaches: Array<{ id: string; name: string }>;
  names: Map<string, string>;
  /** Per referral: its introduction to a partner and the partner's link, if any. */
  introductions?: Map<string, ReferralLinkInfo> | undefined;
  /** The participant's own-page links, newest first (never their tokens). */
  links: LinkSummary[];
  linkValidity: CalendarSpan;
  /** What happens to a running agreement on a move back to orientation when the coach chooses nothing (configuration). */
  agreementChoiceDefault: AgreementChoice;
  /** Validated steps, for the growth passport. */
  passportSteps: PassportStep[];
  /** The ESF+ entry record as the one asking may read it (api/esf-entry.ts). */
  esfEntry?: EntryView | undefined;
}

/** The partner-introduction form of one referral that came back, with what was typed. */
export interface IntroductionForm {
  referralId: string;
  state: FormState;
}

/** A link just made: shown this once, as text and as a QR code (inline SVG, made on the server). */
export interface NewLink {
  id: string;
  url: string;
  qrSvg: string;
  expiresAt: string;
}

/** Which action form is open, with what the person typed, and why it came back. */
export interface OpenForm {
  type: ActionType;
  state: FormState;
}

export type Spec =
  | { name: string; label: string; kind: 'radio' | 'select' | 'checkboxes'; options: Options; hint?: string; placeholder?: string }
  | { name: string; label: string; kind: 'checkbox' | 'date' | 'textarea'; hint?: string };

/** The "forget" form's confirmation: the API's `confirm: true`, a checkbox on the page. */
export const CONFIRM_FORGET = 'confirm';

const ACTION_GROUPS: Array<{ title: string; types: ActionType[] }> = [
  { title: 'Contact en groepsmomenten', types: ['logContact', 'logAttendance'] },
  { title: 'Fase en crisis', types: ['signalCrisis', 'changePhase'] },
  { title: 'Groeiovereenkomst', types: ['signAgreement', 'renewAgreement', 'resumeAgreement', 'closeAgreement'] },
  { title: 'Stappen', types: ['registerStep', 'validateStep'] },
  { title: 'Doorverwijzen', types: ['referOut', 'updateReferral'] },
  { title: 'Uitstroom en terugkeer', types: ['outflow', 'reenter'] },
  { title: 'Opvolging', types: ['assignCoach', 'forget'] },
];

const INTRO: Partial<Record<ActionType, string>> = {
  signalCrisis: 'Een crisis maakt altijd een taak voor een coachingsgesprek aan.',
  renewAgreement: 'De lopende groeiovereenkomst krijgt een nieuwe termijn, vanaf haar einddatum.',
  resumeAgreement: 'Een gepauzeerde groeiovereenkomst loopt weer; haar einde en de evaluatie schuiven op met de duur van de pauze. Een overstap uit oriëntatie naar een volgende fase hervat ze ook.',
  registerStep: 'Kleine stappen naar het doel, vanaf de oriëntatie. Ze blijven bij de deelnemer, ook na een overeenkomst, uitstroom of terugkeer.',
  validateStep: 'Een gevalideerde stap gaat mee naar elk volgend traject, en de deelnemer kan hem opnemen in het groeipaspoort. Daarna kan de stap niet meer gewijzigd worden.',
  reenter: 'Voor wie na uitstroom terugkomt; het vorige groeipad blijft in de geschiedenis.',
};

function noteSnippet(notes: Map<string, Note>, noteId: string | undefined): string {
  const body = noteId ? notes.get(noteId)?.body : undefined;
  if (!body) return '';
  return body.length > 40 ? `${body.slice(0, 40)}…` : body;
}

function specs(type: ActionType, data: ParticipantPageData): Spec[] {
  const { view, notes } = data;
  switch (type) {
    case 'signalCrisis':
      return [
        { name: 'kind', label: 'Welke crisis?', kind: 'radio', options: optionsFrom(CRISIS_KINDS, CRISIS_LABELS) },
        {
          name: 'move',
          label: 'Meteen de voorgestelde overstap maken',
          kind: 'checkbox',
          hint: 'Een focuscrisis in oriëntatie stelt focus voor, een statuut-crisis in focus stelt activering voor.',
        },
        { name: 'note', label: 'Korte notitie', kind: 'textarea', hint: 'Wat speelt er? Alleen wie de deelnemer opvolgt, leest dit.' },
      ];
    case 'changePhase': {
      const agreementRuns = view.agreement?.status === 'active' && view.agreement.pausedAt === undefined && view.phase !== 'orientation';
      return [
        { name: 'to', label: 'Naar welke fase?', kind: 'select', options: optionsFrom(PHASES, PHASE_LABELS), placeholder: 'Kies een fase' },
        { name: 'reason', label: 'Waarom?', kind: 'select', options: optionsFrom(PHASE_CHANGE_REASONS, PHASE_CHANGE_REASON_LABELS), placeholder: 'Kies een reden' },
        ...(agreementRuns
          ? [
              {
                name: 'agreementChoice',
                label: 'Terug naar oriëntatie: wat gebeurt er met de groeiovereenkomst?',
                kind: 'radio' as const,
                options: optionsFrom(AGREEMENT_CHOICES, AGREEMENT_CHOICE_LABELS),
                hint: `Alleen bij een stap terug naar oriëntatie. Niets gekozen: ${AGREEMENT_CHOICE_LABELS[data.agreementChoiceDefault].toLowerCase()}.`,
              },
            ]
          : []),
        { name: 'note', label: 'Toelichting', kind: 'textarea' },
      ];
    }
    case 'signAgreement':
      return [
        { name: 'note', label: 'Groeidoel', kind: 'textarea', hint: 'Het doel in de woorden van de deelnemer: waarom wil die dit?' },
        { name: 'startDate', label: 'Startdatum', kind: 'date', hint: 'Leeg laten: vandaag.' },
        { name: 'commitments', label: 'Engagement: naar welke groepsmomenten komt de deelnemer?', kind: 'checkboxes', options: optionsFrom(GROUP_MOMENT_KINDS, GROUP_MOMENT_LABELS) },
        { name: 'privileges', label: 'Voorrechten', kind: 'checkboxes', options: optionsFrom(PRIVILEGES, PRIVILEGE_LABELS) },
      ];
    case 'renewAgreement':
    case 'resumeAgreement':
      return [];
    case 'closeAgreement':
      return [{ name: 'outcome', label: 'Hoe wordt de overeenkomst afgesloten?', kind: 'radio', options: Object.entries(CLOSE_OUTCOME_LABELS) }];
    case 'logContact':
      return [
        { name: 'kind', label: 'Soort contact', kind: 'radio', options: optionsFrom(CONTACT_KINDS, CONTACT_LABELS) },
        { name: 'note', label: 'Notitie', kind: 'textarea' },
      ];
    case 'logAttendance':
      return [
        { name: 'kind', label: 'Welk groepsmoment?', kind: 'select', options: optionsFrom(GROUP_MOMENT_KINDS, GROUP_MOMENT_LABELS), placeholder: 'Kies een groepsmoment' },
        { name: 'date', label: 'Datum', kind: 'date', hint: 'Leeg laten: vandaag.' },
      ];
    case 'registerStep': {
      const steps = view.steps.filter((s) => !s.validation);
      return [
        {
          name: 'stepId',
          label: 'Welke stap?',
          kind: 'select',
          placeholder: 'Een nieuwe stap',
          options: steps.map((s, i) => [s.id, `Stap ${i + 1} (${STEP_STATUS_LABELS[s.status].toLowerCase()})${noteSnippet(notes, s.noteId) ? `: ${noteSnippet(notes, s.noteId)}` : ''}`] as const),
        },
        { name: 'status', label: 'Stand van de stap', kind: 'radio', options: optionsFrom(STEP_STATUSES, STEP_STATUS_LABELS) },
        { name: 'note', label: 'Wat is de stap, wat is er nog nodig?', kind: 'textarea' },
      ];
    }
    case 'validateStep': {
      const open = view.steps.filter((s) => !s.validation);
      return [
        {
          name: 'stepId',
          label: 'Welke stap?',
          kind: 'select',
          placeholder: open.length ? 'Kies een stap' : 'Er zijn geen stappen om te valideren',
          options: open.map((s) => [s.id, `${STEP_STATUS_LABELS[s.status]}${noteSnippet(notes, s.noteId) ? `: ${noteSnippet(notes, s.noteId)}` : ''}`] as const),
        },
        { name: 'evidence', label: 'Wat toont dat de stap gezet is?', kind: 'radio', options: optionsFrom(STEP_EVIDENCE, STEP_EVIDENCE_LABELS) },
        { name: 'note', label: 'Toelichting (mag leeg)', kind: 'textarea' },
      ];
    }
    case 'referOut':
      return [
        { name: 'partner', label: 'Naar welke partner?', kind: 'select', options: optionsFrom(PARTNERS, PARTNER_LABELS), placeholder: 'Kies een partner' },
        { name: 'note', label: 'Waarom, en wat is afgesproken?', kind: 'textarea' },
      ];
    case 'updateReferral':
      return [
        {
          name: 'referralId',
          label: 'Welke doorverwijzing?',
          kind: 'select',
          placeholder: view.referrals.length ? 'Kies een doorverwijzing' : 'Er zijn nog geen doorverwijzingen',
          options: view.referrals.map((r) => [r.id, `${PARTNER_LABELS[r.partner]} (${REFERRAL_STATUS_LABELS[r.status].toLowerCase()})`] as const),
        },
        { name: 'status', label: 'Nieuwe stand', kind: 'radio', options: optionsFrom(['introduced', 'accepted', 'declined'] as const, REFERRAL_STATUS_LABELS) },
      ];
    case 'outflow':
      return [
        { name: 'type', label: 'Waarheen?', kind: 'select', options: optionsFrom(OUTFLOW_TYPES, OUTFLOW_LABELS), placeholder: 'Kies een soort uitstroom' },
        { name: 'note', label: 'Toelichting', kind: 'textarea' },
        SITUATIONS_AT_OUTFLOW,
      ];
    case 'recordLeavingResult':
    case 'recordFollowUp':
      // On the participant page in their own section (pages/esf-results.tsx).
      return esfSpecs(type);
    case 'reenter':
      return [
        { name: 'phase', label: 'In welke fase stapt de deelnemer in?', kind: 'select', options: optionsFrom(PHASES, PHASE_LABELS), placeholder: 'Kies een fase' },
        { name: 'note', label: 'Toelichting', kind: 'textarea' },
      ];
    case 'assignCoach':
      return [{ name: 'coachId', label: 'Nieuwe coach', kind: 'select', options: data.coaches.map((c) => [c.id, c.name] as const), placeholder: 'Kies een coach' }];
    case 'forget':
      return [
        { name: 'reason', label: 'Waarom?', kind: 'select', options: optionsFrom(ERASURE_REASONS, ERASURE_REASON_LABELS), placeholder: 'Kies een reden' },
        {
          name: CONFIRM_FORGET,
          label: 'Ik wis de persoonsgegevens van deze deelnemer.',
          kind: 'checkbox',
          hint: 'Naam, contactgegevens en notities worden gewist, elke link van de deelnemer stopt en het groeipad stopt. Dit kan niet ongedaan gemaakt worden; de anonieme cijfers blijven.',
        },
      ];
  }
}

/** A field is required when the shared schema does not accept it empty. */
function isRequired(type: ActionType, name: string): boolean {
  const field = (actionRequestSchemas[type].shape as Record<string, z.ZodType | undefined>)[name];
  return field ? !field.safeParse(undefined).success : false;
}

export function fieldLabels(type: ActionType, data: ParticipantPageData): Record<string, string> {
  return Object.fromEntries(specs(type, data).map((s) => [s.name, s.label]));
}

function Field({ spec, prefix, state, required }: { spec: Spec; prefix: string; state: FormState | undefined; required: boolean }) {
  const common = { prefix, name: spec.name, label: spec.label, hint: spec.hint, state, required };
  switch (spec.kind) {
    case 'radio':
      return <RadioGroup {...common} options={spec.options} />;
    case 'checkboxes':
      return <CheckboxGroup {...common} options={spec.options} />;
    case 'select':
      return <Select {...common} options={spec.options} placeholder={spec.placeholder ?? 'Kies'} />;
    case 'checkbox':
      return <Checkbox {...common} />;
    case 'date':
      return <TextField {...common} type="date" />;
    case 'textarea':
      return <TextArea {...common} />;
  }
}

function ActionForm({ type, data, open }: { type: ActionType; data: ParticipantPageData; open: OpenForm | undefined }) {
  const prefix = `actie-${type}`;
  const state = open?.type === type ? open.state : undefined;
  return (
    <details class="action" id={prefix} open={state !== undefined}>
      <summary>{ACTION_TITLES[type]}</summary>
      <div class="body">
        <FormProblems state={state} prefix={prefix} labels={fieldLabels(type, data)} />
        {INTRO[type] ? <p class="muted">{INTRO[type]}</p> : null}
        {/* No #fragment: a form that comes back puts the focus on its problems (autofocus), which a fragment would cancel. */}
        <form method="post" action={`/deelnemers/${data.participant.id}/acties/${type}`} novalidate>
          {specs(type, data).map((spec) => (
            <Field spec={spec} prefix={prefix} state={state} required={isRequired(type, spec.name)} />
          ))}
          <button type="submit" class={type === 'forget' ? 'danger' : undefined}>
            {ACTION_TITLES[type]}
          </button>
        </form>
      </div>
    </details>
  );
}

function fullName(p: ParticipantPageData['participant']): string {
  return [p.first_name, p.last_name].filter(Boolean).join(' ') || 'Deelnemer (gegevens gewist)';
}

function Confirmation({ agreement }: { agreement: NonNullable<PathView['agreement']> }) {
  if (agreement.confirmedAt !== undefined) return <>Bevestigd door de deelnemer op {formatDateTime(agreement.confirmedAt)}</>;
  return <>{agreement.status === 'active' ? 'Nog niet bevestigd door de deelnemer' : 'Niet bevestigd door de deelnemer'}</>;
}

function spanText(span: CalendarSpan): string {
  const parts = [
    span.months ? `${span.months} ${span.months === 1 ? 'maand' : 'maanden'}` : '',
    span.weeks ? `${span.weeks} ${span.weeks === 1 ? 'week' : 'weken'}` : '',
    span.days ? `${span.days} ${span.days === 1 ? 'dag' : 'dagen'}` : '',
  ].filter(Boolean);
  return parts.join(' en ') || '0 dagen';
}

function linkState(link: LinkSummary, now: number): string {
  if (link.revokedAt) return `Ingetrokken op ${formatDateTime(link.revokedAt)}`;
  if (Date.parse(link.expiresAt) <= now) return `Verlopen op ${formatDate(link.expiresAt)}`;
  return `Werkt tot ${formatDate(Date.parse(link.expiresAt) - 1)}`;
}

/** "Eigen pagina van de deelnemer": make a link to hand over (text and QR code), see the links and their views, revoke one. */
function OwnPageSection({ data, newLink }: { data: ParticipantPageData; newLink: NewLink | undefined }) {
  const { participant, links, names, view } = data;
  const now = Date.now();
  const lastViewed = links.map((l) => l.lastViewedAt).filter((at): at is string => at !== null).sort().at(-1);
  const agreement = view.agreement;
  return (
    <section class="card" aria-labelledby="eigen-pagina" id="eigen-pagina-sectie">
      <h2 id="eigen-pagina">Eigen pagina van de deelnemer</h2>
      <p>
        Met een persoonlijke link bekijkt de deelnemer zonder account het eigen groeipad en bevestigt die de groeiovereenkomst. Een link werkt{' '}
        {spanText(data.linkValidity)}. Elke e-mail aan de deelnemer bevat er ook een.
      </p>
      <dl class="facts">
        <dt>Groeiovereenkomst</dt>
        <dd id="eigen-pagina-akkoord">{agreement ? <Confirmation agreement={agreement} /> : 'Er is nog geen groeiovereenkomst'}</dd>
        <dt>Eigen pagina</dt>
        <dd id="laatst-bekeken">{lastViewed ? `Laatst bekeken op ${formatDateTime(lastViewed)}` : 'Nog niet bekeken'}</dd>
      </dl>
      {newLink ? (
        <Notice kind="ok" title="Nieuwe link">
          <p>Geef deze link nu door: je ziet hem maar één keer. Hij werkt tot {formatDate(Date.parse(newLink.expiresAt) - 1)}.</p>
          <p class="link-text">
            <a href={newLink.url} id="nieuwe-link" rel="noreferrer">
              {newLink.url}
            </a>
          </p>
          <div class="qr" role="img" aria-label="QR-code van de link: de deelnemer scant hem met de camera van de gsm">
            {raw(newLink.qrSvg)}
          </div>
        </Notice>
      ) : null}
      {participant.erased_at ? null : (
        <form method="post" action={`/deelnemers/${participant.id}/eigen-pagina`}>
          <button type="submit" class="secondary">
            Maak een nieuwe link
          </button>
        </form>
      )}
      {links.length ? (
        <>
          <h3>Links</h3>
          <ul class="list" id="links">
            {links.map((link) => {
              const works = !link.revokedAt && Date.parse(link.expiresAt) > now;
              return (
                <li>
                  <div class="title">{linkState(link, now)}</div>
                  <p class="meta">
                    Gemaakt op {formatDateTime(link.createdAt)} {link.createdBy ? `door ${names.get(link.createdBy) ?? 'een medewerker'}` : 'voor een e-mail'} ·{' '}
                    {link.lastViewedAt ? `laatst bekeken op ${formatDateTime(link.lastViewedAt)} (${link.views}×)` : 'nog niet bekeken'}
                  </p>
                  {works ? (
                    <details class="action">
                      <summary>Link intrekken…</summary>
                      <div class="body">
                        <form method="post" action={`/deelnemers/${participant.id}/eigen-pagina/${link.id}/intrekken`}>
                          <p>Wie deze link heeft, kan de eigen pagina er daarna niet meer mee openen. Dit kan niet ongedaan gemaakt worden; je kan wel een nieuwe link maken.</p>
                          <button type="submit" class="danger">
                            Ja, trek deze link in
                          </button>
                        </form>
                      </div>
                    </details>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function ParticipantPage({
  data,
  open,
  message,
  introduction,
  newLink,
  passport,
  esfEntry,
}: {
  data: ParticipantPageData;
  open?: OpenForm | undefined;
  message?: string | undefined;
  introduction?: IntroductionForm | undefined;
  newLink?: NewLink | undefined;
  /** The growth passport's form that came back with a problem. */
  passport?: FormState | undefined;
  /** The ESF+ entry form that came back with a problem. */
  esfEntry?: FormState | undefined;
}) {
  const { participant, view, timeline, notes, tasks, names } = data;
  const agreement = view.agreement;
  const goal = agreement?.goalNoteId ? notes.get(agreement.goalNoteId)?.body : undefined;
  return (
    <>
      <p>
        <a href="/deelnemers">← Deelnemers</a>
      </p>
      <h1>{fullName(participant)}</h1>
      {message ? (
        <Notice kind="ok">
          <p>{message}</p>
        </Notice>
      ) : null}
      {open ? (
        <Notice kind="error">
          <p>
            <a href={`#actie-${open.type}`}>{ACTION_TITLES[open.type]}</a>: {open.state.refused ? 'dit kan nu niet.' : 'kijk het formulier even na.'}
          </p>
        </Notice>
      ) : null}

      <section class="card" aria-labelledby="stand">
        <h2 id="stand" class="visually-hidden">
          Stand van het groeipad
        </h2>
        <dl class="facts">
          <dt>Fase</dt>
          <dd id="fase">
            <PhaseBadge phase={view.phase} label={PHASE_LABELS[view.phase]} />
          </dd>
          <dt>Groeipad</dt>
          <dd>
            {PATH_STATUS_LABELS[view.status]}
            {view.pathRun > 1 ? ` (${view.pathRun}e keer)` : ''}
          </dd>
          <dt>Coach</dt>
          <dd>{view.coachId ? (names.get(view.coachId) ?? 'Andere Stuyfplek') : 'Nog geen coach'}</dd>
          <dt>Laatste contact</dt>
          <dd>{formatDate(view.lastContactAt)}</dd>
          <dt>Wat volgt</dt>
          <dd>{view.nextDeadline ? `${DEADLINE_LABELS[view.nextDeadline.kind]}, ${formatDate(view.nextDeadline.at)}` : '—'}</dd>
          <dt>Doorverwezen door</dt>
          <dd>{REFERRAL_SOURCE_LABELS[participant.referral_source as ReferralSource] ?? participant.referral_source}</dd>
          <dt>Ingeschreven</dt>
          <dd>{formatDate(participant.created_at)}</dd>
          <dt>Contact</dt>
          <dd>
            {participant.phone ?? ''}
            {participant.phone && participant.email ? ' · ' : ''}
            {participant.email ? <EmailAddress address={participant.email} /> : participant.phone ? '' : '—'}
            {participant.email ? (participant.opted_out_at ? ' (afgemeld voor e-mail)' : participant.consent_email ? '' : ' (geen toestemming voor e-mail)') : ''}
          </dd>
        </dl>
      </section>

      {tasks.length ? (
        <section aria-labelledby="taken">
          <h2 id="taken">Open taken</h2>
          <ul class="list">
            {tasks.map((t) => (
              <li>
                <div class="row">
                  <div>
                    <div class="title">{TASK_LABELS[t.kind]}</div>
                    <p class="meta">Tegen {formatDate(t.dueAt)}</p>
                  </div>
                  <form method="post" action={`/taken/${t.id}/afgewerkt`}>
                    <input type="hidden" name="terug" value={`/deelnemers/${participant.id}`} />
                    <button type="submit" class="secondary small">
                      Afgewerkt
                    </button>
                  </form>
                </div>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {agreement ? (
        <section class="card" aria-labelledby="overeenkomst">
          <h2 id="overeenkomst">Groeiovereenkomst</h2>
          <dl class="facts">
            <dt>Stand</dt>
            <dd>{AGREEMENT_STATUS_LABELS[agreement.status]}</dd>
            <dt>Looptijd</dt>
            <dd>
              {formatDate(agreement.startDate)} – {formatDate(agreement.endDate)}
            </dd>
            <dt>Groeidoel</dt>
            <dd>{goal ?? '—'}</dd>
            <dt>Engagement</dt>
            <dd>{agreement.commitments.map((k) => GROUP_MOMENT_LABELS[k]).join(', ')}</dd>
            <dt>Voorrechten</dt>
            <dd>{agreement.privileges.map((p) => PRIVILEGE_LABELS[p]).join(', ') || '—'}</dd>
            <dt>Akkoord deelnemer</dt>
            <dd id="akkoord-deelnemer">
              <Confirmation agreement={agreement} />
            </dd>
            {agreement.status === 'active' && agreement.pausedAt !== undefined ? (
              <>
                <dt>Gepauzeerd</dt>
                <dd id="overeenkomst-pauze">Sinds {formatDate(agreement.pausedAt)}; de einddatum schuift op met de pauze</dd>
              </>
            ) : null}
          </dl>
        </section>
      ) : null}

      {view.steps.length ? (
        <section class="card" aria-labelledby="stappen">
          <h2 id="stappen">Stappen</h2>
          <ol id="stappen-lijst">
            {view.steps.map((s) => (
              <li>
                {STEP_STATUS_LABELS[s.status]}
                {s.noteId && notes.get(s.noteId) ? `: ${notes.get(s.noteId)!.body}` : ''}
                {s.validation ? (
                  <p class="meta">
                    Gevalideerd op {formatDate(s.validation.at)}
                    {names.get(s.validation.by) ? ` door ${names.get(s.validation.by)}` : ''} — {STEP_EVIDENCE_LABELS[s.validation.evidence].toLowerCase()}
                  </p>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      {view.referrals.length ? (
        <section aria-labelledby="doorverwijzingen">
          <h2 id="doorverwijzingen">Doorverwijzingen</h2>
          <ul class="list">
            {view.referrals.map((r) => (
              <li>
                <span class="title">{PARTNER_LABELS[r.partner]}</span> — {REFERRAL_STATUS_LABELS[r.status].toLowerCase()}
                <p class="meta">Voorgesteld op {formatDate(r.proposedAt)}</p>
                {view.status === 'forgotten' ? null : (
                  <ReferralLinkControls
                    participantId={participant.id}
                    referral={r}
                    info={data.introductions?.get(r.id)}
                    state={introduction?.referralId === r.id ? introduction.state : undefined}
                  />
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <EsfEntrySection data={data} state={esfEntry} />
      <EsfResultsSection data={data} open={open} />

      <OwnPageSection data={data} newLink={newLink} />

      {participant.erased_at ? null : (
        <section class="card" aria-labelledby="groeipaspoort">
          <h2 id="groeipaspoort">Groeipaspoort</h2>
          <PassportForm steps={data.passportSteps} action={`/deelnemers/${participant.id}/groeipaspoort`} state={passport} who="coach" />
        </section>
      )}

      <section aria-labelledby="tijdlijn">
        <h2 id="tijdlijn">Tijdlijn</h2>
        {timeline.length ? (
          <ol class="timeline">
            {timeline.map((e) => (
              <li class={`kind-${e.kind}`}>
                <time class="when" datetime={new Date(e.at).toISOString()}>
                  {formatDateTime(e.at)}
                  {e.by ? ` · ${e.by}` : ''}
                </time>
                <span class="what">{e.title}</span>
                {e.detail ? <div>{e.detail}</div> : null}
                {e.noteId && notes.get(e.noteId) ? <p class="note">{notes.get(e.noteId)!.body}</p> : null}
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">Nog niets gebeurd.</p>
        )}
      </section>

      <section aria-labelledby="acties">
        <h2 id="acties">Acties</h2>
        {view.status === 'forgotten' ? (
          <p class="muted">Dit groeipad is beëindigd; er zijn geen acties meer mogelijk.</p>
        ) : (
          ACTION_GROUPS.map((group) => (
            <>
              <h3 class="group-title">{group.title}</h3>
              {group.types.map((type) => (
                <ActionForm type={type} data={data} open={open} />
              ))}
            </>
          ))
        )}
      </section>
    </>
  );
}
