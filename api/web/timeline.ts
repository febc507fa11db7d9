import {
  AFTERCARE_OUTCOME_LABELS,
  AGREEMENT_CHOICE_LABELS,
  STEP_EVIDENCE_LABELS,
  CONTACT_LABELS,
  CRISIS_LABELS,
  GROUP_MOMENT_LABELS,
  OUTFLOW_LABELS,
  PARTNER_ANSWER_LABELS,
  PARTNER_LABELS,
  PHASE_CHANGE_REASON_LABELS,
  PHASE_LABELS,
  ERASURE_REASON_LABELS,
  PRIVILEGE_LABELS,
  REFERRAL_SOURCE_LABELS,
  REFERRAL_STATUS_LABELS,
} from '../../domain/codes.js';
import { ESF_FOLLOW_UP_RECORDED_LABELS, ESF_SITUATION_LABELS } from '../../domain/esf.js';
import type { PathEvent } from '../../domain/path-events.js';
import type { PathView } from '../../domain/path-state.js';
import type { HistoryEntry } from '../queries.js';
import { AGREEMENT_STATUS_LABELS, STEP_STATUS_LABELS, formatDate } from './labels.js';

/**
 * The participant's timeline: every event of every path run from the database, newest first.
 * The worker records events just after the workflow made them, so the workflow's own view of
 * the current run fills in what has not reached the database yet (a page loaded right after an
 * action shows it at once).
 */

export type TimelineKind = 'start' | 'phase' | 'crisis' | 'agreement' | 'contact' | 'attendance' | 'step' | 'referral' | 'outflow' | 'aftercare' | 'coach' | 'forgotten';

export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  title: string;
  detail?: string | undefined;
  noteId?: string | undefined;
  by?: string | undefined;
}

/** A key that is the same for an event in the database and in the workflow's view. */
function identity(event: PathEvent, pathRun: number): string {
  switch (event.type) {
    case 'path_started':
      return `start@${pathRun}`;
    case 'phase_changed':
      return `phase@${event.change.at}@${event.change.to}`;
    case 'crisis_signalled':
      return `crisis@${event.crisis.at}@${event.crisis.kind}`;
    case 'agreement_signed':
      return `agreement@${event.agreement.id}`;
    case 'agreement_confirmed':
      return `confirmed@${event.agreementId}`;
    case 'crisis_confirmed':
      return `crisis-confirmed@${event.crisisAt}`;
    case 'agreement_paused':
      return `paused@${event.agreementId}@${event.at}`;
    case 'agreement_resumed':
      return `resumed@${event.agreementId}@${event.at}`;
    case 'step_validated':
      return `validated@${event.stepId}`;
    case 'referral_out_changed':
    case 'referral_answered':
      return `referral@${event.referral.id}@${event.referral.status}`;
    default:
      return '';
  }
}

/** Shorter than a month and a day: "1 maand en 3 dagen". */
function shiftText(shift: { months: number; days: number }): string {
  const parts = [shift.months ? `${shift.months} ${shift.months === 1 ? 'maand' : 'maanden'}` : '', shift.days ? `${shift.days} ${shift.days === 1 ? 'dag' : 'dagen'}` : ''].filter(Boolean);
  return parts.join(' en ') || 'minder dan een dag';
}

