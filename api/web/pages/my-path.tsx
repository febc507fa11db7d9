import { GROUP_MOMENT_LABELS, PRIVILEGE_LABELS, type GroupMomentKind, type Phase } from '../../../domain/codes.js';
import { ESF_FOLLOW_UP_ANSWERS, ESF_FOLLOW_UP_LABELS } from '../../../domain/esf.js';
import type { LeavingView, PathStatus, PathView } from '../../../domain/path-state.js';
import type { PassportStep } from '../../passport.js';
import { Notice, RadioGroup, optionsFrom } from '../components.js';
import type { FormState } from '../form-input.js';
import { formatDate, formatDateTime } from '../labels.js';
import { PassportForm } from './passport.js';

/**
 * The participant's own page, opened with their signed link (no account): where they are on
 * their path, their growth agreement (which they confirm here), their steps, their next group
 * moments, their coach and their email choice. Plain Dutch, addressed to "je"; no JavaScript.
 */

export interface MyPathData {
  firstName: string;
  coachName: string | null;
  /** Null when the path cannot be read right now (the page still shows what the database has). */
  view: PathView | null;
  goal: string | null;
  stepNotes: Map<string, string>;
  /** Invitations that have not taken place yet, soonest first. */
  moments: Array<{ kind: GroupMomentKind; date: string }>;
  email: { address: boolean; consent: boolean; optedOutAt: string | null };
  /** Validated steps, for the growth passport. */
  passportSteps: PassportStep[];
}

/** What the participant just did (post/redirect/get), from the address's query. */
export const MY_PATH_NOTICES = {
  akkoord: { kind: 'ok', text: 'Dank je wel! Je hebt je groeiovereenkomst bevestigd. Je coach ziet dat ook.' },
  'al-akkoord': { kind: 'ok', text: 'Je hebt je groeiovereenkomst al bevestigd. Je hoeft niets meer te doen.' },
  'niet-akkoord': { kind: 'warn', text: 'Deze groeiovereenkomst loopt niet meer. Hieronder zie je hoe het nu staat; vraag je coach wat er veranderd is.' },
  gestopt: { kind: 'ok', text: 'Je krijgt geen e-mails meer van ons.' },
  hervat: { kind: 'ok', text: 'Je krijgt weer e-mails van ons.' },
  'geen-toestemming': { kind: 'warn', text: 'We kunnen je geen e-mails sturen: je gaf daar bij je inschrijving geen toestemming voor. Vraag het aan je coach als je dat wil veranderen.' },
  'werk-bedankt': { kind: 'ok', text: 'Bedankt voor je antwoord! Je blijft altijd welkom in de Stuyfplek.' },
  'werk-al-beantwoord': { kind: 'ok', text: 'Je hebt deze vraag al beantwoord. Bedankt!' },
  'werk-geen-vraag': { kind: 'warn', text: 'Er staat nu geen vraag voor je open. Hieronder zie je hoe het nu staat.' },
} as const satisfies Record<string, { kind: 'ok' | 'warn'; text: string }>;
export type MyPathNotice = keyof typeof MY_PATH_NOTICES;

/** The phase in the participant's own words. */
const PHASE_TEXT: Record<Phase, { title: string; text: string }> = {
  orientation: {
    title: 'Je bent aan het ontdekken wat je wil.',
    text: 'Je leert de Stuyfplek en de mensen kennen. Kom langs op de momenten die je aanspreken en praat met je coach over wat voor jou belangrijk is. Je hoeft nog niets te kiezen.',
  },
  focus: {
    title: 'Je weet wat je wil, en je zoekt hoe je daar komt.',
    text: 'Samen met je coach werk je aan je doel, stap voor stap. Niet alles hoeft meteen te lukken: zoeken hoort erbij.',
  },
  activation: {
    title: 'Je gaat aan de slag.',
    text: 'Je zet je plan in de praktijk: als vrijwilliger, in een job of met een eigen zaak. Je coach en de Stuyfplek blijven naast je staan.',
  },
};

const STATUS_TEXT: Partial<Record<PathStatus, { title: string; text: string }>> = {
  aftercare: {
    title: 'Je zette een nieuwe stap buiten de Stuyfplek.',
    text: 'Proficiat! We houden nog even contact om te horen hoe het met je gaat. Je blijft altijd welkom.',
  },
  closed: {
    title: 'Je groeipad is afgerond.',
    text: 'Je blijft altijd welkom in de Stuyfplek: om langs te komen, voor een babbel of om opnieuw te starten.',
  },
};

function Where({ view }: { view: PathView | null }) {
  if (!view) return <p>We kunnen je groeipad nu even niet tonen. Probeer het later nog eens.</p>;
  const words = STATUS_TEXT[view.status] ?? PHASE_TEXT[view.phase];
  return (
    <>
      <p id="waar">
        <strong>{words.title}</strong>
      </p>
      <p>{words.text}</p>
    </>
  );
}

