import { ApplicationFailure } from '@temporalio/common';
import { addDays, formatLocalDate, localTimeToInstant, parseLocalDate, toLocalDate } from '../domain/calendar.js';
import { groupMomentEmailKey, type GroupMomentKind } from '../domain/codes.js';
import { pathWorkflowId } from '../domain/messages.js';
import type { TaskKind } from '../domain/codes.js';
import type { PathEvent } from '../domain/path-events.js';
import type { Database } from '../supabase/types.js';
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

/**
 * The workflows' activities, built once per worker from injected clients. Every write is
 * idempotent on the key the workflow derived from its event: each event lands in its own table
 * under a unique key, written with "insert, or keep the row that is there", so a retry finds the
 * row it wrote. Rows that an event changes (a step, a referral, the path's phase) get absolute
 * values, so writing them twice is writing them once.
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

function one<T>(result: { data: T; error: { message: string } | null }, what: string): NonNullable<T> {
  const data = check(result, what);
  if (data === null || data === undefined) throw new Error(`${what}: not found`);
  return data;
}

const iso = (ms: number) => new Date(ms).toISOString();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Who did it, when it is a person ("intake" and the like are not). */
const actor = (by: string | null | undefined): string | null => (by && UUID.test(by) ? by : null);

/** The event's own time when it carries one; else the time it is first recorded (kept on retries). */
function eventTime(event: PathEvent): number | undefined {
  const at = (event as { at?: unknown }).at;
  return typeof at === 'number' ? at : undefined;
}

type Tables = Database['public']['Tables'];

