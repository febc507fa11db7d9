import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { isGuid } from '../../domain/action-spec.js';
import { formatLocalDate, toLocalDate } from '../../domain/calendar.js';
import QRCode from 'qrcode';
import { issueLink, linkUrl, linksOf, revokeLink } from '../../activities/access-links.js';
import { participantFor } from '../access.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clearSessionCookies, hasSessionCookie, sessionClient, type Role } from '../auth.js';
import type { ApiDeps, AppEnv, SignedInUser } from '../context.js';
import { localSignInAllowed } from '../../infra/config.js';
import { ApiError } from '../errors.js';
import { intake, readPath, runActionWithNote } from '../path-service.js';
import {
  coachesOfSite,
  completeTask,
  listParticipants,
  myTasks,
  type TaskScope,
  participantHistory,
  participantNotes,
  participantTasks,
  profileNames,
  type TaskWindow,
} from '../queries.js';
import { esfReport, funderReport, phaseSeries, reportRows } from '../report.js';
import { actionRequestSchemas, esfEntryRequestSchema, intakeRequestSchema, isActionType, participantsQuerySchema, reportQuerySchema, type ActionType } from '../requests.js';
import { checkActionTargets } from '../routes/participants.js';
import { readPassportChoice, validatedSteps } from '../passport.js';
import { passportFile, sendPassport } from '../passport-download.js';
import { formErrors, formToInput, localPath, readForm, type FormState } from './form-input.js';
import { ACTION_DONE } from './labels.js';
import { IntakePage } from './pages/intake.js';
import { CONFIRM_FORGET, ParticipantPage, type IntroductionForm, type NewLink, type OpenForm, type ParticipantPageData } from './pages/participant.js';
import { introductionsOf } from '../partner-links.js';
import { PARTNER_LINK_NOTICES } from './pages/partner-referral.js';
import { ParticipantsPage } from './pages/participants.js';
import { ReportPage } from './pages/report.js';
import { SignInPage, type SignInPerson } from './pages/sign-in.js';
import { CodePage, EmailSignInPage, NotLinkedPage } from './pages/sign-in-email.js';
import { TASK_WINDOW_PARAM, TasksPage } from './pages/tasks.js';
import { GroupMomentsPage, PRESENT_FIELD, RegisterPage, guestField } from './pages/group-moments.js';
import { inviteToMoment, listMoments, planMoment, PLANNERS, readRegister, registerMoment, saveRegister, today, type GroupMoment } from '../group-moments.js';
import { esfAnswersIn, groupMomentRegisterSchema, planGroupMomentSchema } from '../../domain/actions.js';
import { correctEntry, entryView } from '../esf-entry.js';
import { ESF_KEPT_AT_INTAKE } from './pages/esf-entry.js';
import { GROUP_MOMENT_LABELS, PARTNERS } from '../../domain/codes.js';
import { buildTimeline } from './timeline.js';
import { esfFormErrors, esfFormInput } from './pages/esf-results.js';

/** Built once, not per request. */
const emailAddress = z.email();

/**
 * The web pages, server-rendered under one layout. Every form works without JavaScript:
 * validation with the shared schemas; on a problem the same page comes back with what the person
 * typed and the errors next to the fields (422, or 409 when the path refuses the action); on
 * success post/redirect/get (303).
 */

type Ctx = Context<AppEnv>;

/** Where people sign in: the pick-a-person page on the local stack, Supabase Auth (email and code) elsewhere. */
export function signInPage(config: ApiDeps['config']): string {
  return localSignInAllowed(config) ? '/inloggen' : '/aanmelden';
}

function notLinked(c: Ctx) {
  c.status(403);
  return c.render(<NotLinkedPage email={c.var.account?.email ?? ''} />, { title: 'Account nog niet gekoppeld' });
}

/**
 * Pages need a signed-in person with a profile; without a session they go to the sign-in page
 * (and back after), an account without a profile gets the "not linked yet" page.
 */
