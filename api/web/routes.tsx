import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { formatLocalDate, toLocalDate } from '../../domain/calendar.js';
import { signUserToken } from '../../infra/supabase/tokens.js';
import QRCode from 'qrcode';
import { issueLink, linkUrl, linksOf, revokeLink } from '../../activities/access-links.js';
import { participantFor } from '../access.js';
import { clearSessionCookie, setSessionCookie, SESSION_SECONDS, type Role } from '../auth.js';
import type { ApiDeps, AppEnv, SignedInUser } from '../context.js';
import { localSignInAllowed } from '../../infra/config.js';
import { ApiError } from '../errors.js';
import { intake, readPath, runActionWithNote } from '../path-service.js';
import {
  coachesOfSite,
  completeTask,
  listParticipants,
  myTasks,
  participantHistory,
  participantNotes,
  participantTasks,
  profileNames,
  type TaskWindow,
} from '../queries.js';
import { funderReport, reportRows } from '../report.js';
import { actionRequestSchemas, intakeRequestSchema, isActionType, participantsQuerySchema, reportQuerySchema, type ActionType } from '../requests.js';
import { checkActionTargets } from '../routes/participants.js';
import { formErrors, formToInput, localPath, readForm, type FormState } from './form-input.js';
import { ACTION_DONE } from './labels.js';
import { IntakePage } from './pages/intake.js';
import { CONFIRM_FORGET, ParticipantPage, type NewLink, type OpenForm, type ParticipantPageData } from './pages/participant.js';
import { ParticipantsPage } from './pages/participants.js';
import { ReportPage } from './pages/report.js';
import { SignInPage, type SignInPerson } from './pages/sign-in.js';
import { TASK_WINDOW_PARAM, TasksPage } from './pages/tasks.js';
import { buildTimeline } from './timeline.js';

/**
 * The web pages, server-rendered under one layout. Every form works without JavaScript:
 * validation with the shared schemas; on a problem the same page comes back with what the person
 * typed and the errors next to the fields (422, or 409 when the path refuses the action); on
 * success post/redirect/get (303).
 */

type Ctx = Context<AppEnv>;