export function createActivities(deps: ActivityDeps): Activities {
  const { db } = deps;

  /** The path run's row; returns when it started (the first write wins). */
  async function startRun(input: RecordEventInput, event: Extract<PathEvent, { type: 'path_started' | 'path_reentered' }>, at: number): Promise<string> {
    check(
      await db.from('paths').upsert(
        {
          participant_id: input.participantId,
          path_run: input.pathRun,
          site_id: input.siteId,
          phase: event.phase,
          status: 'active',
          started_at: iso(at),
          workflow_id: pathWorkflowId(input.participantId),
        },
        { onConflict: 'participant_id,path_run', ignoreDuplicates: true },
      ),
      'record path',
    );
    const row = one(
      await db.from('paths').select('started_at').eq('participant_id', input.participantId).eq('path_run', input.pathRun).maybeSingle(),
      'read path',
    );
    return row.started_at;
  }

  async function updatePath(input: RecordEventInput, change: Pick<Tables['paths']['Update'], 'phase' | 'status' | 'ended_at'>): Promise<void> {
    check(await db.from('paths').update(change).eq('participant_id', input.participantId).eq('path_run', input.pathRun), 'update path');
  }

  /** A referral's row as the event has it; idempotent on the event's key (last_key). */
  async function writeReferral(input: RecordEventInput, r: Extract<PathEvent, { type: 'referral_out_changed' }>['referral'], by: string | null): Promise<void> {
    const { key, participantId, siteId, pathRun } = input;
    const keep = { ignoreDuplicates: true } as const;
    const firstSeenAt = iso(
      r.partnerAnswer
        ? r.partnerAnswer.at
        : r.status === 'introduced' && r.introducedAt !== undefined
          ? r.introducedAt
          : r.status === 'proposed'
            ? r.proposedAt
            : Date.now(),
    );
    const fields = {
      partner: r.partner,
      status: r.status,
      proposed_at: iso(r.proposedAt),
      introduced_at: r.introducedAt !== undefined ? iso(r.introducedAt) : null,
      updated_at: firstSeenAt,
      updated_by: actor(by),
      note_id: r.noteId ?? null,
      last_key: key,
    };
    check(
      await db
        .from('referrals_out')
        .upsert({ id: r.id, participant_id: participantId, site_id: siteId, path_run: pathRun, ...fields }, { onConflict: 'id', ...keep }),
      'record referral out',
    );
    // A later change of the same referral; a retry of it changes nothing (last_key).
    check(await db.from('referrals_out').update(fields).eq('id', r.id).neq('last_key', key), 'update referral out');
  }

  /** Marks the participant's open task(s) matching `match` done; a done or cancelled one stays as it is. */
  async function settleOpenTask(
    participantId: string,
    match: { kind: TaskKind; cause: string; path_run?: number },
    completion: { completed_at?: string; completed_by?: string | null } = {},
  ): Promise<void> {
    check(
      await db.from('tasks').update({ status: 'done', ...completion }).eq('participant_id', participantId).match(match).eq('status', 'open'),
      `settle ${match.kind} task`,
    );
  }

  async function recordEvent(input: RecordEventInput): Promise<void> {
    const { key, event, participantId, siteId, pathRun } = input;
    const base = { key, participant_id: participantId, site_id: siteId, path_run: pathRun };
    const keep = { ignoreDuplicates: true } as const;

    switch (event.type) {
      case 'path_started': {
        // The event carries the intake time; histories recorded before it did fall back to the
        // participant row's, written just before the path started (the same on every retry).
        const intakeAt = eventTime(event) ?? Date.parse(one(await db.from('participants').select('created_at').eq('id', participantId).maybeSingle(), 'read intake').created_at);
        const startedAt = await startRun(input, event, intakeAt);
        check(
          await db
            .from('phase_changes')
            .upsert({ ...base, from_phase: null, to_phase: event.phase, reason: null, changed_by: null, changed_at: startedAt }, { onConflict: 'key', ...keep }),
          'record first phase',
        );
        check(
          await db.from('referrals_in').upsert({ ...base, source: event.referralSource, referred_at: startedAt }, { onConflict: 'key', ...keep }),
          'record referral in',
        );
        break;
      }
      case 'path_reentered': {
        check(
          await db
            .from('paths')
            .update({ status: 'closed', ended_at: iso(event.at) })
            .eq('participant_id', participantId)
            .eq('path_run', event.previousRun)
            .in('status', ['active', 'aftercare']),
          'close the earlier path',
        );
        await startRun(input, event, event.at);
        // Back through the intake desk: the new referral counts as an intake of this run.
        if (event.referralSource) {
          check(
            await db.from('referrals_in').upsert({ ...base, source: event.referralSource, referred_at: iso(event.at) }, { onConflict: 'key', ...keep }),
            'record referral in of the re-entry',
          );
        }
        break;
      }
      case 'phase_changed': {
        const { change } = event;
        check(
          await db.from('phase_changes').upsert(
            {
              ...base,
              from_phase: change.from,
              to_phase: change.to,
              reason: change.reason,
              changed_by: actor(change.by),
              changed_at: iso(change.at),
              note_id: change.noteId ?? null,
              crisis_signalled_at: change.crisisAt !== undefined ? iso(change.crisisAt) : null,
              agreement_choice: change.agreementChoice ?? null,
            },
            { onConflict: 'key', ...keep },
          ),
          'record phase change',
        );
        await updatePath(input, { phase: change.to });
        break;
      }
      case 'crisis_signalled': {
        const { crisis } = event;
        check(
          await db.from('crises').upsert(
            {
              ...base,
              kind: crisis.kind,
              signalled_by: actor(crisis.by),
              signalled_at: iso(crisis.at),
              proposed_phase: crisis.proposed,
              moved: crisis.moved,
              note_id: crisis.noteId ?? null,
            },
            { onConflict: 'key', ...keep },
          ),
          'record crisis',
        );
        break;
      }
      case 'agreement_signed': {
        const a = event.agreement;
        check(
          await db.from('agreements').upsert(
            {
              ...base,
              id: a.id,
              coach_id: actor(a.coachId),
              signed_at: iso(a.signedAt),
              start_date: a.startDate,
              end_date: a.endDate,
              commitments: a.commitments,
              privileges: a.privileges,
              goal_note_id: a.goalNoteId ?? null,
              status: a.status,
              renewals: a.renewals,
            },
            { onConflict: 'id', ...keep },
          ),
          'record agreement',
        );
        break;
      }
      case 'agreement_renewed': {
        check(
          await db.from('agreement_renewals').upsert(
            {
              ...base,
              agreement_id: event.agreementId,
              renewal: event.renewals,
              start_date: event.startDate,
              end_date: event.endDate,
              renewed_at: iso(eventTime(event) ?? Date.now()),
            },
            { onConflict: 'key', ...keep },
          ),
          'record renewal',
        );
        check(
          await db.from('agreements').update({ start_date: event.startDate, end_date: event.endDate, renewals: event.renewals }).eq('id', event.agreementId),
          'renew agreement',
        );
        break;
      }
      case 'agreement_ended':
        check(await db.from('agreements').update({ status: event.status, ended_at: iso(event.at), paused_at: null }).eq('id', event.agreementId), 'end agreement');
        break;
      case 'agreement_confirmed':
        // The first confirmation's time stays (the workflow allows one; a retry finds it set).
        check(
          await db.from('agreements').update({ confirmed_at: iso(event.at) }).eq('id', event.agreementId).is('confirmed_at', null),
          'confirm agreement',
        );
        break;
      case 'contact_logged':
        check(
          await db
            .from('contacts')
            .upsert({ ...base, kind: event.kind, contact_at: iso(event.at), logged_by: actor(event.by), note_id: event.noteId ?? null }, { onConflict: 'key', ...keep }),
          'record contact',
        );
        break;
      case 'attendance_logged':
        check(
          await db
            .from('attendance')
            .upsert({ ...base, kind: event.kind, moment_date: event.date, logged_at: iso(event.at), logged_by: actor(event.by) }, { onConflict: 'key', ...keep }),
          'record attendance',
        );
        // The moment's register shows it was counted on the path (the first time stays).
        if (event.momentId) {
          check(
            await db
              .from('group_moment_attendance')
              .update({ counted_at: iso(event.at) })
              .eq('moment_id', event.momentId)
              .eq('participant_id', participantId)
              .is('counted_at', null),
            'mark attendance counted',
          );
        }
        break;
      case 'connectors_table_invited': {
        // The next connectors table of the site on or after the crisis's day, or pending until
        // one is planned (public.plan_group_moment then attaches it and queues the email).
        const today = formatLocalDate(toLocalDate(event.at));
        const moments = check(
          await db.rpc('invite_to_next_connectors_table', { p_key: key, p_participant: participantId, p_site: siteId, p_today: today }),
          'invite to the next connectors table',
        );
        const moment = (moments ?? [])[0];
        if (moment) {
          // The same key as staff's invitations to that moment: one email, whoever invites.
          await queueEmail({
            key: groupMomentEmailKey('connectors_table', moment.moment_date, participantId),
            template: 'group_moment_invitation',
            recipient: { participantId },
            params: { kind: 'connectors_table', date: moment.moment_date },
          });
          await deps.wakeDispatcher();
        }
        break;
      }
      case 'crisis_confirmed':
        // Absolute values: writing them twice is writing them once.
        check(
          await db
            .from('crises')
            .update({ moved: true, confirmed_at: iso(event.at) })
            .eq('participant_id', participantId)
            .eq('path_run', pathRun)
            .eq('signalled_at', iso(event.crisisAt)),
          'record crisis confirmed',
        );
        break;
      case 'agreement_paused':
        check(await db.from('agreements').update({ paused_at: iso(event.at) }).eq('id', event.agreementId), 'record agreement paused');
        break;
      case 'agreement_resumed':
        check(await db.from('agreements').update({ paused_at: null, end_date: event.endDate }).eq('id', event.agreementId), 'record agreement resumed');
        break;
      case 'step_validated': {
        const { validation } = event;
        check(
          await db
            .from('steps')
            .update({
              status: 'done',
              validated_at: iso(validation.at),
              validated_by: actor(validation.by),
              evidence: validation.evidence,
              evidence_note_id: validation.noteId ?? null,
            })
            .eq('id', event.stepId),
          'record step validated',
        );
        break;
      }
      case 'step_registered': {
        const { step } = event;
        check(
          await db.from('steps').upsert(
            {
              id: step.id,
              agreement_id: event.agreementId ?? null,
              participant_id: participantId,
              site_id: siteId,
              path_run: step.pathRun ?? pathRun,
              status: step.status,
              registered_at: iso(step.at),
              registered_by: actor(event.by),
              note_id: step.noteId ?? null,
              last_key: key,
            },
            { onConflict: 'id' },
          ),
          'record step',
        );
        break;
      }
      case 'referral_out_changed':
        await writeReferral(input, event.referral, event.by);
        break;
      case 'referral_answered': {
        // The partner has no profile: no one is named as the one who changed it.
        await writeReferral(input, event.referral, null);
        // The follow-up task that already went out is done once the partner answered. Only an
        // open task changes, so a retry (or a coach who closed it first) changes nothing.
        if (event.settlesTask) await settleOpenTask(participantId, { kind: 'referral_follow_up', cause: event.settlesTask });
        break;
      }
      case 'outflow_recorded':
        check(
          await db
            .from('outflows')
            .upsert({ ...base, outflow_type: event.outflowType, outflow_at: iso(event.at), recorded_by: actor(event.by), note_id: event.noteId ?? null }, { onConflict: 'key', ...keep }),
          'record outflow',
        );
        check(
          await db
            .from('aftercare')
            .upsert({ participant_id: participantId, path_run: pathRun, site_id: siteId, outflow_at: iso(event.at) }, { onConflict: 'participant_id,path_run', ...keep }),
          'start aftercare',
        );
        await updatePath(input, { status: 'aftercare' });
        break;
      case 'aftercare_reconnected':
        check(
          await db.from('aftercare').update({ due_at: iso(event.at), due_key: key }).eq('participant_id', participantId).eq('path_run', pathRun).is('due_key', null),
          'record aftercare due',
        );
        await updatePath(input, { status: 'closed', ended_at: iso(event.at) });
        break;
      case 'aftercare_due':
        check(
          await db.from('aftercare').update({ due_at: iso(event.at), due_key: key }).eq('participant_id', participantId).eq('path_run', pathRun).is('due_key', null),
          'record aftercare due',
        );
        break;
      case 'aftercare_closed':
        check(
          await db
            .from('aftercare')
            .update({ outcome: event.outcome, ...(event.outcome === 'reached' ? { reconnected_at: iso(event.at) } : {}) })
            .eq('participant_id', participantId)
            .eq('path_run', pathRun)
            .is('outcome', null),
          'record aftercare closed',
        );
        // The reconnect conversation is the reconnect task done; only an open task changes.
        if (event.settlesTask) {
          await settleOpenTask(participantId, { kind: 'aftercare_reconnect', cause: event.settlesTask, path_run: pathRun }, { completed_at: iso(event.at), completed_by: actor(event.by) });
        }
        await updatePath(input, { status: 'closed', ended_at: iso(event.at) });
        break;
      case 'coach_assigned':
        check(await db.from('participants').update({ coach_id: event.coachId }).eq('id', participantId), 'assign coach');
        // The new coach takes over what is still open.
        check(await db.from('tasks').update({ assignee_id: event.coachId }).eq('participant_id', participantId).eq('status', 'open'), 'hand over tasks');
        break;
      case 'path_forgotten':
        await updatePath(input, { status: 'forgotten', ended_at: iso(event.at) });
        break;
      default: {
        const unknown: never = event;
        throw ApplicationFailure.nonRetryable(`unknown path event ${(unknown as { type: string }).type}`, 'UnknownPathEvent');
      }
    }

    // Last: the audit row says the event was recorded in full.
    check(
      await db
        .from('path_events')
        .upsert({ ...base, type: event.type, payload: event as never, ...(eventTime(event) ? { at: iso(eventTime(event)!) } : {}) }, { onConflict: 'key', ...keep }),
      'record event',
    );
  }

  async function createTask(input: CreateTaskInput): Promise<void> {
    check(
      await db.from('tasks').upsert(
        {
          key: input.key,
          participant_id: input.participantId,
          site_id: input.siteId,
          path_run: input.pathRun,
          kind: input.kind,
          assignee_id: input.coachId,
          due_at: iso(input.dueAt),
          cause: input.cause,
        },
        { onConflict: 'key', ignoreDuplicates: true },
      ),
      'create task',
    );
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

  // One activity per batch keeps a path's history small. Each write is idempotent on its key, so a
  // retried batch redoes nothing twice; the dispatcher is woken once, after the last email.
  async function recordAll(input: RecordAllInput): Promise<void> {
    const where = { participantId: input.participantId, siteId: input.siteId };
    for (const effect of input.effects) {
      if (effect.type === 'record') await recordEvent({ key: effect.key, pathRun: effect.pathRun, event: effect.event, ...where });
      else if (effect.type === 'task') await createTask({ key: effect.key, pathRun: effect.pathRun, kind: effect.kind, dueAt: effect.dueAt, coachId: effect.coachId, cause: effect.cause, ...where });
      else await queueEmail(effect);
    }
    if (input.effects.some((e) => e.type === 'email')) await deps.wakeDispatcher();
  }

  const { deliverQueuedEmails } = createEmailDelivery(deps);
  return { recordAll, recordEvent, createTask, sendEmail, erasePersonalData, meetAndGreetInvitees, groupMomentInvitees, coachDigests, deliverQueuedEmails };
}
