import { PHASES, PHASE_LABELS, REFERRAL_SOURCES, REFERRAL_SOURCE_LABELS } from '../../../domain/codes.js';
import { Checkbox, FormProblems, Select, TextField, optionsFrom } from '../components.js';
import type { FormState } from '../form-input.js';
import { ESF_FIELD_LABELS, IntakeEsfFieldset } from './esf-entry.js';

export const INTAKE_LABELS: Record<string, string> = {
  firstName: 'Voornaam',
  lastName: 'Familienaam',
  birthDate: 'Geboortedatum',
  email: 'E-mailadres',
  phone: 'Telefoon',
  consentEmail: 'De deelnemer wil e-mails van de Stuyfplek krijgen',
  referralSource: 'Wie verwees door?',
  coachId: 'Coach',
  reentryPhase: 'Komt deze persoon terug? In welke fase stapt die opnieuw in?',
  ...ESF_FIELD_LABELS,
};

export function IntakePage({ siteName, coaches, state }: { siteName: string; coaches: Array<{ id: string; name: string }>; state?: FormState | undefined }) {
  const prefix = 'intake';
  const common = (name: keyof typeof INTAKE_LABELS & string) => ({ prefix, name, label: INTAKE_LABELS[name]!, state });
  return (
    <>
      <h1>Inschrijving</h1>
      <p class="lead">Een nieuwe bestuyver voor {siteName}. Wie al ingeschreven is, krijgt geen tweede groeipad.</p>
      <FormProblems state={state} prefix={prefix} labels={INTAKE_LABELS} />
      <form method="post" action="/inschrijving" novalidate class="card">
        <div class="two">
          <TextField {...common('firstName')} autocomplete="off" required />
          <TextField {...common('lastName')} autocomplete="off" required />
        </div>
        <TextField {...common('birthDate')} type="date" required />
        <Select {...common('referralSource')} options={optionsFrom(REFERRAL_SOURCES, REFERRAL_SOURCE_LABELS)} placeholder="Kies wie doorverwees" required />
        <div class="two">
          <TextField {...common('phone')} type="tel" autocomplete="off" />
          <TextField {...common('email')} type="email" autocomplete="off" />
        </div>
        <Checkbox {...common('consentEmail')} hint="Alleen met toestemming; elke e-mail heeft een link om je af te melden." />
        <Select {...common('coachId')} options={coaches.map((c) => [c.id, c.name] as const)} placeholder="Nog geen coach" hint="Kan later nog." />
        <Select
          {...common('reentryPhase')}
          options={optionsFrom(PHASES, PHASE_LABELS)}
          placeholder="Oriëntatie (standaard)"
          hint="Alleen voor wie hier al een groeipad had dat afgelopen is: het vorige groeipad en de gevalideerde stappen blijven."
        />
        <IntakeEsfFieldset prefix={prefix} state={state} />
        <button type="submit">Inschrijven en groeipad starten</button>
      </form>
    </>
  );
}
