import type { Role } from '../auth.js';
import type { AgreementStatus, DeadlineKind, PathStatus } from '../../domain/path-state.js';
import type { StepStatus } from '../../domain/codes.js';
import type { ActionType } from '../requests.js';

/**
 * Words the pages need that domain/codes.ts does not carry (the codes' own labels live there
 * and are imported from there). Dutch, Flemish usage.
 */

export const ACTION_TITLES: Record<ActionType, string> = {
  signalCrisis: 'Crisis signaleren',
  changePhase: 'Fase wijzigen',
  signAgreement: 'Groeiovereenkomst tekenen',
  renewAgreement: 'Groeiovereenkomst verlengen',
  closeAgreement: 'Groeiovereenkomst afsluiten',
  resumeAgreement: 'Groeiovereenkomst hervatten',
  logContact: 'Contact noteren',
  logAttendance: 'Aanwezigheid op een groepsmoment',
  registerStep: 'Stap registreren',
  validateStep: 'Stap valideren',
  referOut: 'Warm doorverwijzen',
  updateReferral: 'Doorverwijzing opvolgen',
  outflow: 'Uitstroom registreren',
  recordLeavingResult: 'ESF-resultaat na uitstroom noteren',
  recordFollowUp: 'Antwoord na zes maanden noteren',
  reenter: 'Opnieuw laten instappen',
  assignCoach: 'Coach toewijzen',
  forget: 'Vergeten worden (gegevens wissen)',
};

export const ACTION_DONE: Record<ActionType, string> = {
  signalCrisis: 'De crisis is genoteerd. Er staat een taak klaar voor een coachingsgesprek.',
  changePhase: 'De fase is gewijzigd.',
  signAgreement: 'De groeiovereenkomst is getekend.',
  renewAgreement: 'De groeiovereenkomst is verlengd.',
  closeAgreement: 'De groeiovereenkomst is afgesloten.',
  resumeAgreement: 'De groeiovereenkomst loopt weer; de einddatum schoof op met de pauze.',
  logContact: 'Het contact is genoteerd.',
  logAttendance: 'De aanwezigheid is genoteerd.',
  registerStep: 'De stap is geregistreerd.',
  validateStep: 'De stap is gevalideerd: ze reist mee met de deelnemer.',
  referOut: 'De doorverwijzing is genoteerd.',
  updateReferral: 'De doorverwijzing is bijgewerkt.',
  outflow: 'De uitstroom is geregistreerd.',
  recordLeavingResult: 'Het ESF-resultaat na uitstroom is genoteerd.',
  recordFollowUp: 'Het antwoord na zes maanden is genoteerd.',
  reenter: 'De deelnemer is opnieuw ingestapt.',
  assignCoach: 'De coach is toegewezen.',
  forget: 'De persoonsgegevens worden gewist.',
};

export const STEP_STATUS_LABELS: Record<StepStatus, string> = {
  done: 'Gezet',
  needed: 'Nog nodig',
};

export const PATH_STATUS_LABELS: Record<PathStatus, string> = {
  active: 'Op weg',
  aftercare: 'Nazorg',
  closed: 'Afgesloten',
  forgotten: 'Gewist',
};

export const AGREEMENT_STATUS_LABELS: Record<AgreementStatus, string> = {
  active: 'Loopt',
  expired: 'Verlopen',
  completed: 'Afgerond',
  stopped: 'Stopgezet',
  ended_by_outflow: 'Beëindigd door uitstroom',
};

export const CLOSE_OUTCOME_LABELS = { completed: 'Afgerond', stopped: 'Stopgezet' } as const;

export const DEADLINE_LABELS: Record<DeadlineKind, string> = {
  reach_out: 'Contact opnemen',
  check_in: 'Even inchecken',
  agreement_evaluation: 'Groeiovereenkomst evalueren',
  agreement_end: 'Einde van de groeiovereenkomst',
  referral_follow_up: 'Doorverwijzing nagaan',
  aftercare: 'Nazorg: opnieuw contact leggen',
  aftercare_grace: 'Nazorg afsluiten als "niet bereikt" (zonder nazorggesprek)',
  esf_leaving_result: 'ESF-resultaat na uitstroom noteren',
  esf_follow_up: 'Zes maanden na uitstroom: vragen of de deelnemer werkt',
};

export const ROLE_LABELS: Record<Role, string> = {
  staff: 'Onthaal',
  coach: 'Coach',
  coordinator: 'Coördinator',
  facilitator: 'Begeleider groepsmomenten',
};

const dateFormat = new Intl.DateTimeFormat('nl-BE', { timeZone: 'Europe/Brussels', day: 'numeric', month: 'long', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('nl-BE', {
  timeZone: 'Europe/Brussels',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "12 april 2026" in Brussels. */
export function formatDate(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const instant = typeof at === 'number' ? at : /^\d{4}-\d{2}-\d{2}$/.test(at) ? Date.parse(`${at}T12:00:00Z`) : Date.parse(at);
  return Number.isFinite(instant) ? dateFormat.format(instant) : '—';
}

/** "12 apr. 2026 om 10:32" in Brussels. */
export function formatDateTime(at: number | string): string {
  const instant = typeof at === 'number' ? at : Date.parse(at);
  return Number.isFinite(instant) ? dateTimeFormat.format(instant) : '—';
}
