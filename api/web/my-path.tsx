import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { isGuid } from '../../domain/action-spec.js';
import { openLink, recordLinkUse, type AccessLink } from '../../activities/access-links.js';
import { GROUP_MOMENT_KINDS, type GroupMomentKind } from '../../domain/codes.js';
import { formatLocalDate, toLocalDate } from '../../domain/calendar.js';
import { ALREADY_ANSWERED, ALREADY_CONFIRMED } from '../../domain/path-rules.js';
import { linkActionSchemas } from '../../domain/actions.js';
import type { PathView } from '../../domain/path-state.js';
import type { ApiDeps, AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { readPassportChoice, validatedSteps } from '../passport.js';
import { passportFile, sendPassport } from '../passport-download.js';
import { readPath, runAction } from '../path-service.js';
import { formToInput, readForm } from './form-input.js';
import { invalidLink, linkPageHeaders } from './link-pages.js';
import { MY_PATH_NOTICES, MyPathPage, askedLeaving, type MyPathData, type MyPathNotice } from './pages/my-path.js';

/**
 * The participant's own page behind their signed link: GET /mijn-pad/:token, and two forms on
 * it, POST …/akkoord (confirm the growth agreement, through the path workflow) and POST
 * …/e-mails (stop or start the emails). Every request opens the link afresh (signature, expiry,
 * revocation, erasure) and answers any bad link with the same 404; every view and every action
 * is recorded in access_link_views. Everything read is the link's own participant's, by the id
 * in the link's row, never by anything else in the request.
 */

type Ctx = Context<AppEnv>;

/** Invitations to group moments that name a date: what the data knows of the participant's next moments. */
const INVITATIONS = ['group_moment_invitation', 'meet_and_greet_invitation'] as const;
const invitationParams = z.object({ kind: z.enum(GROUP_MOMENT_KINDS).optional(), date: z.iso.date() });

async function open(c: Ctx): Promise<AccessLink | null> {
  const { deps } = c.var;
  return openLink(deps.db, deps.config.LINK_SECRET, c.req.param('token') ?? '', 'participant_page');
}

async function pathOrNull(deps: ApiDeps, participantId: string): Promise<PathView | null> {
  try {
    return await readPath(deps, participantId);
  } catch (err) {
    // The page is still useful without the path (the coach, the emails); a missing path is not an error page.
    if (err instanceof ApiError && err.code === 'not_found') return null;
    throw err;
  }
}

async function myPathData(deps: ApiDeps, link: AccessLink): Promise<MyPathData> {
  const { db } = deps;
  const id = link.participant_id;
  const [person, view, invitations, passportSteps] = await Promise.all([
    db.from('participants').select('first_name, coach_id, email, consent_email, opted_out_at').eq('id', id).single(),
    pathOrNull(deps, id),
    db.from('email_log').select('template, params').eq('participant_id', id).in('template', [...INVITATIONS]).order('created_at', { ascending: false }).limit(50),
    validatedSteps(db, id),
  ]);
  if (person.error) throw new Error(`my path: ${person.error.message}`);
  if (invitations.error) throw new Error(`my path: ${invitations.error.message}`);
  const coachId = view?.coachId ?? person.data.coach_id;
  const agreement = view?.agreement?.status === 'active' ? view.agreement : null;
  // Only the goal and the steps' notes: a coach's other notes (a crisis, a contact) are not for this page.
  const noteIds = [agreement?.goalNoteId, ...(view?.steps ?? []).map((s) => s.noteId)].filter((n): n is string => n !== undefined);
  const [coach, notes] = await Promise.all([
    coachId ? db.from('profiles').select('display_name').eq('id', coachId).maybeSingle() : Promise.resolve(null),
    noteIds.length ? db.from('notes').select('id, body').eq('participant_id', id).in('id', noteIds) : Promise.resolve(null),
  ]);
  if (notes?.error) throw new Error(`my path: ${notes.error.message}`);
  const noteText = new Map((notes?.data ?? []).map((n) => [n.id, n.body]));

  const today = formatLocalDate(toLocalDate(Date.now()));
  const seen = new Set<string>();
  const moments: MyPathData['moments'] = [];
  for (const row of invitations.data) {
    const params = invitationParams.safeParse(row.params);
    if (!params.success || params.data.date < today) continue;
    const kind: GroupMomentKind = row.template === 'meet_and_greet_invitation' ? 'meet_and_greet' : (params.data.kind ?? 'open_house');
    const key = `${kind}@${params.data.date}`;
    if (seen.has(key)) continue;
    seen.add(key);
    moments.push({ kind, date: params.data.date });
  }
  moments.sort((a, b) => a.date.localeCompare(b.date));

  return {
    firstName: person.data.first_name ?? '',
    coachName: coach?.data?.display_name ?? null,
    view,
    goal: agreement?.goalNoteId ? (noteText.get(agreement.goalNoteId) ?? null) : null,
    stepNotes: noteText,
    moments,
    email: { address: person.data.email !== null, consent: person.data.consent_email, optedOutAt: person.data.opted_out_at },
    passportSteps,
  };
}

/** After an action: back to the page (post/redirect/get), with what happened. */
function done(c: Ctx, notice: MyPathNotice) {
  return c.redirect(`/mijn-pad/${c.req.param('token') ?? ''}?gedaan=${notice}`, 303);
}

export function myPathPages(): Hono<AppEnv> {
  const pages = new Hono<AppEnv>();
  pages.use('*', linkPageHeaders);

  pages.get('/:token', async (c) => {
    const link = await open(c);
    if (!link) return invalidLink(c);
    // A HEAD (a mail scanner, a link preview) is nobody reading the page.
    if (c.req.method !== 'HEAD') await recordLinkUse(c.var.deps.db, link);
    const data = await myPathData(c.var.deps, link);
    const asked = c.req.query('gedaan');
    const notice = asked && Object.hasOwn(MY_PATH_NOTICES, asked) ? (asked as MyPathNotice) : undefined;
    return c.render(<MyPathPage data={data} base={`/mijn-pad/${c.req.param('token')}`} notice={notice} />, { title: 'Mijn groeipad', noindex: true });
  });

  pages.post('/:token/akkoord', async (c) => {
    const link = await open(c);
    if (!link) return invalidLink(c);
    const values = await readForm(c);
    const agreementId = values.agreementId;
    if (!isGuid(agreementId)) return done(c, 'niet-akkoord');
    try {
      // Exactly once: the workflow's validator refuses a second confirmation of the same agreement.
      await runAction(c.var.deps, link.participant_id, { type: 'confirmAgreement', input: { agreementId } });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'refused' || err.code === 'invalid_input' || err.code === 'not_found')) {
        return done(c, err.message === ALREADY_CONFIRMED ? 'al-akkoord' : 'niet-akkoord');
      }
      throw err;
    }
    await recordLinkUse(c.var.deps.db, link, 'agreement_confirmed');
    return done(c, 'akkoord');
  });

  // ESF+: "werk je op dit moment?", six months after leaving, answered once while it is open.
  pages.get('/:token/werk', async (c) => {
    const link = await open(c);
    if (!link) return invalidLink(c);
    return c.redirect(`/mijn-pad/${c.req.param('token') ?? ''}#werk`, 303);
  });

  pages.post('/:token/werk', async (c) => {
    const link = await open(c);
    if (!link) return invalidLink(c);
    const values = await readForm(c);
    const schema = linkActionSchemas.answerFollowUp;
    const parsed = schema.safeParse(formToInput(schema, values));
    if (!parsed.success) {
      const data = await myPathData(c.var.deps, link);
      // No question open (none yet, or answered meanwhile): the form would not be on the page to
      // show the error next to, so the page says why instead.
      const asked = askedLeaving(data.view);
      if (!asked) return done(c, 'werk-geen-vraag');
      if (asked.followUp) return done(c, 'werk-al-beantwoord');
      c.status(422);
      // One field: whatever is wrong with it (none chosen, a made-up value), the participant chooses again.
      return c.render(<MyPathPage data={data} base={`/mijn-pad/${c.req.param('token')}`} work={{ values, errors: { answer: 'Kies een van de antwoorden.' } }} />, {
        title: 'Mijn groeipad',
        noindex: true,
      });
    }
    try {
      // Once: the workflow's validator refuses a second answer, and an answer before the question came.
      await runAction(c.var.deps, link.participant_id, { type: 'answerFollowUp', input: parsed.data });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'refused' || err.code === 'invalid_input' || err.code === 'not_found')) {
        return done(c, err.message === ALREADY_ANSWERED ? 'werk-al-beantwoord' : 'werk-geen-vraag');
      }
      throw err;
    }
    await recordLinkUse(c.var.deps.db, link, 'follow_up_answered');
    return done(c, 'werk-bedankt');
  });

  // The growth passport: the validated steps the participant ticks, as a PDF or a signed Open Badge.
  // Its address opened again (a reload after a form that came back): the page, at the form.
  pages.get('/:token/groeipaspoort', async (c) => {
    const link = await open(c);
    if (!link) return invalidLink(c);
    return c.redirect(`/mijn-pad/${c.req.param('token') ?? ''}#groeipaspoort`, 303);
  });

  pages.post('/:token/groeipaspoort', async (c) => {
    const link = await open(c);
    if (!link) return invalidLink(c);
    const { deps } = c.var;
    const values = await readForm(c);
    const read = readPassportChoice(values, await validatedSteps(deps.db, link.participant_id));
    if ('errors' in read) {
      const data = await myPathData(deps, link);
      c.status(422);
      return c.render(<MyPathPage data={data} base={`/mijn-pad/${c.req.param('token')}`} passport={{ values, errors: read.errors }} />, { title: 'Mijn groeipad', noindex: true });
    }
    const file = await passportFile(deps, link.participant_id, read.choice);
    await recordLinkUse(deps.db, link, read.choice.format === 'pdf' ? 'passport_pdf' : 'passport_badge');
    return sendPassport(c, file);
  });

  pages.post('/:token/e-mails', async (c) => {
    const link = await open(c);
    if (!link) return invalidLink(c);
    const values = await readForm(c);
    const { db } = c.var.deps;
    const person = await db.from('participants').select('consent_email').eq('id', link.participant_id).single();
    if (person.error) throw new Error(`email choice: ${person.error.message}`);
    if (values.keuze === 'stop') {
      // As the opt-out link in every email does: the first time is kept.
      const { error } = await db.from('participants').update({ opted_out_at: new Date().toISOString() }).eq('id', link.participant_id).is('opted_out_at', null);
      if (error) throw new Error(`email choice: ${error.message}`);
      await recordLinkUse(db, link, 'email_stopped');
      return done(c, 'gestopt');
    }
    if (values.keuze === 'start') {
      // Starting again undoes an opt-out; it never gives a consent that was not given at intake.
      if (!person.data.consent_email) return done(c, 'geen-toestemming');
      const { error } = await db.from('participants').update({ opted_out_at: null }).eq('id', link.participant_id);
      if (error) throw new Error(`email choice: ${error.message}`);
      await recordLinkUse(db, link, 'email_restarted');
      return done(c, 'hervat');
    }
    return c.redirect(`/mijn-pad/${c.req.param('token') ?? ''}#e-mails`, 303);
  });

  return pages;
}