function Agreement({ data, action }: { data: MyPathData; action: string }) {
  const agreement = data.view?.agreement;
  if (!agreement || agreement.status !== 'active') {
    return <p>Je hebt nu geen lopende groeiovereenkomst. Die maak je samen met je coach, wanneer je weet waar je naartoe wil.</p>;
  }
  return (
    <>
      <p>Je groeiovereenkomst is een afspraak met jezelf, met je coach en met de Stuyfplek.</p>
      <dl class="facts">
        <dt>Je doel</dt>
        <dd id="doel">{data.goal ?? 'Je doel schrijf je samen met je coach op.'}</dd>
        <dt>Je komt naar</dt>
        <dd>{agreement.commitments.map((k) => GROUP_MOMENT_LABELS[k]).join(', ')}</dd>
        <dt>De Stuyfplek geeft je</dt>
        <dd>{agreement.privileges.length ? agreement.privileges.map((p) => PRIVILEGE_LABELS[p]).join(', ') : 'Een plek om te groeien, samen met anderen'}</dd>
        <dt>Loopt van</dt>
        <dd>
          {formatDate(agreement.startDate)} tot {formatDate(agreement.endDate)}
        </dd>
      </dl>
      {agreement.confirmedAt !== undefined ? (
        <p id="akkoord-stand">
          <strong>Je zei akkoord op {formatDateTime(agreement.confirmedAt)}.</strong> Dank je wel!
        </p>
      ) : (
        <form method="post" action={action} id="akkoord-stand">
          <input type="hidden" name="agreementId" value={agreement.id} />
          <p>Klopt dit, en wil je je eraan houden? Laat het weten met de knop. Je coach ziet dan dat je akkoord bent.</p>
          <button type="submit">Akkoord</button>
        </form>
      )}
    </>
  );
}

