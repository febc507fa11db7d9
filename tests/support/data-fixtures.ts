import { randomUUID } from 'node:crypto';
import { Resend } from 'resend';
import { createActivities, type Activities, type ActivityDeps } from '../../activities/index.js';
import { issueLink, recordLinkUse } from '../../activities/access-links.js';
import type { PathEvent } from '../../domain/path-events.js';
import type { TestStack } from './stack.js';

/**
 * Data for the database tests, written the way production writes it: the participant row as the
 * intake does, everything on the path through the real activities (recordEvent, createTask,
 * sendEmail) into the real Postgres through PostgREST.
 */

export const DAY = 86_400_000;

export interface Person {
  id: string;
  token: string;
}

export async function insertParticipant(
  stack: TestStack,
  o: { siteId: string; coachId: string | null; firstName?: string; lastName?: string; email?: string | null; consent?: boolean; referralSource?: string },
): Promise<string> {
  const id = randomUUID();
  await stack.sql.query(
    `insert into public.participants (id, site_id, coach_id, first_name, last_name, birth_date, email, phone, consent_email, referral_source)
     values ($1, $2, $3, $4, $5, '1988-03-14', $6, '0470 12 34 56', $7, $8)`,
    [
      id,
      o.siteId,
      o.coachId,
      o.firstName ?? 'Test',
      o.lastName ?? `Deelnemer ${id.slice(0, 4)}`,
      o.email === undefined ? `${id}@example.be` : o.email,
      o.consent ?? true,
      o.referralSource ?? 'ocmw',
    ],
  );
  return id;
}

export interface FilledPath {
  participantId: string;
  agreementId: string;
  stepId: string;
  referralId: string;
  noteId: string;
  keys: string[];
  taskKey: string;
  emailKeys: string[];
}

/**
 * A whole path run in events, from intake to the aftercare reconnect, so that every table has a
 * row for the participant. `times` calls each activity that many times (a retried activity).
 */
export async function fillPath(
  stack: TestStack,
  activities: Activities,
  o: { participantId: string; siteId: string; coachId: string; start: number; times?: number },
): Promise<FilledPath> {
  const { participantId, siteId, coachId, start } = o;
  const times = o.times ?? 1;
  const agreementId = randomUUID();
  const stepId = randomUUID();
  const referralId = randomUUID();
  const { rows } = await stack.sql.query<{ id: string }>('insert into public.notes (participant_id, author_id, body) values ($1, $2, $3) returning id', [
    participantId,
    coachId,
    'Wil een eigen atelier, twijfelt nog over het statuut.',
  ]);
  const noteId = rows[0]!.id;
  const at = (days: number) => start + days * DAY;
  const events: PathEvent[] = [
    { type: 'path_started', at: start, referralSource: 'ocmw', phase: 'orientation', coachId },
    { type: 'crisis_signalled', crisis: { at: at(20), kind: 'focus_crisis', by: coachId, proposed: 'focus', moved: true, noteId } },
    { type: 'phase_changed', change: { at: at(20), from: 'orientation', to: 'focus', by: coachId, reason: 'crisis', noteId } },
    {
      type: 'agreement_signed',
      agreement: {
        id: agreementId,
        coachId,
        signedAt: at(30),
        startDate: '2025-02-01',
        endDate: '2026-02-01',
        commitments: ['connectors_table', 'open_house'],
        privileges: ['space', 'network'],
        goalNoteId: noteId,
        steps: [],
        status: 'active',
        renewals: 0,
      },
    },
    { type: 'step_registered', agreementId, step: { id: stepId, status: 'needed', at: at(31) }, by: coachId },
    { type: 'step_registered', agreementId, step: { id: stepId, status: 'done', at: at(40), noteId }, by: coachId },
    { type: 'contact_logged', at: at(41), kind: 'conversation', by: coachId, noteId },
    { type: 'attendance_logged', at: at(42), kind: 'connectors_table', date: '2025-03-15', by: coachId },
    { type: 'referral_out_changed', at: at(43), referral: { id: referralId, partner: 'vdab', status: 'proposed', proposedAt: at(43) }, by: coachId },
    { type: 'referral_out_changed', at: at(44), referral: { id: referralId, partner: 'vdab', status: 'introduced', proposedAt: at(43), introducedAt: at(44) }, by: coachId },
    { type: 'agreement_renewed', at: at(45), agreementId, startDate: '2026-02-01', endDate: '2027-02-01', renewals: 1 },
    { type: 'agreement_ended', agreementId, status: 'ended_by_outflow', at: at(60) },
    { type: 'outflow_recorded', at: at(60), outflowType: 'self_employed', by: coachId, noteId },
    { type: 'aftercare_reconnected', at: at(150) },
  ];
  const keys: string[] = [];
  for (const [seq, event] of events.entries()) {
    const key = `${participantId}/1/${seq}/record/${event.type}`;
    keys.push(key);
    for (let i = 0; i < times; i += 1) await activities.recordEvent({ key, participantId, siteId, pathRun: 1, event });
  }
  const taskKey = `${participantId}/1/${events.length}/task/aftercare_reconnect`;
  for (let i = 0; i < times; i += 1) {
    await activities.createTask({ key: taskKey, participantId, siteId, pathRun: 1, kind: 'aftercare_reconnect', dueAt: at(150), coachId, cause: 'aftercare' });
  }
  // The partner's side of the referral: its introduction (consent, address), its link, a view.
  const intro = await stack.db
    .from('referral_introductions')
    .insert({ referral_id: referralId, participant_id: participantId, site_id: siteId, partner: 'vdab', partner_email: 'onthaal@vdab.example', shared_fields: ['first_name'], introduced_by: coachId })
    .select('id')
    .single();
  if (intro.error) throw new Error(`fixture introduction: ${intro.error.message}`);
  const link = await issueLink(stack.db, stack.config.LINK_SECRET, { participantId, siteId, purpose: 'referral', referralId, createdBy: coachId, validity: stack.config.REFERRAL_LINK_VALIDITY });
  const linkRow = await stack.db.from('access_links').select('*').eq('id', link.id).single();
  if (linkRow.error) throw new Error(`fixture link: ${linkRow.error.message}`);
  await recordLinkUse(stack.db, linkRow.data);
  const emailKeys = [`${participantId}/1/0/email/welcome/participant`, `${participantId}/1/0/email/coach_new_participant/coach/${coachId}`];
  for (let i = 0; i < times; i += 1) {
    await activities.sendEmail({ key: emailKeys[0]!, template: 'welcome', recipient: { participantId }, params: {} });
    await activities.sendEmail({ key: emailKeys[1]!, template: 'coach_new_participant', recipient: { coachId }, params: { participantId } });
  }
  return { participantId, agreementId, stepId, referralId, noteId, keys, taskKey, emailKeys };
}