export function signedIn(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.var.user;
    if (!user) {
      if (c.var.account) return notLinked(c);
      const url = new URL(c.req.url);
      return c.redirect(`${signInPage(c.var.deps.config)}?terug=${encodeURIComponent(url.pathname + url.search)}`, 303);
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

/** A short-lived cookie with the page to open after signing in by the email's link. */
const AFTER_SIGN_IN = 'groeipad_terug';

/** After sign-in: the page they wanted, or their home; "/" shows an account without a profile what to do. */
async function afterSignIn(c: Ctx, userId: string, target: string): Promise<string> {
  if (target !== '/') return target;
  const { data } = await c.var.deps.db.from('profiles').select('role').eq('id', userId).maybeSingle();
  return data ? homeOf(data.role as Role) : '/';
}

function homeOf(role: Role): string {
  return role === 'coordinator' ? '/rapport' : role === 'facilitator' ? '/groepsmomenten' : '/deelnemers';
}

async function signInPeople(deps: ApiDeps): Promise<Array<SignInPerson & { email: string | null }>> {
  const { data, error } = await deps.db.from('profiles').select('id, display_name, role, email, sites(name)').order('role').order('display_name');
  if (error) throw new Error(`read profiles: ${error.message}`);
  return data
    .map((p) => ({ id: p.id, name: p.display_name, role: p.role as Role, email: p.email, siteName: (p.sites as { name: string } | null)?.name ?? '' }))
    .sort((a, b) => a.siteName.localeCompare(b.siteName, 'nl'));
}

async function siteName(deps: ApiDeps, siteId: string): Promise<string> {
  const { data } = await deps.db.from('sites').select('name').eq('id', siteId).maybeSingle();
  return data?.name ?? 'je Stuyfplek';
}

async function participantPageData(deps: ApiDeps, user: SignedInUser, id: string): Promise<ParticipantPageData> {
  if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const participant = await participantFor(deps, user, id);
  const [view, history, notes, tasks, coaches, names, links, passportSteps] = await Promise.all([
    readPath(deps, participant.id),
    participantHistory(deps, participant.id),
    participantNotes(deps, participant.id),
    participantTasks(deps, participant.id),
    coachesOfSite(deps, participant.site_id),
    profileNames(deps, participant.site_id),
    linksOf(deps.db, participant.id, 'participant_page'),
    validatedSteps(deps.db, participant.id),
  ]);
  const esfEntry = await entryView(deps, user, participant);
  return {
    participant,
    view,
    timeline: buildTimeline(history, view, names),
    notes: new Map(notes.map((n) => [n.id, n])),
    tasks,
    coaches,
    names,
    introductions: await introductionsOf(deps, participant.id),
    links,
    linkValidity: deps.config.PARTICIPANT_LINK_VALIDITY,
    agreementChoiceDefault: deps.config.AGREEMENT_ON_MOVE_BACK,
    passportSteps,
    esfEntry,
  };
}

export async function renderParticipant(
  c: Ctx,
  status: 200 | 409 | 422,
  options: { open?: OpenForm; message?: string; introduction?: IntroductionForm; newLink?: NewLink; passport?: FormState; esfEntry?: FormState } = {},
) {
  const data = await participantPageData(c.var.deps, c.var.user!, c.req.param('id') ?? '');
  const name = [data.participant.first_name, data.participant.last_name].filter(Boolean).join(' ') || 'Deelnemer';
  c.status(status);
  return c.render(<ParticipantPage data={data} open={options.open} message={options.message} introduction={options.introduction} newLink={options.newLink} passport={options.passport} esfEntry={options.esfEntry} />, { title: name });
}

async function renderIntake(c: Ctx, status: 200 | 422, state?: FormState) {
  const user = c.var.user!;
  const [coaches, site] = await Promise.all([coachesOfSite(c.var.deps, user.siteId), siteName(c.var.deps, user.siteId)]);
  c.status(status);
  return c.render(<IntakePage siteName={site} coaches={coaches} state={state} />, { title: 'Inschrijving' });
}

const WINDOW_BY_PARAM = Object.fromEntries(Object.entries(TASK_WINDOW_PARAM).map(([w, p]) => [p, w])) as Record<string, TaskWindow>;

async function renderTasks(c: Ctx, status: 200 | 409, when: TaskWindow, extra: { done?: boolean; problem?: string } = {}) {
  const user = c.var.user!;
  // Staff choose whose tasks: theirs (and the unassigned), the whole site's, or one coach's.
  const whose = user.role === 'staff' ? tasksWhose(c.req.query('van')) : { scope: 'mine' as const };
  const [tasks, coaches, names] = await Promise.all([
    myTasks(c.var.deps, user, when, whose),
    user.role === 'staff' ? coachesOfSite(c.var.deps, user.siteId) : Promise.resolve([]),
    whose.scope === 'site' ? profileNames(c.var.deps, user.siteId) : Promise.resolve(new Map<string, string>()),
  ]);
  c.status(status);
  return c.render(<TasksPage tasks={tasks} when={when} done={extra.done} problem={extra.problem} staff={user.role === 'staff' ? { whose, coaches, names } : undefined} />, {
    title: whose.scope === 'site' ? 'Taken van de Stuyfplek' : 'Mijn taken',
  });
}

/** `van`: empty or "mij" — mine; "iedereen" — the site's; a coach's id — that coach's. */
function tasksWhose(param: string | undefined): TaskScope {
  if (param === 'iedereen') return { scope: 'site' };
  if (param && isGuid(param)) return { scope: 'site', coachId: param };
  return { scope: 'mine' };
}

async function renderMoments(c: Ctx, status: 200 | 422, state?: FormState) {
  const user = c.var.user!;
  const [moments, names, people] = await Promise.all([listMoments(c.var.deps, user), profileNames(c.var.deps, user.siteId), facilitatorsOfSite(c.var.deps, user.siteId)]);
  c.status(status);
  return c.render(<GroupMomentsPage moments={moments} names={names} people={people} canPlan={(PLANNERS as readonly string[]).includes(user.role)} state={state} />, {
    title: 'Groepsmomenten',
  });
}

/** Who may run a group moment: the site's facilitators, coaches and staff. */
async function facilitatorsOfSite(deps: ApiDeps, siteId: string): Promise<Array<{ id: string; name: string }>> {
  const { data, error } = await deps.db.from('profiles').select('id, display_name').eq('site_id', siteId).in('role', ['facilitator', 'coach', 'staff']).order('display_name');
  if (error) throw new Error(`read facilitators: ${error.message}`);
  return data.map((p) => ({ id: p.id, name: p.display_name }));
}

async function renderRegister(
  c: Ctx,
  moment: GroupMoment,
  status: 200 | 422,
  extra: { saved?: boolean; notice?: string | undefined; state?: FormState; notCounted?: Array<{ participantId: string; reason: string }> } = {},
) {
  const user = c.var.user!;
  const [register, names] = await Promise.all([readRegister(c.var.deps, user, moment), profileNames(c.var.deps, user.siteId)]);
  const byId = new Map(register.participants.map((p) => [p.participantId, `${p.firstName} ${p.lastName}`.trim()]));
  c.status(status);
  return c.render(
    <RegisterPage
      register={register}
      facilitator={moment.facilitatorId ? (names.get(moment.facilitatorId) ?? 'onbekend') : 'nog niemand'}
      saved={extra.saved}
      notice={extra.notice}
      canInvite={user.role === 'staff' && moment.date >= today()}
      state={extra.state}
      notCounted={extra.notCounted?.map((n) => ({ name: byId.get(n.participantId) ?? 'Deelnemer', reason: n.reason }))}
    />,
    { title: `${GROUP_MOMENT_LABELS[moment.kind]}: aanwezigheden` },
  );
}

export function webPages(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();

  web.get('/', (c) => {
    if (c.var.user) return c.redirect(homeOf(c.var.user.role), 303);
    if (c.var.account) return notLinked(c);
    return c.redirect(signInPage(c.var.deps.config), 303);
  });

  // Sign-in with Supabase Auth: email → a code by email → a session in the cookies.
  const signInProblem = 'Aanmelden lukt nu even niet. Probeer het over een paar minuten opnieuw.';
  web.get('/aanmelden', (c) => {
    const failed = c.req.query('fout') !== undefined;
    return c.render(
      <EmailSignInPage
        target={localPath(c.req.query('terug'))}
        notice={c.req.query('afgemeld') !== undefined ? 'Je bent afgemeld.' : undefined}
        problem={failed ? 'Deze aanmeldlink werkt niet meer: hij is al gebruikt of verlopen. Vraag een nieuwe code aan.' : undefined}
        localSignIn={localSignInAllowed(c.var.deps.config)}
      />,
      { title: 'Aanmelden' },
    );
  });

  web.post('/aanmelden', async (c) => {
    const values = await readForm(c);
    const target = localPath(typeof values.terug === 'string' ? values.terug : undefined);
    const email = typeof values.email === 'string' ? values.email.trim() : '';
    const localSignIn = localSignInAllowed(c.var.deps.config);
    if (!emailAddress.safeParse(email).success) {
      c.status(422);
      return c.render(<EmailSignInPage target={target} localSignIn={localSignIn} state={{ values, errors: { email: 'Typ een geldig e-mailadres, bv. an@stuyfplek.be.' } }} />, {
        title: 'Aanmelden',
      });
    }
    const { error } = await sessionClient(c).auth.signInWithOtp({
      email,
      options: { shouldCreateUser: false, emailRedirectTo: `${c.var.deps.config.PUBLIC_URL.replace(/\/$/, '')}/auth/callback` },
    });
    // An unknown address (otp_disabled: no sign-ups) gets the same page as a known one.
    if (error && error.code !== 'otp_disabled' && error.code !== 'user_not_found') {
      const busy = error.status === 429;
      c.status(busy ? 429 : 503);
      return c.render(
        <EmailSignInPage
          target={target}
          localSignIn={localSignIn}
          state={{ values, errors: {} }}
          problem={busy ? 'Je vroeg net al een code aan. Wacht een minuut en probeer het dan opnieuw.' : signInProblem}
        />,
        { title: 'Aanmelden' },
      );
    }
    // The link in the email comes back to /auth/callback: it finds the page they wanted here.
    setCookie(c, AFTER_SIGN_IN, target, { path: '/auth/callback', httpOnly: true, sameSite: 'Lax', maxAge: 3600, secure: new URL(c.var.deps.config.PUBLIC_URL).protocol === 'https:' });
    return c.render(<CodePage email={email} target={target} />, { title: 'Typ je code' });
  });

  web.post('/aanmelden/code', async (c) => {
    const values = await readForm(c);
    const target = localPath(typeof values.terug === 'string' ? values.terug : undefined);
    const email = typeof values.email === 'string' ? values.email.trim() : '';
    const code = typeof values.code === 'string' ? values.code.replace(/\s/g, '') : '';
    const again = (message: string, status: 422 | 503 = 422) => {
      c.status(status);
      return c.render(<CodePage email={email} target={target} state={{ values: { ...values, code }, errors: { code: message } }} />, { title: 'Typ je code' });
    };
    if (!/^\d{6}$/.test(code)) return again('Typ de 6 cijfers uit de e-mail.');
    const { data, error } = await sessionClient(c).auth.verifyOtp({ email, token: code, type: 'email' });
    if (error || !data.session) {
      if (error && error.status !== undefined && error.status >= 500) return again(signInProblem, 503);
      return again('Deze code klopt niet of is verlopen. Kijk de cijfers na, of vraag een nieuwe code aan.');
    }
    return c.redirect(await afterSignIn(c, data.session.user.id, target), 303);
  });

  // The link in the email (PKCE): Supabase Auth sends the browser here with ?code=.
  web.get('/auth/callback', async (c) => {
    const code = c.req.query('code');
    const target = localPath(getCookie(c, AFTER_SIGN_IN));
    deleteCookie(c, AFTER_SIGN_IN, { path: '/auth/callback' });
    if (!code) return c.redirect(`/aanmelden?fout&terug=${encodeURIComponent(target)}`, 303);
    const { data, error } = await sessionClient(c).auth.exchangeCodeForSession(code);
    if (error || !data.session) return c.redirect(`/aanmelden?fout&terug=${encodeURIComponent(target)}`, 303);
    return c.redirect(await afterSignIn(c, data.session.user.id, target), 303);
  });

  // The local pick-a-person page (local stack only). It signs in through the auth server too
  // (an admin magic link, verified by the request's SSR client), so there is one kind of session.
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
    if (!person || !person.email) {
      c.status(422);
      return c.render(<SignInPage people={people} target={target} state={{ values, errors: { userId: 'Kies wie je bent.' } }} />, { title: 'Aanmelden' });
    }
    const link = await c.var.deps.db.auth.admin.generateLink({ type: 'magiclink', email: person.email });
    if (link.error) throw new Error(`local sign-in: generate_link: ${link.error.message}`);
    const { error } = await sessionClient(c).auth.verifyOtp({ token_hash: link.data.properties.hashed_token, type: 'magiclink' });
    if (error) throw new Error(`local sign-in: verify: ${error.message}`);
    return c.redirect(target === '/' ? homeOf(person.role) : target, 303);
  });

  // Sign-out: ends this session at the auth server (its refresh token stops working) and clears the cookies.
  web.post('/uitloggen', async (c) => {
    if (hasSessionCookie(c)) await sessionClient(c).auth.signOut({ scope: 'local' }).catch(() => undefined);
    clearSessionCookies(c);
    return c.redirect(`${signInPage(c.var.deps.config)}?afgemeld`, 303);
  });

  // Participants.
  web.get('/deelnemers', signedIn('staff', 'coach'), async (c) => {
    const user = c.var.user!;
    const query = participantsQuerySchema.safeParse({
      phase: c.req.query('fase') || undefined,
      coach: c.req.query('coach') || undefined,
      q: c.req.query('zoek') || undefined,
      page: c.req.query('pagina') || undefined,
    });
    // A hand-edited address with a bad filter shows the whole list rather than an error.
    const filter = query.success ? query.data : participantsQuerySchema.parse({});
    const [list, coaches] = await Promise.all([
      listParticipants(c.var.deps, user, { phase: filter.phase, coachId: filter.coach, search: filter.q, page: filter.page }),
      user.role === 'staff' ? coachesOfSite(c.var.deps, user.siteId) : Promise.resolve([]),
    ]);
    return c.render(<ParticipantsPage user={user} list={list} coaches={coaches} filter={{ phase: filter.phase, coach: filter.coach, search: filter.q }} />, {
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
            : c.req.query('opnieuw') !== undefined
              ? 'Deze persoon was hier al eerder: het groeipad start opnieuw. Het vorige groeipad en alle stappen blijven.'
            : c.req.query('esf-bewaard') !== undefined
              ? 'De ESF-gegevens zijn bewaard.'
            : c.req.query('afgewerkt') !== undefined
              ? 'De taak is afgewerkt.'
              : c.req.query('ingetrokken') !== undefined
                ? 'De link is ingetrokken: wie hem heeft, kan de eigen pagina er niet meer mee openen.'
                : (PARTNER_LINK_NOTICES.find(([param]) => c.req.query(param) !== undefined)?.[1] ?? undefined);
    // After an intake of someone with an ESF+ record already: the desk's answers were not kept.
    const esfKept = c.req.query('esf-behouden') !== undefined ? ESF_KEPT_AT_INTAKE : undefined;
    return renderParticipant(c, 200, { message: [message, esfKept].filter(Boolean).join(' ') || undefined });
  });

  // After a form came back, a reload of its address goes to the page again.
  web.get('/deelnemers/:id/acties/:type', signedIn('staff', 'coach'), (c) =>
    c.redirect(`/deelnemers/${encodeURIComponent(c.req.param('id'))}#actie-${encodeURIComponent(c.req.param('type'))}`, 303),
  );

  web.post('/deelnemers/:id/acties/:type', signedIn('staff', 'coach'), async (c) => {
    const type = c.req.param('type');
    if (!isActionType(type)) throw new ApiError('not_found', 'Deze actie bestaat niet.');
    const id = c.req.param('id');
    if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
    const user = c.var.user!;
    const participant = await participantFor(c.var.deps, user, id);
    const values = await readForm(c);
    const schema = actionRequestSchemas[type];
    // ESF+ situations: "none of these" and "not known yet" (pages/esf-results.tsx).
    const input = esfFormInput(type, values, formToInput(schema, values));
    // The confirmation is a checkbox on the page and `confirm: true` in the API.
    if (type === 'forget') input[CONFIRM_FORGET] = Boolean(values[CONFIRM_FORGET]) || undefined;
    const parsed = schema.safeParse(input);
    const errors = { ...(parsed.success ? {} : formErrors(parsed.error, values)), ...esfFormErrors(type, values) };
    if (type === 'forget' && errors[CONFIRM_FORGET]) errors[CONFIRM_FORGET] = 'Vink aan dat je de gegevens wist: dit kan niet ongedaan gemaakt worden.';
    const back = (status: 409 | 422, state: Omit<FormState, 'values'>) => renderParticipant(c, status, { open: { type: type as ActionType, state: { values, ...state } } });
    if (!parsed.success || Object.keys(errors).length) return back(422, { errors });

    const { note, ...actionInput } = parsed.data as { note?: string };
    try {
      await checkActionTargets(c.var.deps, participant.site_id, type, actionInput);
      await runActionWithNote(c.var.deps, user, participant, type, actionInput, note || undefined);
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
    if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
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
    if (!isGuid(id) || !isGuid(linkId)) throw new ApiError('not_found', 'Deze link bestaat niet.');
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

  // The growth passport, downloaded by the coach (or staff) on the participant's behalf: the same
  // choice form as on the participant's own page, and only the chosen validated steps go in.
  web.get('/deelnemers/:id/groeipaspoort', signedIn('staff', 'coach'), (c) => c.redirect(`/deelnemers/${encodeURIComponent(c.req.param('id'))}#groeipaspoort`, 303));

  web.post('/deelnemers/:id/groeipaspoort', signedIn('staff', 'coach'), async (c) => {
    const id = c.req.param('id');
    if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
    const { deps } = c.var;
    const participant = await participantFor(deps, c.var.user!, id);
    if (participant.erased_at) throw new ApiError('refused', 'De gegevens van deze deelnemer zijn gewist; er is geen groeipaspoort meer.');
    const values = await readForm(c);
    const read = readPassportChoice(values, await validatedSteps(deps.db, participant.id));
    if ('errors' in read) return renderParticipant(c, 422, { passport: { values, errors: read.errors } });
    return sendPassport(c, await passportFile(deps, participant.id, read.choice));
  });

  // The ESF+ entry record: complete or correct it (a new version), from the participant's page.
  web.get('/deelnemers/:id/esf-gegevens', signedIn('staff', 'coach'), (c) => c.redirect(`/deelnemers/${encodeURIComponent(c.req.param('id'))}#esf-gegevens`, 303));

  web.post('/deelnemers/:id/esf-gegevens', signedIn('staff', 'coach'), async (c) => {
    const id = c.req.param('id');
    if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
    const user = c.var.user!;
    const participant = await participantFor(c.var.deps, user, id);
    const values = await readForm(c);
    const parsed = esfEntryRequestSchema.safeParse(formToInput(esfEntryRequestSchema, values));
    if (!parsed.success) return renderParticipant(c, 422, { esfEntry: { values, errors: formErrors(parsed.error, values) } });
    try {
      await correctEntry(c.var.deps, user, participant, { answers: esfAnswersIn(parsed.data), reason: parsed.data.reason });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') return renderParticipant(c, 422, { esfEntry: { values, errors: err.fields ?? {} } });
      if (err instanceof ApiError && err.code === 'refused') return renderParticipant(c, 409, { esfEntry: { values, errors: {}, refused: err.message } });
      throw err;
    }
    return c.redirect(`/deelnemers/${participant.id}?esf-bewaard#esf-gegevens`, 303);
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
      result = await intake(c.var.deps, parsed.data, { by: user.id });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') return renderIntake(c, 422, { values, errors: err.fields ?? {} });
      throw err;
    }
    // ESF+ answers given at the desk for someone who had a record already were not recorded: say so.
    const esfKept = !result.esfRecorded && Object.keys(esfAnswersIn(parsed.data)).length > 0 ? '&esf-behouden' : '';
    return c.redirect(`/deelnemers/${result.participantId}?${result.created ? 'ingeschreven' : result.reentered ? 'opnieuw' : 'bestond'}${esfKept}`, 303);
  });

  // Tasks.
  web.get('/taken', signedIn('staff', 'coach'), (c) => renderTasks(c, 200, WINDOW_BY_PARAM[c.req.query('wanneer') ?? ''] ?? 'open', { done: c.req.query('afgewerkt') !== undefined }));

  web.post('/taken/:id/afgewerkt', signedIn('staff', 'coach'), async (c) => {
    const values = await readForm(c);
    const id = c.req.param('id');
    if (!isGuid(id)) throw new ApiError('not_found', 'Deze taak bestaat niet.');
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

  // Group moments: plan one; the register of one, filled in at once on a phone.
  web.get('/groepsmomenten', signedIn('staff', 'facilitator', 'coach'), (c) => renderMoments(c, 200));

  web.post('/groepsmomenten', signedIn(...PLANNERS), async (c) => {
    const values = await readForm(c);
    const parsed = planGroupMomentSchema.safeParse(formToInput(planGroupMomentSchema, values));
    if (!parsed.success) return renderMoments(c, 422, { values, errors: formErrors(parsed.error, values) });
    try {
      const { moment, created } = await planMoment(c.var.deps, c.var.user!, parsed.data);
      return c.redirect(`/groepsmomenten/${moment.id}?${created ? 'gepland' : 'bestond'}`, 303);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') return renderMoments(c, 422, { values, errors: err.fields ?? {} });
      throw err;
    }
  });

  const momentParam = (c: Ctx) => {
    const id = c.req.param('id') ?? '';
    if (!z.guid().safeParse(id).success) throw new ApiError('not_found', 'Dit groepsmoment bestaat niet.');
    return registerMoment(c.var.deps, c.var.user!, id);
  };

  web.get('/groepsmomenten/:id', signedIn('staff', 'facilitator', 'coach'), async (c) => {
    const moment = await momentParam(c);
    const notice =
      c.req.query('gepland') !== undefined
        ? 'Het groepsmoment is gepland. Vul hier de aanwezigheden in wanneer het plaatsvindt.'
        : c.req.query('bestond') !== undefined
          ? 'Dit groepsmoment was al gepland: dit is het.'
          : c.req.query('uitgenodigd') !== undefined
            ? 'De uitnodigingen worden verstuurd naar wie e-mails wil krijgen.'
            : undefined;
    return renderRegister(c, moment, 200, { saved: c.req.query('bewaard') !== undefined, notice });
  });

  web.post('/groepsmomenten/:id/uitnodigen', signedIn('staff'), async (c) => {
    const moment = await momentParam(c);
    if (moment.date < today()) throw new ApiError('refused', 'Dit groepsmoment is al voorbij; er worden geen uitnodigingen meer verstuurd.');
    await inviteToMoment(c.var.deps, moment);
    return c.redirect(`/groepsmomenten/${moment.id}?uitgenodigd`, 303);
  });

  web.post('/groepsmomenten/:id', signedIn('staff', 'facilitator', 'coach'), async (c) => {
    const moment = await momentParam(c);
    const values = await readForm(c);
    const errors: Record<string, string> = {};
    const guests: Array<{ partner: (typeof PARTNERS)[number]; count: number }> = [];
    for (const partner of PARTNERS) {
      const raw = values[guestField(partner)];
      const text = (Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '')).trim();
      if (text === '') {
        guests.push({ partner, count: 0 });
        continue;
      }
      if (!/^\d{1,3}$/.test(text) || Number(text) > 500) errors[guestField(partner)] = 'Vul een aantal in, van 0 tot 500.';
      else guests.push({ partner, count: Number(text) });
    }
    const raw = values[PRESENT_FIELD];
    const present = Array.isArray(raw) ? raw : raw ? [raw] : [];
    const parsed = groupMomentRegisterSchema.safeParse({ present, guests });
    if (!parsed.success && Object.keys(errors).length === 0) errors[PRESENT_FIELD] = 'Kies alleen mensen uit de lijst.';
    if (Object.keys(errors).length > 0 || !parsed.success) return renderRegister(c, moment, 422, { state: { values, errors } });
    try {
      const { notCounted } = await saveRegister(c.var.deps, c.var.user!, moment, parsed.data);
      if (notCounted.length > 0) return renderRegister(c, moment, 200, { saved: true, notCounted });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') return renderRegister(c, moment, 422, { state: { values, errors: { [PRESENT_FIELD]: 'Kies alleen mensen uit de lijst.' } } });
      throw err;
    }
    return c.redirect(`/groepsmomenten/${moment.id}?bewaard`, 303);
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
      const { from: start, to: end } = parsed.data;
      const [report, series, esf] = await Promise.all([
        funderReport(c.var.deps, user.siteId, start, end),
        phaseSeries(c.var.deps, user.siteId, start, end),
        esfReport(c.var.deps, user.siteId, start, end),
      ]);
      return c.render(<ReportPage siteName={site} state={{ values, errors: {} }} rows={reportRows(report)} period={parsed.data} report={report} series={series} esf={esf} />, {
        title,
      });
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
