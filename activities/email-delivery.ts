import { heartbeat, log, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CreateBatchEmailOptions, Resend } from 'resend';
import type { Db } from '../infra/supabase/client.js';
import type { Database } from '../supabase/types.js';
import type { DeliveryReport } from './contract.js';
import { formatLocalDate, toLocalDate, type CalendarSpan } from '../domain/calendar.js';
import { LINK_PATHS, linkUrl, participantPageLinksForEmails, signLink } from './access-links.js';
import { isCoachTemplate, templates, type TemplateInput } from './emails/templates.js';
import { optOutUrl } from './opt-out.js';

/**
 * Delivers queued emails (email_log, status 'queued') in batches through Resend's batch endpoint,
 * at most `ratePerSecond` calls a second. The database decides what goes in a batch and whether
 * each email may go at all (claim_email_batch); this module renders, sends and records the answer.
 *
 * Exactly once: a batch keeps its id from claim to finish and is sent under that id as Resend's
 * idempotency key. A sender that dies after Resend accepted a batch leaves it 'sending'; the next
 * claim returns that same batch first, and Resend answers the repeated key with the first result.
 */

export interface DeliveryDeps {
  db: Db;
  resend: Resend;
  emailFrom: string;
  publicUrl: string;
  optOutSecret: string;
  /** Signs links (LINK_SECRET): a participant's page link and a partner's referral link, re-signed from the link's row. */
  linkSecret: string;
  /** Every email to a participant carries a link to their own page (/mijn-pad/…). */
  participantLinks: { validity: CalendarSpan; minLeft: CalendarSpan };
  /** Calls to the provider per second (Resend's default team limit is 2). */
  ratePerSecond: number;
  /** Emails per call; Resend takes at most 100. */
  batchSize: number;
  /**
   * How long a delivery keeps looking after the queue ran empty before the dispatcher sleeps: in
   * a burst the next email comes within milliseconds, and one that finds the dispatcher asleep
   * must wake it with a signal (an event in its history, a write on the server).
   */
  lingerMs: number;
}

/** How often a lingering delivery looks at the queue again. */
const LINGER_POLL_MS = 100;

type LogRow = Database['public']['Tables']['email_log']['Row'];
type Outcome = { key: string; status: 'sent' | 'skipped' | 'failed'; provider_id: string | null; reason: string | null };

/** Longest a provider's retry-after is waited for inside one attempt; longer waits become activity retries. */
const MAX_IN_ACTIVITY_WAIT_MS = 60_000;