/** `confirmed`: crises (by their instant) whose proposed move a later phase change made, and when. */
function entry(event: PathEvent, at: number, confirmed: Map<number, number> = new Map()): TimelineEntry {
  switch (event.type) {
    case 'path_started':
      return { at, kind: 'start', title: `Ingeschreven, start in ${PHASE_LABELS[event.phase].toLowerCase()}`, detail: `Doorverwezen door: ${REFERRAL_SOURCE_LABELS[event.referralSource]}` };
    case 'phase_changed': {
      const { change } = event;
      return {
        at: change.at,
        kind: 'phase',
        title: change.from ? `Fase: ${PHASE_LABELS[change.from]} → ${PHASE_LABELS[change.to]}` : `Fase: ${PHASE_LABELS[change.to]}`,
        detail: [
          PHASE_CHANGE_REASON_LABELS[change.reason],
          change.crisisAt !== undefined ? `de overstap die de crisis van ${formatDate(change.crisisAt)} voorstelde` : '',
          change.agreementChoice ? AGREEMENT_CHOICE_LABELS[change.agreementChoice].toLowerCase() : '',
        ]
          .filter(Boolean)
          .join('; '),
        noteId: change.noteId,
        by: change.by,
      };
    }
    case 'crisis_signalled': {
      const { crisis } = event;
      // The recorded event says how it was then; a move made later is in `confirmed` (or the view's crisis).
      const laterAt = crisis.confirmedAt ?? confirmed.get(crisis.at);
      const detail = !crisis.proposed
        ? undefined
        : laterAt !== undefined
          ? `Overstap naar ${PHASE_LABELS[crisis.proposed].toLowerCase()} gemaakt op ${formatDate(laterAt)}`
          : crisis.moved
            ? `Met overstap naar ${PHASE_LABELS[crisis.proposed].toLowerCase()}`
            : `Overstap naar ${PHASE_LABELS[crisis.proposed].toLowerCase()} voorgesteld, nog niet gemaakt`;
      return { at: crisis.at, kind: 'crisis', title: `${CRISIS_LABELS[crisis.kind]} gesignaleerd`, detail, noteId: crisis.noteId, by: crisis.by };
    }
    case 'agreement_signed': {
      const a = event.agreement;
      const moments = a.commitments.map((k) => GROUP_MOMENT_LABELS[k]).join(', ');
      const privileges = a.privileges.map((p) => PRIVILEGE_LABELS[p]).join(', ');
      return {
        at: a.signedAt,
        kind: 'agreement',
        title: 'Groeiovereenkomst getekend',
        detail: `${formatDate(a.startDate)} tot ${formatDate(a.endDate)}. Groepsmomenten: ${moments}${privileges ? `. Voorrechten: ${privileges}` : ''}`,
        noteId: a.goalNoteId,
        by: a.coachId,
      };
    }
    case 'agreement_renewed':
      return { at, kind: 'agreement', title: 'Groeiovereenkomst verlengd', detail: `Tot ${formatDate(event.endDate)}` };
    case 'agreement_ended':
      return { at: event.at, kind: 'agreement', title: `Groeiovereenkomst: ${AGREEMENT_STATUS_LABELS[event.status].toLowerCase()}` };
    case 'agreement_confirmed':
      return { at: event.at, kind: 'agreement', title: 'Groeiovereenkomst bevestigd door de deelnemer ("akkoord" op de eigen pagina)' };
    case 'agreement_paused':
      return { at: event.at, kind: 'agreement', title: 'Groeiovereenkomst gepauzeerd', detail: 'Stap terug naar oriëntatie; de klok van de overeenkomst staat stil' };
    case 'agreement_resumed':
      return { at: event.at, kind: 'agreement', title: 'Groeiovereenkomst hervat', detail: `Na ${shiftText(event.shift)} pauze; loopt nu tot ${formatDate(event.endDate)}` };
    case 'crisis_confirmed':
      return { at: event.at, kind: 'crisis', title: `${CRISIS_LABELS[event.kind]} van ${formatDate(event.crisisAt)}: voorgestelde overstap gemaakt` };
    case 'step_validated':
      return {
        at: event.validation.at,
        kind: 'step',
        title: 'Stap gevalideerd',
        detail: STEP_EVIDENCE_LABELS[event.validation.evidence],
        noteId: event.validation.noteId,
        by: event.validation.by,
      };
    case 'contact_logged':
      return { at: event.at, kind: 'contact', title: `Contact: ${CONTACT_LABELS[event.kind].toLowerCase()}`, noteId: event.noteId, by: event.by };
    case 'attendance_logged':
      return { at: event.at, kind: 'attendance', title: `Aanwezig: ${GROUP_MOMENT_LABELS[event.kind]}`, detail: formatDate(event.date), by: event.by };
    case 'connectors_table_invited':
      return { at: event.at, kind: 'attendance', title: 'Uitgenodigd voor de volgende connectorstafel (na de focuscrisis)' };
    case 'step_registered':
      return { at: event.step.at, kind: 'step', title: `Stap: ${STEP_STATUS_LABELS[event.step.status].toLowerCase()}`, noteId: event.step.noteId, by: event.by };
    case 'referral_out_changed': {
      const r = event.referral;
      const when = r.status === 'introduced' && r.introducedAt ? r.introducedAt : r.status === 'proposed' ? r.proposedAt : at;
      return { at: when, kind: 'referral', title: `Doorverwijzing naar ${PARTNER_LABELS[r.partner]}: ${REFERRAL_STATUS_LABELS[r.status].toLowerCase()}`, noteId: r.status === 'proposed' ? r.noteId : undefined, by: event.by };
    }
    case 'referral_answered': {
      const r = event.referral;
      const answer = r.partnerAnswer;
      const what = answer ? (answer.answer === 'appointment' && answer.appointmentDate ? `eerste afspraak op ${formatDate(answer.appointmentDate)}` : PARTNER_ANSWER_LABELS[answer.answer].toLowerCase()) : '';
      return { at: event.at, kind: 'referral', title: `Partner antwoordde: ${what}`, detail: `Doorverwijzing naar ${PARTNER_LABELS[r.partner]}: ${REFERRAL_STATUS_LABELS[r.status].toLowerCase()}` };
    }
    case 'outflow_recorded':
      return { at: event.at, kind: 'outflow', title: `Uitstroom: ${OUTFLOW_LABELS[event.outflowType]}`, noteId: event.noteId, by: event.by };
    case 'aftercare_reconnected':
      return { at: event.at, kind: 'aftercare', title: 'Nazorg: tijd om opnieuw contact te leggen' };
    case 'aftercare_due':
      return { at: event.at, kind: 'aftercare', title: 'Nazorg: tijd om opnieuw contact te leggen', detail: 'Het groeipad wacht op het nazorggesprek' };
    case 'aftercare_closed':
      return { at: event.at, kind: 'aftercare', title: `Nazorg afgesloten: ${AFTERCARE_OUTCOME_LABELS[event.outcome].toLowerCase()}` };
    case 'path_reentered':
      return {
        at: event.at,
        kind: 'start',
        title: `Opnieuw ingestapt in ${PHASE_LABELS[event.phase].toLowerCase()}`,
        detail: event.referralSource ? `Via het onthaal; doorverwezen door: ${REFERRAL_SOURCE_LABELS[event.referralSource]}` : undefined,
        by: event.by,
      };
    case 'coach_assigned':
      return { at: event.at, kind: 'coach', title: 'Nieuwe coach', detail: event.coachId, by: event.by };
    case 'esf_result_recorded':
      return event.kind === 'leaving'
        ? {
            at: event.at,
            kind: 'outflow',
            title: `ESF-resultaat na uitstroom (situatie op ${formatDate(event.observedOn)})`,
            detail: (event.situations ?? []).map((code) => ESF_SITUATION_LABELS[code]).join(', ') || 'Geen van deze situaties',
            by: event.by,
          }
        : {
            at: event.at,
            kind: 'outflow',
            title: `Zes maanden na uitstroom: ${event.source === 'participant' ? 'de deelnemer antwoordde op de eigen pagina' : 'antwoord genoteerd'}`,
            detail: event.followUp ? ESF_FOLLOW_UP_RECORDED_LABELS[event.followUp] : undefined,
            by: event.by,
          };
    case 'path_forgotten':
      return {
        at: event.at,
        kind: 'forgotten',
        title: `Persoonsgegevens gewist: ${(ERASURE_REASON_LABELS[event.reason ?? 'participant_request']).toLowerCase()}`,
        by: event.by,
      };
  }
}

