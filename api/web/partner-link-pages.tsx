import { Hono } from 'hono';
import { isGuid } from '../../domain/action-spec.js';
import { recordLinkUse } from '../../activities/access-links.js';
import { participantFor } from '../access.js';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { answerReferral, introduceReferral, introductionRequestSchema, openPartnerPage, partnerAnswerRequestSchema, revokeReferralLink } from '../partner-links.js';
import { formErrors, formToInput, readForm } from './form-input.js';
import { invalidLink, linkPageHeaders } from './link-pages.js';
import { PartnerReferralPage } from './pages/partner-referral.js';
import { renderParticipant, signedIn } from './routes.js';

/**
 * The partner's referral link (no account: the signed token is the only credential) and the
 * coach's side of it on the participant page. Every bad link gets the same 404 page; every view
 * and every answer is recorded; an answer redirects (303) to the page, which then shows it.
 */
export function partnerLinkPages(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  const title = 'Warme doorverwijzing';

  web.use('/doorverwijzing/*', linkPageHeaders);

  web.get('/doorverwijzing/:token', async (c) => {
    const data = await openPartnerPage(c.var.deps, c.req.param('token'));
    if (!data) return invalidLink(c);
    // A HEAD (a mail scanner, a link preview) is nobody reading the page.
    if (c.req.method !== 'HEAD') await recordLinkUse(c.var.deps.db, data.link);
    return c.render(<PartnerReferralPage data={data} action={c.req.path} thanks={c.req.query('beantwoord') !== undefined} />, { title, noindex: true });
  });

  web.post('/doorverwijzing/:token', async (c) => {
    const deps = c.var.deps;
    const data = await openPartnerPage(deps, c.req.param('token'));
    if (!data) return invalidLink(c);
    const back = `${c.req.path}?beantwoord`;
    // Answered before (the same form twice, or a second answer): the page shows the answer given.
    if (data.referral?.partnerAnswer) return c.redirect(back, 303);
    const values = await readForm(c);
    const parsed = partnerAnswerRequestSchema.safeParse(formToInput(partnerAnswerRequestSchema, values));
    if (!parsed.success) {
      c.status(422);
      return c.render(<PartnerReferralPage data={data} action={c.req.path} state={{ values, errors: formErrors(parsed.error, values) }} />, { title, noindex: true });
    }
    const result = await answerReferral(deps, data.link, parsed.data);
    if (result.outcome === 'refused') {
      // The path took another answer in between (or the coach closed the referral): show how it stands.
      const now = await openPartnerPage(deps, c.req.param('token'));
      if (!now) return invalidLink(c);
      if (now.referral?.partnerAnswer) return c.redirect(back, 303);
      c.status(409);
      return c.render(<PartnerReferralPage data={now} action={c.req.path} state={{ values, errors: {}, refused: result.message }} />, { title, noindex: true });
    }
    return c.redirect(back, 303);
  });

  // The coach introduces a referral to a partner, and can take the link back.
  web.post('/deelnemers/:id/doorverwijzingen/:referralId/voorstellen', signedIn('staff', 'coach'), async (c) => {
    const { id, referralId } = c.req.param();
    if (!isGuid(id) || !isGuid(referralId)) throw new ApiError('not_found', 'Deze doorverwijzing bestaat niet.');
    const user = c.var.user!;
    const participant = await participantFor(c.var.deps, user, id);
    const values = await readForm(c);
    const parsed = introductionRequestSchema.safeParse(formToInput(introductionRequestSchema, values));
    if (!parsed.success) return renderParticipant(c, 422, { introduction: { referralId, state: { values, errors: formErrors(parsed.error, values) } } });
    try {
      await introduceReferral(c.var.deps, user, participant, referralId, parsed.data);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'refused') {
        return renderParticipant(c, 409, { introduction: { referralId, state: { values, errors: {}, refused: err.message } } });
      }
      throw err;
    }
    return c.redirect(`/deelnemers/${participant.id}?voorgesteld#doorverwijzingen`, 303);
  });

  web.post('/deelnemers/:id/doorverwijzingen/:referralId/link-intrekken', signedIn('staff', 'coach'), async (c) => {
    const { id, referralId } = c.req.param();
    if (!isGuid(id) || !isGuid(referralId)) throw new ApiError('not_found', 'Deze doorverwijzing bestaat niet.');
    const user = c.var.user!;
    const participant = await participantFor(c.var.deps, user, id);
    await revokeReferralLink(c.var.deps, user, participant.id, referralId);
    return c.redirect(`/deelnemers/${participant.id}?ingetrokken#doorverwijzingen`, 303);
  });

  return web;
}