/** Pages need a signed-in person; without one, the local stack sends them to the sign-in page. */
function signedIn(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.var.user;
    if (!user) {
      if (!localSignInAllowed(c.var.deps.config)) throw new ApiError('unauthenticated', 'Meld je eerst aan.');
      const url = new URL(c.req.url);
      return c.redirect(`/inloggen?terug=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    if (roles.length && !roles.includes(user.role)) throw new ApiError('forbidden', 'Deze pagina is niet voor jouw rol.');
    await next();
  };
}

/** The local sign-in exists only outside production. */
const localOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!localSignInAllowed(c.var.deps.config)) throw new ApiError('not_found', 'Deze pagina bestaat niet.');
  await next();
};

function homeOf(role: Role): string {
  return role === 'coordinator' ? '/rapport' : '/deelnemers';
}

async function signInPeople(deps: ApiDeps): Promise<SignInPerson[]> {
  const { data, error } = await deps.db.from('profiles').select('id, display_name, role, sites(name)').order('role').order('display_name');
  if (error) throw new Error(`read profiles: ${error.message}`);
  return data
    .map((p) => ({ id: p.id, name: p.display_name, role: p.role as Role, siteName: (p.sites as { name: string } | null)?.name ?? '' }))
    .sort((a, b) => a.siteName.localeCompare(b.siteName, 'nl'));
}

async function siteName(deps: ApiDeps, siteId: string): Promise<string> {
  const { data } = await deps.db.from('sites').select('name').eq('id', siteId).maybeSingle();
  return data?.name ?? 'je Stuyfplek';
}

async function participantPageData(deps: ApiDeps, user: SignedInUser, id: string): Promise<ParticipantPageData> {
  if (!z.guid().safeParse(id).success) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const participant = await participantFor(deps, user, id);
  const [view, history, notes, tasks, coaches, names, links] = await Promise.all([
    readPath(deps, participant.id),
    participantHistory(deps, participant.id),
    participantNotes(deps, participant.id),
    participantTasks(deps, participant.id),
    coachesOfSite(deps, participant.site_id),
    profileNames(deps, participant.site_id),
    linksOf(deps.db, participant.id, 'participant_page'),
  ]);
  return {
    participant,
    view,
    timeline: buildTimeline(history, view, names),
    notes: new Map(notes.map((n) => [n.id, n])),
    tasks,
    coaches,
    names,
    links,
    linkValidity: deps.config.PARTICIPANT_LINK_VALIDITY,
  };
}

async function renderParticipant(c: Ctx, status: 200 | 409 | 422, options: { open?: OpenForm; message?: string; newLink?: NewLink } = {}) {
  const data = await participantPageData(c.var.deps, c.var.user!, c.req.param('id') ?? '');
  const name = [data.participant.first_name, data.participant.last_name].filter(Boolean).join(' ') || 'Deelnemer';
  c.status(status);
  return c.render(<ParticipantPage data={data} open={options.open} message={options.message} newLink={options.newLink} />, { title: name });
}

async function renderIntake(c: Ctx, status: 200 | 422, state?: FormState) {
  const user = c.var.user!;
  const [coaches, site] = await Promise.all([coachesOfSite(c.var.deps, user.siteId), siteName(c.var.deps, user.siteId)]);
  c.status(status);
  return c.render(<IntakePage siteName={site} coaches={coaches} state={state} />, { title: 'Inschrijving' });
}

const WINDOW_BY_PARAM = Object.fromEntries(Object.entries(TASK_WINDOW_PARAM).map(([w, p]) => [p, w])) as Record<string, TaskWindow>;

async function renderTasks(c: Ctx, status: 200 | 409, when: TaskWindow, extra: { done?: boolean; problem?: string } = {}) {
  const tasks = await myTasks(c.var.deps, c.var.user!, when);
  c.status(status);
  return c.render(<TasksPage tasks={tasks} when={when} done={extra.done} problem={extra.problem} />, { title: 'Mijn taken' });
}

export function webPages(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();

  web.get('/', (c) => c.redirect(c.var.user ? homeOf(c.var.user.role) : '/inloggen', 303));

  // Sign-in (local stack only) and sign-out.
  web.get('/inloggen', localOnly, async (c) => {
    const people = await signInPeople(c.var.deps);
    return c.render(<SignInPage people={people} target={localPath(c.req.query('terug'))} signedOut={c.req.query('afgemeld') !== undefined} />, {
      title: 'Aanmelden',
    });
  });

  web.post('/inloggen', localOnly, async (c) => {
    const values = await readForm(c);
    const target = localPath(typeof values.terug === 'string' ? values.terug : undefined);
    const userId = typeof values.userId === 'string' ? values.userId : '';
    const people = await signInPeople(c.var.deps);
    const person = people.find((p) => p.id === userId);
    if (!person) {
      c.status(422);
      return c.render(<SignInPage people={people} target={target} state={{ values, errors: { userId: 'Kies wie je bent.' } }} />, { title: 'Aanmelden' });
    }
    setSessionCookie(c, await signUserToken(person.id, c.var.deps.config.SUPABASE_JWT_SECRET, SESSION_SECONDS));
    return c.redirect(target === '/' ? homeOf(person.role) : target, 303);
  });

  web.post('/uitloggen', (c) => {
    clearSessionCookie(c);
    return c.redirect(localSignInAllowed(c.var.deps.config) ? '/inloggen?afgemeld' : '/', 303);
  });

  // Participants.
  web.get('/deelnemers', signedIn('staff', 'coach'), async (c) => {
    const user = c.var.user!;
    const query = participantsQuerySchema.safeParse({ phase: c.req.query('fase') || undefined, coach: c.req.query('coach') || undefined });
    const filter = query.success ? query.data : {};
    const [participants, coaches] = await Promise.all([
      listParticipants(c.var.deps, user, { phase: filter.phase, coachId: filter.coach }),
      user.role === 'staff' ? coachesOfSite(c.var.deps, user.siteId) : Promise.resolve([]),
    ]);
    return c.render(<ParticipantsPage user={user} participants={participants} coaches={coaches} filter={{ phase: filter.phase, coach: filter.coach }} />, {
      title: user.role === 'coach' ? 'Mijn deelnemers' : 'Deelnemers',
    });
  });

  web.get('/deelnemers/:id', signedIn('staff', 'coach'), async (c) => {
    const done = c.req.query('gedaan');
    const message =
      done && isActionType(done)
        ? ACTION_DONE[done]
        : c.req.query('ingeschreven') !== undefined
          ? 'Ingeschreven. Het groeipad is gestart in oriëntatie.'
          : c.req.query('bestond') !== undefined
            ? 'Deze persoon was al ingeschreven: dit is het bestaande groeipad.'
            : c.req.query('afgewerkt') !== undefined
              ? 'De taak is afgewerkt.'
              : c.req.query('ingetrokken') !== undefined
                ? 'De link is ingetrokken: wie hem heeft, kan de eigen pagina er niet meer mee openen.'
                : undefined;
    return renderParticipant(c, 200, { message });
  });

  // After a form came back, a reload of its address goes to the page again.
  web.get('/deelnemers/:id/acties/:type', signedIn('staff', 'coach'), (c) =>
    c.redirect(`/deelnemers/${encodeURIComponent(c.req.param('id'))}#actie-${encodeURIComponent(c.req.param('type'))}`, 303),
  );

  web.post('/deelnemers/:id/acties/:type', signedIn('staff', 'coach'), async (c) => {
    const type = c.req.param('type');
    if (!isActionType(type)) throw new ApiError('not_found', 'Deze actie bestaat niet.');
    const id = c.req.param('id');
    if (!z.guid().safeParse(id).success) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
    const user = c.var.user!;
    const participant = await participantFor(c.var.deps, user, id);
    const values = await readForm(c);
    const schema = actionRequestSchemas[type];
    const parsed = schema.safeParse(formToInput(schema, values));
    const errors = parsed.success ? {} : formErrors(parsed.error, values);
    if (type === 'forget' && !values[CONFIRM_FORGET]) errors[CONFIRM_FORGET] = 'Bevestig dat de deelnemer dit vroeg.';
    const back = (status: 409 | 422, state: Omit<FormState, 'values'>) => renderParticipant(c, status, { open: { type: type as ActionType, state: { values, ...state } } });
    if (!parsed.success || Object.keys(errors).length) return back(422, { errors });

    const { note, ...input } = parsed.data as { note?: string };
    try {
      await checkActionTargets(c.var.deps, participant.site_id, type, input);
      await runActionWithNote(c.var.deps, user, participant, type, input, note || undefined);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'refused') return back(409, { errors: {}, refused: err.message });
      if (err instanceof ApiError && err.code === 'invalid_input') {
        return back(422, err.fields && Object.keys(err.fields).length ? { errors: err.fields } : { errors: {}, refused: err.message });
      }
      throw err;
    }
    return c.redirect(`/deelnemers/${participant.id}?gedaan=${type}`, 303);
  });

  // The participant's own page: a coach (or staff) makes a link to hand over on the spot, or revokes one.
  // The address a new link was shown at, opened again (a reload, the history): back to the page, which never shows a token again.
  web.get('/deelnemers/:id/eigen-pagina', signedIn('staff', 'coach'), (c) => c.redirect(`/deelnemers/${encodeURIComponent(c.req.param('id'))}#eigen-pagina`, 303));

  web.post('/deelnemers/:id/eigen-pagina', signedIn('staff', 'coach'), async (c) => {
    const id = c.req.param('id');
    if (!z.guid().safeParse(id).success) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
    const user = c.var.user!;
    const { deps } = c.var;
    const participant = await participantFor(deps, user, id);
    if (participant.erased_at) throw new ApiError('refused', 'De gegevens van deze deelnemer zijn gewist; er kan geen link meer gemaakt worden.');
    const link = await issueLink(deps.db, deps.config.LINK_SECRET, {
      participantId: participant.id,
      siteId: participant.site_id,
      purpose: 'participant_page',
      createdBy: user.id,
      validity: deps.config.PARTICIPANT_LINK_VALIDITY,
    });
    const url = linkUrl(deps.config.PUBLIC_URL, 'participant_page', link.token);
    // The token is shown this once (it is not stored): no redirect that would need it in an
    // address, and no copy of this answer in any cache.
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return renderParticipant(c, 200, { newLink: { id: link.id, url, qrSvg, expiresAt: link.expiresAt.toISOString() } });
  });

  web.post('/deelnemers/:id/eigen-pagina/:linkId/intrekken', signedIn('staff', 'coach'), async (c) => {
    const { id, linkId } = c.req.param();
    if (!z.guid().safeParse(id).success || !z.guid().safeParse(linkId).success) throw new ApiError('not_found', 'Deze link bestaat niet.');
    const user = c.var.user!;
    const { deps } = c.var;
    const participant = await participantFor(deps, user, id);
    // Only a link of this participant: another participant's link id in the address is not found.
    const { data: link, error } = await deps.db.from('access_links').select('id').eq('id', linkId).eq('participant_id', participant.id).eq('purpose', 'participant_page').maybeSingle();
    if (error) throw new Error(`revoke link: ${error.message}`);
    if (!link) throw new ApiError('not_found', 'Deze link bestaat niet.');
    await revokeLink(deps.db, link.id, user.id);
    return c.redirect(`/deelnemers/${participant.id}?ingetrokken#eigen-pagina`, 303);
  });

  // Intake.
  web.get('/inschrijving', signedIn('staff'), (c) => renderIntake(c, 200));

  web.post('/inschrijving', signedIn('staff'), async (c) => {
    const user = c.var.user!;
    const values = await readForm(c);
    const parsed = intakeRequestSchema.safeParse({ ...formToInput(intakeRequestSchema, values), siteId: user.siteId });
    if (!parsed.success) return renderIntake(c, 422, { values, errors: formErrors(parsed.error, values) });
    let result;
    try {
      result = await intake(c.var.deps, parsed.data);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') return renderIntake(c, 422, { values, errors: err.fields ?? {} });
      throw err;
    }
    return c.redirect(`/deelnemers/${result.participantId}?${result.created ? 'ingeschreven' : 'bestond'}`, 303);
  });

  // Tasks.
  web.get('/taken', signedIn('staff', 'coach'), (c) => renderTasks(c, 200, WINDOW_BY_PARAM[c.req.query('wanneer') ?? ''] ?? 'open', { done: c.req.query('afgewerkt') !== undefined }));

  web.post('/taken/:id/afgewerkt', signedIn('staff', 'coach'), async (c) => {
    const values = await readForm(c);
    const id = c.req.param('id');
    if (!z.guid().safeParse(id).success) throw new ApiError('not_found', 'Deze taak bestaat niet.');
    try {
      await completeTask(c.var.deps, c.var.user!, id);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'refused') return renderTasks(c, 409, 'open', { problem: err.message });
      throw err;
    }
    const back = localPath(typeof values.terug === 'string' ? values.terug : undefined);
    const target = back.startsWith('/taken') || back.startsWith('/deelnemers/') ? back : '/taken';
    return c.redirect(`${target}${target.includes('?') ? '&' : '?'}afgewerkt`, 303);
  });

  // Report.
  web.get('/rapport', signedIn('coordinator'), async (c) => {
    const user = c.var.user!;
    const site = await siteName(c.var.deps, user.siteId);
    const from = c.req.query('from');
    const to = c.req.query('to');
    const title = 'Rapport';
    if (from === undefined && to === undefined) {
      const today = formatLocalDate(toLocalDate(Date.now()));
      return c.render(<ReportPage siteName={site} state={{ values: { from: `${today.slice(0, 4)}-01-01`, to: today }, errors: {} }} />, { title });
    }
    const values = { from: from ?? '', to: to ?? '' };
    const parsed = reportQuerySchema.safeParse(values);
    if (!parsed.success) {
      c.status(422);
      return c.render(<ReportPage siteName={site} state={{ values, errors: formErrors(parsed.error, values) }} />, { title });
    }
    try {
      const report = await funderReport(c.var.deps, user.siteId, parsed.data.from, parsed.data.to);
      return c.render(<ReportPage siteName={site} state={{ values, errors: {} }} rows={reportRows(report)} period={parsed.data} />, { title });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'unavailable') {
        c.status(503);
        return c.render(<ReportPage siteName={site} state={{ values, errors: {} }} unavailable={err.message} />, { title });
      }
      throw err;
    }
  });

  return web;
}