/** Every table in public, and which column ties a row to a participant. */
export const PARTICIPANT_TABLES = [
  'participants',
  'notes',
  'paths',
  'path_events',
  'phase_changes',
  'crises',
  'agreements',
  'agreement_renewals',
  'steps',
  'contacts',
  'attendance',
  'referrals_in',
  'referrals_out',
  'outflows',
  'aftercare',
  'tasks',
  'email_log',
  'referral_introductions',
] as const;
export type ParticipantTable = (typeof PARTICIPANT_TABLES)[number];
/** The signed links of people without an account, and every use of them (written by the API, not the workflow). */
export const LINK_TABLES = ['access_links', 'access_link_views'] as const;
/** Group moments as they happen (written by the API): the moments and their guests belong to a site, invitations and attendance to a participant. */
export const GROUP_MOMENT_TABLES = ['group_moments', 'group_moment_invitations', 'group_moment_attendance', 'group_moment_guests'] as const;
/** The ESF+ records of a participant: the entry snapshot (its special-category part apart) and the results after leaving. */
export const ESF_TABLES = ['esf_entries', 'esf_entry_special', 'esf_results'] as const;
export const ALL_TABLES = ['sites', 'profiles', ...PARTICIPANT_TABLES, ...LINK_TABLES, ...GROUP_MOMENT_TABLES, ...ESF_TABLES] as const;
export type AnyTable = (typeof ALL_TABLES)[number];

export { until } from './until.js';

/**
 * The activities as the worker builds them, on the test stack's configuration, with the
 * database client and the dispatcher's wake-up a test wants to watch; no email leaves (batches of one, at one a second, to an unused key).
 */
export function activitiesOn(stack: TestStack, o: { db: ActivityDeps['db']; wakeDispatcher?: () => Promise<void> }): Activities {
  return createActivities({
    db: o.db,
    resend: new Resend('re_unused'),
    emailFrom: stack.config.EMAIL_FROM,
    publicUrl: stack.config.PUBLIC_URL,
    optOutSecret: stack.config.SUPABASE_JWT_SECRET,
    linkSecret: stack.config.LINK_SECRET,
    participantLinks: { validity: stack.config.PARTICIPANT_LINK_VALIDITY, minLeft: stack.config.PARTICIPANT_LINK_REUSE_MIN_LEFT },
    ratePerSecond: 1,
    batchSize: 1,
    lingerMs: 0,
    wakeDispatcher: o.wakeDispatcher ?? (async () => {}),
  });
}
