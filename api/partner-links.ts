import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { issueLink, openLink, recordLinkUse, revokeLink, type AccessLink } from '../activities/access-links.js';
import { appointmentRule } from '../domain/actions.js';
import { PARTNER_ANSWERS, SHARED_FIELDS, type Partner, type PartnerAnswer, type SharedField } from '../domain/codes.js';
import { isValidLocalDate } from '../domain/calendar.js';
import { linkUpdates, pathWorkflowId, referralAnswerUpdateId } from '../domain/messages.js';
import type { PathView, ReferralOut } from '../domain/path-state.js';
import { CLOSED_FOR_GOOD } from '../domain/path-rules.js';
import { z } from '../domain/zod-dutch.js';
import { dispatcherWaker } from '../worker/email-dispatcher.js';
import type { Database } from '../supabase/types.js';
import type { ApiDeps, SignedInUser } from './context.js';
import { ApiError } from './errors.js';
import { readPath, runAction } from './path-service.js';
import { noteText } from './requests.js';

/**
 * The partner's side of a warm referral. The coach introduces a referral to a partner contact
 * with what the participant agreed to share (public.referral_introductions); the path moves to
 * "introduced" through the workflow; the partner gets one signed link (public.access_links,
 * purpose 'referral') by email and answers on its page; the answer goes into the path through the
 * workflow's `answerReferral` update. Personal data and the partner's address stay in the
 * database: the workflow gets ids and codes only.
 */

export type Introduction = Database['public']['Tables']['referral_introductions']['Row'];

/** The coach's form: the partner contact's address and, field by field, what may be shared. */
export const introductionRequestSchema = z
  .object({
    partnerEmail: z.email({ error: 'geen geldig e-mailadres' }).max(254),
    shared: z.array(z.enum(SHARED_FIELDS, { error: 'kies uit de lijst' })).default([]),
    note: noteText.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.shared.includes('note') && !v.note) ctx.addIssue({ code: 'custom', path: ['note'], message: 'schrijf de introductie, of vink ze hierboven uit' });
  });
export type IntroductionRequest = z.infer<typeof introductionRequestSchema>;

/** The partner's form (the update's input without the ids the link supplies). */
export const partnerAnswerRequestSchema = z
  .object({
    answer: z.enum(PARTNER_ANSWERS, { error: 'kies een antwoord' }),
    appointmentDate: z.string().refine(isValidLocalDate, { error: 'vul een datum in als JJJJ-MM-DD, bijvoorbeeld 2026-12-15' }).optional(),
  })
  .superRefine(appointmentRule);

function check<T>(result: { data: T; error: { message: string; code?: string } | null }, what: string): T {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  return result.data;
}

/** The dispatcher is woken the way activities wake it, from the API's own client. */
const wakers = new WeakMap<ApiDeps['temporal'], () => Promise<void>>();
function wakeDispatcher(deps: ApiDeps): Promise<void> {
  let wake = wakers.get(deps.temporal);
  if (!wake) {
    wake = dispatcherWaker(deps.temporal, deps.config);
    wakers.set(deps.temporal, wake);
  }
  return wake();
}

export async function introductionOf(deps: ApiDeps, referralId: string): Promise<Introduction | null> {
  return check(await deps.db.from('referral_introductions').select('*').eq('referral_id', referralId).maybeSingle(), 'read introduction');
}

export async function referralLinkOf(deps: ApiDeps, referralId: string): Promise<AccessLink | null> {
  return check(await deps.db.from('access_links').select('*').eq('purpose', 'referral').eq('referral_id', referralId).maybeSingle(), 'read referral link');
}

/** Per referral of a participant: its introduction and link, for the coach's page. */
export async function introductionsOf(deps: ApiDeps, participantId: string): Promise<Map<string, { introduction: Introduction; link: AccessLink | null }>> {
  const [intros, links] = await Promise.all([
    deps.db.from('referral_introductions').select('*').eq('participant_id', participantId),
    deps.db.from('access_links').select('*').eq('participant_id', participantId).eq('purpose', 'referral'),
  ]);
  const linkRows = check(links, 'read referral links') ?? [];
  return new Map(
    (check(intros, 'read introductions') ?? []).map((i) => [i.referral_id, { introduction: i, link: linkRows.find((l) => l.referral_id === i.referral_id) ?? null }]),
  );
}