/** The events of the current run the workflow knows, in the database's shape. */
function viewEvents(view: PathView): PathEvent[] {
  const events: PathEvent[] = [];
  const first = view.phaseHistory[0];
  if (view.pathRun === 1 && first) events.push({ type: 'path_started', at: view.startedAt, referralSource: view.referralSource, phase: first.to, coachId: null });
  // A run's first phase is recorded as its start (or re-entry), not as a change.
  for (const change of view.phaseHistory) if (change.from !== null) events.push({ type: 'phase_changed', change });
  for (const crisis of view.crises) events.push({ type: 'crisis_signalled', crisis });
  if (view.agreement) events.push({ type: 'agreement_signed', agreement: view.agreement });
  if (view.agreement?.confirmedAt !== undefined) events.push({ type: 'agreement_confirmed', agreementId: view.agreement.id, at: view.agreement.confirmedAt });
  for (const referral of view.referrals) {
    if (referral.partnerAnswer) events.push({ type: 'referral_answered', at: referral.partnerAnswer.at, referral });
    else events.push({ type: 'referral_out_changed', at: referral.introducedAt ?? referral.proposedAt, referral, by: '' });
  }
  return events;
}

/** `names` turns profile ids (who did it, the new coach) into names. */
export function buildTimeline(history: HistoryEntry[], view: PathView | null, names: Map<string, string>): TimelineEntry[] {
  const seen = new Set<string>();
  const entries: TimelineEntry[] = [];
  const confirmed = new Map<number, number>();
  for (const h of history) if (h.event.type === 'crisis_confirmed') confirmed.set(h.event.crisisAt, h.event.at);
  for (const h of history) {
    const key = identity(h.event, h.pathRun);
    if (key) seen.add(key);
    entries.push(entry(h.event, Date.parse(h.at), confirmed));
  }
  if (view) {
    for (const event of viewEvents(view)) {
      const key = identity(event, view.pathRun);
      if (!seen.has(key)) entries.push(entry(event, view.startedAt));
    }
  }
  for (const e of entries) {
    if (e.kind === 'coach' && e.detail) e.detail = names.get(e.detail) ?? 'Een coach van een andere Stuyfplek';
    e.by = e.by ? names.get(e.by) : undefined;
  }
  entries.sort((a, b) => b.at - a.at);
  // A crisis with its move shares one note with the phase change it caused: show it once.
  const shown = new Set<string>();
  for (const e of entries) {
    if (!e.noteId) continue;
    if (shown.has(e.noteId)) e.noteId = undefined;
    else shown.add(e.noteId);
  }
  return entries;
}