export function createEmailDelivery(deps: DeliveryDeps) {
  const { db } = deps;
  const spacingMs = 1000 / deps.ratePerSecond;
  // When the next call may start. Kept for the worker's life, so consecutive activities share it.
  let nextCallAt = 0;

  const waitMs = async (ms: number) => {
    // Heartbeats every few seconds keep a long wait (a provider's retry-after) from looking dead.
    for (let left = ms; left > 0; left -= 5_000) {
      heartbeat();
      await sleep(Math.min(left, 5_000));
    }
  };

  async function claim(): Promise<LogRow[]> {
    const { data, error } = await db.rpc('claim_email_batch', { p_limit: deps.batchSize });
    if (error) throw new Error(`claim email batch: ${error.message}`);
    return data ?? [];
  }

  async function sleeps(): Promise<boolean> {
    const { data, error } = await db.rpc('email_dispatcher_sleeps');
    if (error) throw new Error(`email dispatcher sleeps: ${error.message}`);
    return data === true;
  }

  async function finish(batchId: string, outcomes: Outcome[]): Promise<void> {
    const { error } = await db.rpc('finish_email_batch', { p_batch: batchId, p_results: outcomes as never });
    if (error) throw new Error(`finish email batch: ${error.message}`);
  }

  /** Names and addresses are read here, for one batch, and leave this module only towards Resend. */
  async function render(rows: LogRow[]): Promise<{ emails: CreateBatchEmailOptions[]; sent: LogRow[]; skipped: Outcome[] }> {
    const participantIds = rows.flatMap((r) => (r.participant_id && !r.introduction_id ? [r.participant_id] : []));
    const coachIds = rows.flatMap((r) => (!r.participant_id && r.coach_id ? [r.coach_id] : []));
    const people = new Map<string, { email: string | null; firstName: string; siteId?: string }>();
    if (participantIds.length > 0) {
      const { data, error } = await db.from('participants').select('id, email, first_name, site_id').in('id', participantIds);
      if (error) throw new Error(`read participants: ${error.message}`);
      for (const p of data) people.set(p.id, { email: p.email, firstName: p.first_name ?? '', siteId: p.site_id });
    }
    if (coachIds.length > 0) {
      const { data, error } = await db.from('profiles').select('id, email, display_name').in('id', coachIds);
      if (error) throw new Error(`read coaches: ${error.message}`);
      for (const c of data) people.set(c.id, { email: c.email, firstName: c.display_name.split(' ')[0] ?? c.display_name });
    }
    const partners = await partnerRecipients(rows);
    // One page link per participant in this batch, found or made in two calls for the whole
    // batch. Tokens are not stored, so a batch rendered again after a crash needs none of the
    // first rendering's: the same links are found again.
    const linked = rows.flatMap((r) => {
      const siteId = r.participant_id ? people.get(r.participant_id)?.siteId : undefined;
      return r.participant_id && !r.introduction_id && siteId && !isCoachTemplate(r.template) && people.get(r.participant_id)?.email ? [{ participantId: r.participant_id, siteId }] : [];
    });
    const pageTokens = await participantPageLinksForEmails(db, deps.linkSecret, { participants: linked, ...deps.participantLinks });
    const emails: CreateBatchEmailOptions[] = [];
    const sent: LogRow[] = [];
    const skipped: Outcome[] = [];
    for (const row of rows) {
      const params = (row.params ?? {}) as Record<string, string | number>;
      if (row.introduction_id) {
        const partner = partners.get(row.introduction_id);
        // The link was revoked, or its person erased, since the batch was claimed.
        if (!partner) {
          skipped.push({ key: row.key, status: 'skipped', provider_id: null, reason: 'link_revoked' });
          continue;
        }
        const rendered = templates[row.template]({ firstName: '', params, optOutUrl: '', appUrl: deps.publicUrl, partner: partner.input });
        emails.push({ from: deps.emailFrom, to: [partner.email], subject: rendered.subject, html: rendered.html, text: rendered.text });
        sent.push(row);
        continue;
      }
      const personId = row.participant_id ?? row.coach_id!;
      const person = people.get(personId);
      // Erased (or the address removed) since the batch was claimed.
      if (!person?.email) {
        skipped.push({ key: row.key, status: 'skipped', provider_id: null, reason: 'no_address' });
        continue;
      }
      const unsubscribe = optOutUrl(deps.publicUrl, personId, deps.optOutSecret);
      // Emails about a participant to their coach (coach_…) never carry the participant's link.
      const pageToken = row.participant_id && !isCoachTemplate(row.template) ? pageTokens.get(row.participant_id) : undefined;
      const pageUrl = pageToken ? linkUrl(deps.publicUrl, 'participant_page', pageToken) : undefined;
      const rendered = templates[row.template]({ firstName: person.firstName, params, optOutUrl: unsubscribe, appUrl: deps.publicUrl, pageUrl });
      emails.push({
        from: deps.emailFrom,
        to: [person.email],
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        headers: { 'List-Unsubscribe': `<${unsubscribe}>` },
      });
      sent.push(row);
    }
    return { emails, sent, skipped };
  }

  /**
   * The partners of a batch's referral emails: address, Stuyfplek, coach and the link itself.
   * The token is never stored; it is signed again from the link's row (the same claims give the
   * same token). Only links that still work are returned.
   */
  async function partnerRecipients(rows: LogRow[]): Promise<Map<string, { email: string; input: NonNullable<TemplateInput['partner']> }>> {
    const ids = rows.flatMap((r) => (r.introduction_id ? [r.introduction_id] : []));
    const found = new Map<string, { email: string; input: NonNullable<TemplateInput['partner']> }>();
    if (ids.length === 0) return found;
    const { data: intros, error } = await db
      .from('referral_introductions')
      .select('id, referral_id, participant_id, partner_email, introduced_by, sites(name), profiles(display_name)')
      .in('id', ids);
    if (error) throw new Error(`read introductions: ${error.message}`);
    const { data: links, error: linkError } = await db
      .from('access_links')
      .select('id, referral_id, participant_id, expires_at, revoked_at')
      .eq('purpose', 'referral')
      .in('referral_id', intros.map((i) => i.referral_id));
    if (linkError) throw new Error(`read referral links: ${linkError.message}`);
    for (const intro of intros) {
      const link = links.find((l) => l.referral_id === intro.referral_id && l.participant_id === intro.participant_id);
      if (!link || link.revoked_at !== null || Date.parse(link.expires_at) <= Date.now()) continue;
      const expiresAt = Math.floor(Date.parse(link.expires_at) / 1000);
      const token = signLink(deps.linkSecret, { linkId: link.id, participantId: link.participant_id, purpose: 'referral', expiresAt });
      found.set(intro.id, {
        email: intro.partner_email,
        input: {
          linkUrl: `${deps.publicUrl.replace(/\/$/, '')}${LINK_PATHS.referral}/${token}`,
          siteName: (intro.sites as { name: string } | null)?.name ?? 'de Stuyfplek',
          coachName: (intro.profiles as { display_name: string } | null)?.display_name ?? 'Een coach',
          // The link works until the start of this day (Brussels): the last day is the one before.
          expiresOn: formatLocalDate(toLocalDate(expiresAt * 1000 - 1)),
        },
      });
    }
    return found;
  }

  /** One call for one batch, repeated after a 429 as long as the provider asks; anything else transient fails the attempt. */
  async function send(batchId: string, emails: CreateBatchEmailOptions[], rows: LogRow[]): Promise<Outcome[]> {
    for (;;) {
      await waitMs(nextCallAt - Date.now());
      nextCallAt = Date.now() + spacingMs;
      // Permissive: a bad address fails that email, not its 99 neighbours.
      const { data, error, headers } = await deps.resend.batch.send(emails, { idempotencyKey: batchId, batchValidation: 'permissive' });
      if (!error) {
        const refused = new Map((data.errors ?? []).map((e) => [e.index, e.message]));
        const ids = [...data.data];
        // Resend lists the ids of the accepted emails, in order.
        return rows.map((row, index): Outcome => {
          if (refused.has(index)) return { key: row.key, status: 'failed', provider_id: null, reason: '422 validation_error' };
          return { key: row.key, status: 'sent', provider_id: ids.shift()?.id ?? null, reason: null };
        });
      }
      const status = (error as { statusCode?: number | null }).statusCode ?? null;
      if (status === 429) {
        const retryAfter = Number(headers?.['retry-after']);
        const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : spacingMs;
        log.warn('email provider asked to wait', { batchId, waitMs: wait });
        if (wait > MAX_IN_ACTIVITY_WAIT_MS) throw ApplicationFailure.create({ type: 'RateLimited', message: 'provider asked to wait', nextRetryDelay: wait });
        nextCallAt = Date.now() + wait;
        continue;
      }
      if (status === 409 && error.name === 'invalid_idempotent_request') {
        // The batch went out under this key before and has since changed (someone in it was
        // erased): Resend has it, so it was sent.
        return rows.map((row) => ({ key: row.key, status: 'sent', provider_id: null, reason: null }));
      }
      if (status === 422) {
        // The whole call was refused (not one address): trying again will not help. The log keeps
        // the status and the error's name, never the message (it may quote an address).
        log.warn('email batch refused by the provider', { batchId, emails: rows.length, error: `422 ${error.name}` });
        return rows.map((row) => ({ key: row.key, status: 'failed', provider_id: null, reason: `422 ${error.name}` }));
      }
      // 5xx, a network error, a key being processed (409 concurrent), a bad API key: the batch
      // stays claimed and the activity's retry sends it again under the same id.
      throw ApplicationFailure.create({ type: 'TransientEmailFailure', message: `email batch not sent yet (${status ?? 'network'} ${error.name})` });
    }
  }

  /**
   * Sends batches until nothing is queued, or for at most `maxSeconds` (then `more` is true), so
   * one activity attempt stays short and the dispatcher's history shows progress.
   */
  async function deliverQueuedEmails(input: { maxSeconds: number }): Promise<DeliveryReport> {
    const until = Date.now() + input.maxSeconds * 1000;
    const report: DeliveryReport = { batches: 0, sent: 0, skipped: 0, failed: 0, more: false };
    // Also from the start: a claim that only skipped emails (no consent) returns nothing either.
    let lingerUntil = Date.now() + deps.lingerMs;
    while (Date.now() < until) {
      // Claimed as late as the next call may go, the batch holds all that was queued meanwhile.
      await waitMs(nextCallAt - Date.now());
      const rows = await claim();
      if (rows.length === 0) {
        // Asleep from here on, unless an email came in meanwhile: paths wake the dispatcher only
        // while it sleeps, so it must not miss one that came just now.
        if (Date.now() >= lingerUntil && (await sleeps())) return report;
        // Lingering, or emails queued that this claim could not take (locked by another claim).
        heartbeat(report);
        await sleep(LINGER_POLL_MS);
        continue;
      }
      const batchId = rows[0]!.batch_id!;
      const { emails, sent, skipped } = await render(rows);
      const outcomes = emails.length > 0 ? await send(batchId, emails, sent) : [];
      await finish(batchId, [...outcomes, ...skipped]);
      report.batches += 1;
      const counts = { sent: 0, skipped: 0, failed: 0 };
      for (const o of [...outcomes, ...skipped]) counts[o.status] += 1;
      for (const status of ['sent', 'skipped', 'failed'] as const) report[status] += counts[status];
      // Ids and counts only: the log says what happened to a batch, email_log says to whom.
      log.info('email batch delivered', { batchId, ...counts });
      heartbeat(report);
      lingerUntil = Date.now() + deps.lingerMs;
    }
    report.more = true;
    return report;
  }

  return { deliverQueuedEmails };
}