/**
 * Introduces a referral to a partner: records consent and address, moves the referral to
 * "introduced" through the workflow, issues the partner's link and queues its email. Every step
 * is idempotent, so the same form sent again (or after a failure halfway) finishes the job once:
 * the update has an id per referral, the link is one per referral (a unique index), and the email
 * is keyed by the link in email_log, from where the dispatcher sends it exactly once.
 */
export async function introduceReferral(
  deps: ApiDeps,
  user: SignedInUser,
  participant: { id: string; site_id: string; erased_at: string | null },
  referralId: string,
  request: IntroductionRequest,
): Promise<void> {
  if (participant.erased_at) throw new ApiError('refused', CLOSED_FOR_GOOD);
  const view = await readPath(deps, participant.id);
  const referral = view.referrals.find((r) => r.id === referralId);
  if (!referral) throw new ApiError('not_found', 'Die doorverwijzing bestaat niet.');
  if (referral.status !== 'proposed' && referral.status !== 'introduced') {
    throw new ApiError('refused', 'Deze doorverwijzing is al afgerond; een partner kan er niet meer op antwoorden.');
  }
  let intro = await introductionOf(deps, referralId);
  const madeNow = !intro;
  if (!intro) {
    let noteId: string | null = null;
    if (request.shared.includes('note') && request.note) {
      const note = check(
        await deps.db.from('notes').insert({ participant_id: participant.id, author_id: user.id, body: request.note }).select('id').single(),
        'introduction note',
      );
      noteId = note?.id ?? null;
    }
    const inserted = await deps.db
      .from('referral_introductions')
      .insert({
        referral_id: referralId,
        participant_id: participant.id,
        site_id: participant.site_id,
        partner: referral.partner,
        partner_email: request.partnerEmail,
        shared_fields: request.shared,
        note_id: noteId,
        introduced_by: user.id,
      })
      .select('*')
      .single();
    // Two forms at once: the first one's consent counts.
    if (inserted.error && inserted.error.code !== '23505') throw new Error(`introduce: ${inserted.error.message}`);
    intro = inserted.data ?? (await introductionOf(deps, referralId));
    if (!intro) throw new Error('introduce: no introduction row');
  }
  if (referral.status === 'proposed') {
    try {
      await runAction(deps, participant.id, { type: 'updateReferral', input: { by: user.id, referralId, status: 'introduced' } }, `introduce-referral/${referralId}`);
    } catch (err) {
      // Refused: the referral was never introduced, so its consent and address go again. (After
      // a timeout the path may have taken it: then they stay, and the form sent again finishes.)
      if (madeNow && err instanceof ApiError && (err.code === 'refused' || err.code === 'invalid_input')) {
        check(await deps.db.from('referral_introductions').delete().eq('id', intro.id), 'undo introduction');
        if (intro.note_id) check(await deps.db.from('notes').delete().eq('id', intro.note_id), 'undo introduction note');
      }
      throw err;
    }
  }
  let link = await referralLinkOf(deps, referralId);
  if (!link) {
    try {
      await issueLink(deps.db, deps.config.LINK_SECRET, {
        participantId: participant.id,
        siteId: participant.site_id,
        purpose: 'referral',
        referralId,
        createdBy: user.id,
        validity: deps.config.REFERRAL_LINK_VALIDITY,
      });
    } catch (err) {
      // Another request issued it first (access_links_one_per_referral): use that one.
      if (!String(err).includes('duplicate key')) throw err;
    }
    link = await referralLinkOf(deps, referralId);
  }
  // A revoked link stays revoked: no email for it.
  if (!link || link.revoked_at !== null) return;
  check(
    await deps.db.from('email_log').upsert(
      {
        key: `partner-referral/${link.id}`,
        template: 'partner_referral',
        participant_id: participant.id,
        site_id: participant.site_id,
        introduction_id: intro.id,
        status: 'queued',
        params: { partner: referral.partner },
      },
      { onConflict: 'key', ignoreDuplicates: true },
    ),
    'queue partner email',
  );
  await wakeDispatcher(deps);
}

/** The coach takes the partner's link back; the page then answers like any bad link. */
export async function revokeReferralLink(deps: ApiDeps, user: SignedInUser, participantId: string, referralId: string): Promise<void> {
  const link = await referralLinkOf(deps, referralId);
  if (!link || link.participant_id !== participantId) throw new ApiError('not_found', 'Voor deze doorverwijzing is er geen link.');
  await revokeLink(deps.db, link.id, user.id);
}

