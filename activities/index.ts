import { ApplicationFailure } from '@temporalio/common';
import type { Resend } from 'resend';
import type { Db } from '../infra/supabase/client.js';
import type { PathEvent } from '../domain/path-events.js';
import type { CreateTaskInput, PathActivities, RecordEventInput, SendEmailInput, SendEmailResult } from './contract.js';
import { templates } from './emails/templates.js';
import { optOutUrl } from './opt-out.js';

/**
 * The path workflow's activities, built once per worker from injected clients. Every write is
 * idempotent on the key the workflow derived from its event: a retry finds the row it wrote.
 */

export interface ActivityDeps {
  db: Db;
  resend: Resend;
  emailFrom: string;
  publicUrl: string;
  /** Signs opt-out links. */
  optOutSecret: string;
}

/** A failure we must surface; supabase-js returns errors instead of throwing. */
function check<T>(result: { data: T; error: { message: string; code?: string } | null }, what: string): T {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  return result.data;
}

function one<T>(result: { data: T; error: { message: string } | null }, what: string): NonNullable<T> {
  const data = check(result, what);
  if (data === null || data === undefined) throw new Error(`${what}: not found`);
  return data;
}

/** The row of `paths` a path event changes, if any. */
function pathChange(event: PathEvent): { phase?: string; status?: string; ended_at?: string | null } | null {
  switch (event.type) {
    case 'phase_changed':
      return { phase: event.change.to };
    case 'outflow_recorded':
      return { status: 'aftercare' };
    case 'aftercare_reconnected':
      return { status: 'closed', ended_at: new Date(event.at).toISOString() };
    case 'path_forgotten':
      return { status: 'forgotten', ended_at: new Date(event.at).toISOString() };
    default:
      return null;
  }
}

export function createActivities(deps: ActivityDeps): PathActivities {
  const { db } = deps;

  async function recordEvent(input: RecordEventInput): Promise<void> {
    const { event, participantId, siteId, pathRun } = input;
    if (event.type === 'path_started' || event.type === 'path_reentered') {
      const phase = event.phase;
      check(
        await db.from('paths').upsert(
          {
            participant_id: participantId,
            path_run: pathRun,
            site_id: siteId,
            phase,
            status: 'active',
            started_at: new Date(event.type === 'path_reentered' ? event.at : Date.now()).toISOString(),
            workflow_id: `path-${participantId}`,
          },
          { onConflict: 'participant_id,path_run', ignoreDuplicates: true },
        ),
        'record path',
      );
    }
    check(
      await db
        .from('path_events')
        .upsert(
          { key: input.key, participant_id: participantId, site_id: siteId, path_run: pathRun, type: event.type, payload: event as never },
          { onConflict: 'key', ignoreDuplicates: true },
        ),
      'record event',
    );
    const change = pathChange(event);
    if (change) {
      check(await db.from('paths').update(change).eq('participant_id', participantId).eq('path_run', pathRun), 'update path');
    }
    if (event.type === 'coach_assigned') {
      check(await db.from('participants').update({ coach_id: event.coachId }).eq('id', participantId), 'assign coach');
    }
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
          due_at: new Date(input.dueAt).toISOString(),
          cause: input.cause,
        },
        { onConflict: 'key', ignoreDuplicates: true },
      ),
      'create task',
    );
  }

  async function logEmail(key: string, input: SendEmailInput, status: string, extra: { reason?: string; provider_id?: string } = {}): Promise<void> {
    const who = 'participantId' in input.recipient ? { participant_id: input.recipient.participantId } : { coach_id: input.recipient.coachId };
    check(
      await db.from('email_log').upsert({ key, template: input.template, ...who, status, ...extra, updated_at: new Date().toISOString() }, { onConflict: 'key' }),
      'log email',
    );
  }

  async function recipientOf(input: SendEmailInput): Promise<{ address: string | null; firstName: string; mayEmail: SendEmailResult | null; optOutId: string }> {
    if ('participantId' in input.recipient) {
      const p = one(
        await db.from('participants').select('email, first_name, consent_email, opted_out_at, erased_at').eq('id', input.recipient.participantId).single(),
        'read participant',
      );
      const skip = (reason: 'no_consent' | 'opted_out' | 'no_address'): SendEmailResult => ({ status: 'skipped', reason });
      const mayEmail = p.opted_out_at || p.erased_at ? skip('opted_out') : !p.consent_email ? skip('no_consent') : !p.email ? skip('no_address') : null;
      return { address: p.email, firstName: p.first_name ?? '', mayEmail, optOutId: input.recipient.participantId };
    }
    const c = one(await db.from('profiles').select('email, display_name').eq('id', input.recipient.coachId).single(), 'read coach');
    return {
      address: c.email,
      firstName: c.display_name.split(' ')[0] ?? c.display_name,
      mayEmail: c.email ? null : { status: 'skipped', reason: 'no_address' },
      optOutId: input.recipient.coachId,
    };
  }

  async function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
    const logged = check(await db.from('email_log').select('status, provider_id, reason').eq('key', input.key).maybeSingle(), 'read email log');
    if (logged?.status === 'sent') return { status: 'sent', providerId: logged.provider_id ?? '' };
    if (logged?.status === 'skipped') return { status: 'skipped', reason: logged.reason as 'no_consent' };

    const recipient = await recipientOf(input);
    if (recipient.mayEmail) {
      await logEmail(input.key, input, 'skipped', { reason: recipient.mayEmail.status === 'skipped' ? recipient.mayEmail.reason : '' });
      return recipient.mayEmail;
    }
    const unsubscribe = optOutUrl(deps.publicUrl, recipient.optOutId, deps.optOutSecret);
    const rendered = templates[input.template]({ firstName: recipient.firstName, params: input.params, optOutUrl: unsubscribe, appUrl: deps.publicUrl });
    await logEmail(input.key, input, 'sending');
    const { data, error, headers } = await deps.resend.emails.send(
      {
        from: deps.emailFrom,
        to: [recipient.address!],
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers: { 'List-Unsubscribe': `<${unsubscribe}>` },
      },
      // Resend keeps this key for 24 hours: a retried activity never sends twice.
      { idempotencyKey: input.key },
    );
    if (error) {
      const status = (error as { statusCode?: number | null }).statusCode ?? null;
      if (status !== null && status >= 400 && status < 500 && status !== 429 && status !== 409) {
        // A bad address or a refused message will not get better by trying again.
        await logEmail(input.key, input, 'failed', { reason: `${status} ${error.message}` });
        throw ApplicationFailure.nonRetryable(`email refused (${status}): ${error.message}`, 'PermanentEmailFailure');
      }
      const retryAfter = Number(headers?.['retry-after']);
      throw ApplicationFailure.create({
        message: `email not sent yet (${status ?? 'network'}): ${error.message}`,
        type: 'TransientEmailFailure',
        nextRetryDelay: Number.isFinite(retryAfter) && retryAfter > 0 ? `${retryAfter} seconds` : undefined,
      });
    }
    await logEmail(input.key, input, 'sent', { provider_id: data?.id ?? '' });
    return { status: 'sent', providerId: data?.id ?? '' };
  }

  async function erasePersonalData(input: { participantId: string }): Promise<void> {
    check(await db.from('notes').delete().eq('participant_id', input.participantId), 'erase notes');
    check(
      await db
        .from('participants')
        .update({ first_name: null, last_name: null, birth_date: null, email: null, phone: null, identity_key: null, consent_email: false, erased_at: new Date().toISOString() })
        .eq('id', input.participantId),
      'erase participant',
    );
  }

  return { recordEvent, createTask, sendEmail, erasePersonalData };
}