function Steps({ data }: { data: MyPathData }) {
  // Every step the person set, in this path and earlier ones: they travel with them.
  const steps = data.view?.steps ?? [];
  if (steps.length === 0) return <p>Er staan nog geen stappen op papier. Je kiest ze samen met je coach.</p>;
  const done = steps.filter((s) => s.status === 'done');
  const needed = steps.filter((s) => s.status === 'needed');
  const text = (id: string, noteId: string | undefined) => (noteId ? data.stepNotes.get(noteId) : undefined) ?? `Stap ${steps.findIndex((s) => s.id === id) + 1}`;
  return (
    <>
      <h3>Wat je al deed</h3>
      {done.length ? (
        <ul>
          {done.map((s) => (
            <li>
              {text(s.id, s.noteId)}
              {s.validation ? <span class="muted"> — bevestigd door je coach op {formatDate(s.validation.at)}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>Nog niets, en dat is oké: je staat aan het begin.</p>
      )}
      <h3>Wat nog nodig is</h3>
      {needed.length ? (
        <ul>
          {needed.map((s) => (
            <li>{text(s.id, s.noteId)}</li>
          ))}
        </ul>
      ) : (
        <p>Er staat niets meer open. Goed bezig!</p>
      )}
    </>
  );
}

function Moments({ data }: { data: MyPathData }) {
  const commitments = data.view?.agreement?.status === 'active' ? data.view.agreement.commitments : [];
  return (
    <>
      {data.moments.length ? (
        <ul>
          {data.moments.map((m) => (
            <li>
              {GROUP_MOMENT_LABELS[m.kind]} op {formatDate(m.date)}
            </li>
          ))}
        </ul>
      ) : (
        <p>Er staat nog geen groepsmoment voor je gepland. Je bent altijd welkom op een open huys; vraag je coach wanneer het volgende is.</p>
      )}
      {commitments.length ? <p>In je groeiovereenkomst koos je voor: {commitments.map((k) => GROUP_MOMENT_LABELS[k].toLowerCase()).join(', ')}.</p> : null}
    </>
  );
}

/** ESF+: the latest leaving whose question went out, the one the page shows (and the path takes the answer for). */
export function askedLeaving(view: PathView | null): LeavingView | undefined {
  return [...(view?.leavings ?? [])].reverse().find((l) => l.followUpAt !== undefined);
}

/**
 * ESF+: after a leaving (the configured wait), one short question while it is open ("werk je op
 * dit moment?"), and a thank-you once it is answered. Nothing before the question came. Only the
 * latest leaving's question (the path takes the participant's answer for that one only). The
 * text names the day of leaving (the wait is configurable), and speaks of coming back when the
 * person is on the path again.
 */
function WorkQuestion({ data, action, state }: { data: MyPathData; action: string; state: FormState | undefined }) {
  const asked = askedLeaving(data.view);
  if (!asked) return null;
  return (
    <section class="card" aria-labelledby="werk">
      <h2 id="werk">Werk je op dit moment?</h2>
      {asked.followUp ? (
        <p id="werk-stand">
          <strong>Bedankt voor je antwoord!</strong> Je blijft altijd welkom in de Stuyfplek.
        </p>
      ) : (
        <form method="post" action={action} id="werk-stand" novalidate>
          <p>
            {data.view?.status === 'active'
              ? `Je rondde op ${formatDate(asked.leftOn)} een groeipad bij de Stuyfplek af, en fijn dat je er nu opnieuw bij bent! Over de tijd sindsdien hebben we één korte vraag.`
              : `Sinds je vertrek bij de Stuyfplek op ${formatDate(asked.leftOn)} is er wat tijd voorbijgegaan. We zijn benieuwd hoe het nu gaat.`}{' '}
            Je antwoord helpt ons, en de Stuyfplek, verder.
          </p>
          <RadioGroup prefix="werk" name="answer" label="Werk je op dit moment (ook als zelfstandige)?" options={optionsFrom(ESF_FOLLOW_UP_ANSWERS, ESF_FOLLOW_UP_LABELS)} state={state} required />
          <button type="submit">Antwoord versturen</button>
        </form>
      )}
    </section>
  );
}

function Emails({ data, action }: { data: MyPathData; action: string }) {
  const { email } = data;
  if (!email.address) return <p>We hebben geen e-mailadres van je. Wil je toch e-mails krijgen? Vraag het aan je coach.</p>;
  if (!email.consent) return <p>Je koos bij je inschrijving om geen e-mails van ons te krijgen. Wil je dat veranderen? Vraag het aan je coach.</p>;
  if (email.optedOutAt) {
    return (
      <form method="post" action={action}>
        <p id="e-mail-stand">Je krijgt geen e-mails meer van ons (gestopt op {formatDate(email.optedOutAt)}).</p>
        <input type="hidden" name="keuze" value="start" />
        <button type="submit">Stuur me weer e-mails</button>
      </form>
    );
  }
  return (
    <form method="post" action={action}>
      <p id="e-mail-stand">Je krijgt e-mails van ons: uitnodigingen en nieuws over je groeipad.</p>
      <input type="hidden" name="keuze" value="stop" />
      <button type="submit" class="secondary">
        Stop met e-mails
      </button>
    </form>
  );
}

export function MyPathPage({
  data,
  base,
  notice,
  passport,
  work,
}: {
  data: MyPathData;
  base: string;
  notice?: MyPathNotice | undefined;
  passport?: FormState | undefined;
  /** The answer to "werk je op dit moment?" that came back (no answer chosen). */
  work?: FormState | undefined;
}) {
  const shown = notice ? MY_PATH_NOTICES[notice] : undefined;
  return (
    <>
      <h1>Dag {data.firstName || 'bestuyver'}, dit is jouw groeipad</h1>
      {shown ? (
        <Notice kind={shown.kind}>
          <p>{shown.text}</p>
        </Notice>
      ) : null}
      <p class="muted">Deze pagina is alleen voor jou. Deel de link niet met anderen.</p>

      <WorkQuestion data={data} action={`${base}/werk`} state={work} />

      <section class="card" aria-labelledby="waar-titel">
        <h2 id="waar-titel">Waar je nu staat</h2>
        <Where view={data.view} />
      </section>

      <section class="card" aria-labelledby="overeenkomst">
        <h2 id="overeenkomst">Je groeiovereenkomst</h2>
        <Agreement data={data} action={`${base}/akkoord`} />
      </section>

      <section class="card" aria-labelledby="stappen">
        <h2 id="stappen">Je stappen</h2>
        <Steps data={data} />
      </section>

      <section class="card" aria-labelledby="groeipaspoort">
        <h2 id="groeipaspoort">Je groeipaspoort</h2>
        <PassportForm steps={data.passportSteps} action={`${base}/groeipaspoort`} state={passport} who="participant" />
      </section>

      <section class="card" aria-labelledby="momenten">
        <h2 id="momenten">Je volgende groepsmomenten</h2>
        <Moments data={data} />
      </section>

      <section class="card" aria-labelledby="coach">
        <h2 id="coach">Je coach</h2>
        <p>{data.coachName ? `Je coach is ${data.coachName}. Heb je een vraag? Spreek je coach gerust aan.` : 'Je krijgt binnenkort een coach. Tot dan helpt het onthaal van de Stuyfplek je graag verder.'}</p>
      </section>

      <section class="card" aria-labelledby="e-mails">
        <h2 id="e-mails">E-mails</h2>
        <Emails data={data} action={`${base}/e-mails`} />
      </section>
    </>
  );
}