export interface PartnerPageData {
  link: AccessLink;
  partner: Partner;
  siteName: string;
  coachName: string;
  /** Only what the participant agreed to share, in the order of SHARED_FIELDS. */
  shared: Array<{ field: SharedField; value: string }>;
  referral: ReferralOut | undefined;
}

/** The page's data for a token, or null for every kind of bad link alike. */
export async function openPartnerPage(deps: ApiDeps, token: string): Promise<PartnerPageData | null> {
  const link = await openLink(deps.db, deps.config.LINK_SECRET, token, 'referral');
  if (!link?.referral_id) return null;
  const intro = await introductionOf(deps, link.referral_id);
  if (!intro || intro.participant_id !== link.participant_id) return null;
  const fields = intro.shared_fields.filter((f): f is SharedField => (SHARED_FIELDS as readonly string[]).includes(f));
  // Only the consented columns are read at all: what was not agreed never leaves the database.
  const columns = { first_name: 'first_name', last_name: 'last_name', email: 'email', phone: 'phone', birth_date: 'birth_date' } as const;
  const wanted = fields.filter((f): f is keyof typeof columns => f in columns).map((f) => columns[f]);
  const [person, site, coach, note, view] = await Promise.all([
    wanted.length ? deps.db.from('participants').select(wanted.join(', ')).eq('id', intro.participant_id).maybeSingle() : Promise.resolve({ data: null, error: null }),
    deps.db.from('sites').select('name').eq('id', intro.site_id).maybeSingle(),
    intro.introduced_by ? deps.db.from('profiles').select('display_name').eq('id', intro.introduced_by).maybeSingle() : Promise.resolve({ data: null, error: null }),
    fields.includes('note') && intro.note_id ? deps.db.from('notes').select('body').eq('id', intro.note_id).maybeSingle() : Promise.resolve({ data: null, error: null }),
    // No path (any more): nothing to answer. Temporal out of reach is an error, not "no answer expected".
    readPath(deps, intro.participant_id).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'not_found') return null;
      throw err;
    }),
  ]);
  const values = (check(person, 'read participant') ?? {}) as unknown as Record<string, string | null>;
  const noteBody = (check(note, 'read note') as { body: string } | null)?.body ?? null;
  const shared = fields
    .map((field) => ({ field, value: field === 'note' ? noteBody : (values[field] ?? null) }))
    .filter((s): s is { field: SharedField; value: string } => typeof s.value === 'string' && s.value !== '');
  return {
    link,
    partner: intro.partner,
    siteName: (check(site, 'read site') as { name: string } | null)?.name ?? 'de Stuyfplek',
    coachName: (check(coach, 'read coach') as { display_name: string } | null)?.display_name ?? 'je contactpersoon van de Stuyfplek',
    shared,
    referral: view?.referrals.find((r) => r.id === link.referral_id),
  };
}

export type AnswerOutcome = { outcome: 'answered'; referral: ReferralOut | undefined } | { outcome: 'refused'; message: string };

/**
 * Sends the partner's answer to the path, once per link: the update id is the link's, so the same
 * form sent twice is one update (Temporal returns the first result). An answer the path no longer
 * takes (already answered, or the coach closed the referral) is refused with the path's reason.
 */
export async function answerReferral(deps: ApiDeps, link: AccessLink, answer: { answer: PartnerAnswer; appointmentDate?: string | undefined }): Promise<AnswerOutcome> {
  const handle = deps.temporal.workflow.getHandle(pathWorkflowId(link.participant_id));
  let view: PathView;
  try {
    view = await handle.executeUpdate(linkUpdates.answerReferral, {
      args: [{ referralId: link.referral_id!, linkId: link.id, answer: answer.answer, ...(answer.appointmentDate ? { appointmentDate: answer.appointmentDate } : {}) }],
      updateId: referralAnswerUpdateId(link.id),
    });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) return { outcome: 'refused', message: err.cause.message };
    throw err;
  }
  await recordLinkUse(deps.db, link, 'referral_answered');
  return { outcome: 'answered', referral: view.referrals.find((r) => r.id === link.referral_id) };
}
