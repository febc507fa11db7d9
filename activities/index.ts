import { addDays, localTimeToInstant, parseLocalDate } from '../domain/calendar.js';
import type { GroupMomentKind } from '../domain/codes.js';
import type {
  CoachDigest,
  CreateTaskInput,
  DispatchActivities,
  PathActivities,
  RecordAllInput,
  RecordEventInput,
  ScheduleActivities,
  SendEmailInput,
  SendEmailResult,
} from './contract.js';
import { createEmailDelivery, type DeliveryDeps } from './email-delivery.js';
import { recordPathEffects } from './path-effects.js';

/**
 * The workflows' activities, built once per worker from injected clients. Every write is
 * idempotent on the key the workflow derived from its event: each event lands in its own table
 * under a unique key, written with "insert, or keep the row that is there", so a retry finds the
 * row it wrote. Rows that an event changes (a step, a referral, the path's phase) get absolute
 * values, so writing them twice is writing them once. A path's records, tasks and emails are
 * written by one database function per batch (activities/path-effects.ts).
 */

export interface ActivityDeps extends DeliveryDeps {
  /** Tells the email dispatcher that something was queued (worker/email-dispatcher.ts). */
  wakeDispatcher: () => Promise<void>;
}

export type Activities = PathActivities & ScheduleActivities & DispatchActivities;

/** A failure we must surface; supabase-js returns errors instead of throwing. */
export function check<T>(result: { data: T; error: { message: string; code?: string } | null }, what: string): T {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  return result.data;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createActivities(deps: ActivityDeps): Activities {
  const { db } = deps;

  // One activity per batch keeps a path's history small, and one database call per batch
  // (public.record_path_effects, in one transaction) keeps it fast. A retried batch writes
  // nothing twice; the dispatcher is woken when an email went to the outbox while it sleeps.
  async function recordAll(input: RecordAllInput): Promise<void> {
    if (await recordPathEffects(db, input)) await deps.wakeDispatcher();
  }

  /** One event on its own: a batch of one. */
  async function recordEvent(input: RecordEventInput): Promise<void> {
    const { participantId, siteId, ...record } = input;
    await recordAll({ participantId, siteId, effects: [{ type: 'record', ...record }] });
  }

  /** One task on its own: a batch of one. */
  async function createTask(input: CreateTaskInput): Promise<void> {
    const { participantId, siteId, ...task } = input;
    await recordAll({ participantId, siteId, effects: [{ type: 'task', ...task }] });
  }

  /**
   * Hands the email to the outbox (email_log, 'queued'), once per key, and wakes the dispatcher,
   * which sends queued emails in batches within the provider's rate limit
   * (activities/email-delivery.ts). Consent and addresses are looked at when the batch goes out,
   * so an opt-out in between still counts.
   */
  async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    await queueEmail(input);
    await deps.wakeDispatcher();
    return { status: 'queued' };
  }

  async function queueEmail(input: SendEmailInput): Promise<void> {
    const who = 'participantId' in input.recipient ? { participant_id: input.recipient.participantId } : { coach_id: input.recipient.coachId };
    check(
      await db
        .from('email_log')
        .upsert({ key: input.key, template: input.template, ...who, status: 'queued', params: input.params }, { onConflict: 'key', ignoreDuplicates: true }),
      'queue email',
    );
  }

  async function erasePersonalData(input: { participantId: string }): Promise<void> {
    check(await db.rpc('erase_participant', { p_participant: input.participantId }), 'erase participant');
  }

  async function meetAndGreetInvitees(input?: { date: string }): Promise<string[]> {
    if (input?.date) return check(await db.rpc('plan_meet_and_greets', { p_date: input.date }), 'plan the meet & greets') ?? [];
    return check(await db.rpc('meet_and_greet_invitees'), 'list meet & greet invitees') ?? [];
  }

  async function groupMomentInvitees(input: { siteId: string; momentId?: string; kind?: string }): Promise<string[]> {
    const ids = check(await db.rpc('group_moment_invitees', { p_site: input.siteId }), 'list group moment invitees') ?? [];
    if (input.momentId && input.kind && ids.length > 0) {
      const rows = ids.map((participantId) => ({
        key: `moment/${input.momentId}/${participantId}`,
        participant_id: participantId,
        site_id: input.siteId,
        kind: input.kind as GroupMomentKind,
        moment_id: input.momentId!,
        reason: 'invited',
      }));
      check(await db.from('group_moment_invitations').upsert(rows, { onConflict: 'key', ignoreDuplicates: true }), 'record invitations');
    }
    return ids;
  }

  async function coachDigests(input: { date: string }): Promise<CoachDigest[]> {
    const day = parseLocalDate(input.date);
    const rows = check(
      await db.rpc('coach_task_digest', { p_day_start: iso(localTimeToInstant(day, 0)), p_day_end: iso(localTimeToInstant(addDays(day, 1), 0)) }),
      'count open tasks',
    );
    return (rows ?? []).map((r) => ({ coachId: r.coach_id, due: r.due, overdue: r.overdue }));
  }

  const { deliverQueuedEmails } = createEmailDelivery(deps);
  return { recordAll, recordEvent, createTask, sendEmail, erasePersonalData, meetAndGreetInvitees, groupMomentInvitees, coachDigests, deliverQueuedEmails };
}
