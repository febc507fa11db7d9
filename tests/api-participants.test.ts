import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentParticipantId } from '../api/path-service.js';
import { ACTION_TYPES } from '../api/requests.js';
import { addMonths, formatLocalDate, toLocalDate } from '../domain/calendar.js';
import type { PathView } from '../domain/path-state.js';
import { api, json, peopleAtTwoSites, takeIn, until, type Person } from './support/http.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The JSON API for participants on the real stack: intake (idempotent), the list with its
 * filters and who may see what, the detail (workflow state + database history), and every coach
 * action as a Temporal update, with 400, 401, 403, 404 and 409 (the validator's Dutch reason).
 */

let stack: TestStack;
let siteId: string;
let otherSiteId: string;
let staff: Person;
let coach: Person;
let coach2: Person;
let coordinator: Person;
let staffElsewhere: Person;

beforeAll(async () => {
  stack = await startTestStack();
  ({ siteId, otherSiteId, staff, coach, coach2, coordinator, staffElsewhere } = await peopleAtTwoSites(stack));
});
afterAll(async () => {
  await stack?.stop();
});

type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string>; requestId: string } };
const act = (participantId: string, type: string, body: unknown, who: Person = coach) => api(stack, `/api/participants/${participantId}/actions/${type}`, { token: who.token, body });

async function acted(participantId: string, type: string, body: unknown, who: Person = coach): Promise<PathView> {
  const res = await act(participantId, type, body, who);
  if (res.status !== 200) throw new Error(`${type}: ${res.status} ${await res.text()}`);
  return (await json<{ path: PathView }>(res)).path;
}

async function refused(participantId: string, type: string, body: unknown, who: Person = coach): Promise<string> {
  const res = await act(participantId, type, body, who);
  expect(res.status, `${type} should be refused`).toBe(409);
  const error = (await json<ErrorBody>(res)).error;
  expect(error.code).toBe('refused');
  return error.message;
}

const notesOf = async (participantId: string) =>
  (await stack.sql.query<{ id: string; body: string }>('select id, body from public.notes where participant_id = $1 order by created_at', [participantId])).rows;

describe('intake', () => {
  const person = (firstName: string) => ({ siteId, firstName, lastName: 'Janssens', birthDate: '1979-11-03', referralSource: 'vdab' });

  it('refuses names without letters or with control or private-use characters (400, in Dutch), and keeps every real name', async () => {
    const countParticipants = async () => Number((await stack.sql.query('select count(*) from public.participants')).rows[0].count);
    const before = await countParticipants();
    for (const [field, value] of [
      ['firstName', '0'],
      ['firstName', '\u0007\u0008'],
      ['lastName', '\uE000\uE001'],
      ['lastName', 'Peeters\u200B'],
      ['firstName', '   '],
    ] as const) {
      const res = await api(stack, '/api/intakes', { token: staff.token, body: { ...person('Anna'), [field]: value } });
      expect(res.status, JSON.stringify(value)).toBe(400);
      const error = (await json<ErrorBody>(res)).error;
      expect(Object.keys(error.fields ?? {}), JSON.stringify(value)).toEqual([field]);
      expect(error.fields?.[field]).toMatch(/letter|vul een/);
    }
    expect(await countParticipants()).toBe(before);

    for (const [firstName, lastName] of [
      ["Marie-Louise", "D'Hondt"],
      ['Nguyễn', 'Thị Minh'],
      ['Ана', 'Петрова'],
      ['Zeynep', 'Van den Broeck-Özdemir'],
      ['王', '小明'],
    ]) {
      const res = await api(stack, '/api/intakes', { token: staff.token, body: { ...person(firstName!), lastName } });
      expect(res.status, `${firstName} ${lastName}`).toBe(201);
      const { participantId } = await json<{ participantId: string }>(res);
      const { rows } = await stack.sql.query('select first_name, last_name from public.participants where id = $1', [participantId]);
      expect(rows[0]).toEqual({ first_name: firstName!.normalize('NFC'), last_name: lastName!.normalize('NFC') });
    }
  });

  it('refuses (409) to register at a second site someone who is registered at another, without revealing their id', async () => {
    const first = await api(stack, '/api/intakes', { token: staffElsewhere.token, body: { ...person('Ilse'), siteId: otherSiteId, lastName: 'Tweeplekken' } });
    expect(first.status).toBe(201);
    const elsewhereId = (await json<{ participantId: string }>(first)).participantId;
    const second = await api(stack, '/api/intakes', { token: staff.token, body: { ...person('Ilse'), lastName: 'Tweeplekken' } });
    expect(second.status).toBe(409);
    const text = await second.text();
    expect(text).toContain('andere Stuyfplek');
    expect(text).not.toContain(elsewhereId);
  });

  it('returns the same path for the same Idempotency-Key, and refuses the key for someone else (422)', async () => {
    const key = `intake-${Date.now()}`;
    const first = await api(stack, '/api/intakes', { token: staff.token, body: person('Ahmed'), headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    const created = await json<{ participantId: string; created: boolean }>(first);
    expect(created.participantId).toBe(idempotentParticipantId(staff.id, key));

    const retry = await api(stack, '/api/intakes', { token: staff.token, body: person('Ahmed'), headers: { 'idempotency-key': key } });
    expect(retry.status).toBe(200);
    expect(await json(retry)).toMatchObject({ participantId: created.participantId, created: false });

    const reused = await api(stack, '/api/intakes', { token: staff.token, body: person('Fatma'), headers: { 'idempotency-key': key } });
    expect(reused.status).toBe(422);
    expect((await json<ErrorBody>(reused)).error.code).toBe('idempotency_key_reused');

    // Another key, the same person: still the same path.
    const sameperson = await api(stack, '/api/intakes', { token: staff.token, body: person('Ahmed'), headers: { 'idempotency-key': `${key}-b` } });
    expect(sameperson.status).toBe(200);
    expect((await json<{ participantId: string }>(sameperson)).participantId).toBe(created.participantId);
    const { rows } = await stack.sql.query("select count(*)::int as n from public.participants where first_name in ('Ahmed', 'Fatma')");
    expect(rows[0].n).toBe(1);
  });

  it('refuses an empty Idempotency-Key (400), a coach (403), staff of another site (403), no sign-in (401)', async () => {
    const empty = await api(stack, '/api/intakes', { token: staff.token, body: person('Els'), headers: { 'idempotency-key': '  ' } });
    expect(empty.status).toBe(400);
    expect((await api(stack, '/api/intakes', { token: coach.token, body: person('Els') })).status).toBe(403);
    expect((await api(stack, '/api/intakes', { token: staffElsewhere.token, body: person('Els') })).status).toBe(403);
    expect((await api(stack, '/api/intakes', { body: person('Els') })).status).toBe(401);
    const bad = await api(stack, '/api/intakes', { token: staff.token, body: { ...person('Els'), coachId: coordinator.id } });
    expect(bad.status).toBe(400);
    expect((await json<ErrorBody>(bad)).error.fields).toEqual({ coachId: 'geen coach van deze Stuyfplek' });
  });
});

describe('participants list', () => {
  let anke: string;
  let bert: string;
  let chris: string;

  beforeAll(async () => {
    anke = await takeIn(stack, staff, siteId, { firstName: 'Anke', coachId: coach.id });
    bert = await takeIn(stack, staff, siteId, { firstName: 'Bert', coachId: coach2.id });
    chris = await takeIn(stack, staff, siteId, { firstName: 'Chris', coachId: coach.id });
    await acted(chris, 'signalCrisis', { kind: 'focus_crisis', move: true });
    await takeIn(stack, staffElsewhere, otherSiteId, { firstName: 'Dirk' });
  });

  const list = async (who: Person, query = '') => {
    const res = await api(stack, `/api/participants${query}`, { token: who.token });
    expect(res.status).toBe(200);
    return (await json<{ participants: Array<{ id: string; firstName: string; phase: string; nextTask: { kind: string } | null; lastContactAt: string | null; coachId: string }> }>(res)).participants;
  };

  it('shows a coach their own participants with phase, next task and last contact', async () => {
    const mine = await until(async () => {
      const rows = await list(coach);
      return rows.find((p) => p.id === chris)?.nextTask ? rows : undefined;
    }, "Chris's coaching task");
    expect(mine.map((p) => p.id).sort()).toEqual([anke, chris].sort());
    const chrisRow = mine.find((p) => p.id === chris)!;
    expect(chrisRow.nextTask?.kind).toBe('coaching_conversation');
    expect(chrisRow.lastContactAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const focus = await until(async () => {
      const rows = await list(coach, '?phase=focus');
      return rows.length ? rows : undefined;
    }, 'the phase in the paths table');
    expect(focus.map((p) => p.id)).toEqual([chris]);
  });

  it('shows staff their site, filtered by coach; never another site', async () => {
    const all = await list(staff);
    const ids = all.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([anke, bert, chris]));
    expect(all.map((p) => p.firstName)).not.toContain('Dirk');
    expect((await list(staff, `?coach=${coach2.id}`)).map((p) => p.id)).toEqual([bert]);
    expect((await list(staff, `?site=${siteId}&phase=orientation`)).map((p) => p.id)).not.toContain(chris);
  });

  it('searches by name and pages in the database, with the total over all pages', async () => {
    // A site of its own, so the counts are exact.
    const site = await stack.site('Stuyfplek Zoeken');
    const desk = await stack.person('staff', site);
    const bram = await stack.person('coach', site);
    const names = ['Amal Vandamme', 'Bart Vandenberghe', 'Chloé Van Damme', 'Dries Peeters', 'Emma Peeters', 'Fien Claes', 'Geert Claes'];
    for (const name of names) {
      const firstName = name.slice(0, name.indexOf(' '));
      await takeIn(stack, desk, site, { firstName, lastName: name.slice(firstName.length + 1), coachId: bram.id });
    }
    const get = async (query: string, who: Person = desk) => {
      const res = await api(stack, `/api/participants${query}`, { token: who.token });
      expect(res.status, query).toBe(200);
      return json<{ participants: Array<{ id: string; firstName: string; lastName: string }>; total: number; page: number; pageSize: number }>(res);
    };
    const fullNames = (page: { participants: Array<{ firstName: string; lastName: string }> }) => page.participants.map((p) => `${p.firstName} ${p.lastName}`);

    // Every word must occur in the name, whatever the case; ordered by family name.
    expect(fullNames(await get('?q=peeters'))).toEqual(['Dries Peeters', 'Emma Peeters']);
    expect(fullNames(await get('?q=EM%20pee'))).toEqual(['Emma Peeters']);
    expect(fullNames(await get('?q=van'))).toEqual(['Chloé Van Damme', 'Amal Vandamme', 'Bart Vandenberghe']);
    // Wildcards are plain characters in a search.
    expect((await get('?q=%25')).total).toBe(0);
    expect((await get('?q=_')).total).toBe(0);

    const first = await get('?pageSize=3');
    expect([first.total, first.page, first.pageSize]).toEqual([7, 1, 3]);
    expect(fullNames(first)).toEqual(['Fien Claes', 'Geert Claes', 'Dries Peeters']);
    const third = await get('?pageSize=3&page=3');
    expect(fullNames(third)).toEqual(['Bart Vandenberghe']);
    const all = [...fullNames(first), ...fullNames(await get('?pageSize=3&page=2')), ...fullNames(third)];
    expect(new Set(all).size).toBe(7);
    // Past the last page: no one, and still the total.
    const beyond = await get('?pageSize=3&page=9');
    expect([beyond.participants.length, beyond.total, beyond.page]).toEqual([0, 7, 9]);

    // Row-level security decides: the database function, called with a coach's own token, returns
    // only that coach's participants, even when asked for another site.
    const asBram = supabaseClient(stack.config.SUPABASE_URL, stack.config.SUPABASE_ANON_KEY, bram.token);
    const asOther = supabaseClient(stack.config.SUPABASE_URL, stack.config.SUPABASE_ANON_KEY, coach.token);
    expect((await asBram.rpc('list_participants', { p_site: site })).data).toHaveLength(7);
    expect((await asOther.rpc('list_participants', { p_site: site })).data).toEqual([]);

    const bad = await api(stack, '/api/participants?page=0&pageSize=500', { token: desk.token });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(bad)).error.fields ?? {}).sort()).toEqual(['page', 'pageSize']);
  });

  it('refuses what a person may not list (403), bad filters (400) and no sign-in (401)', async () => {
    expect((await api(stack, `/api/participants?coach=${coach2.id}`, { token: coach.token })).status).toBe(403);
    expect((await api(stack, `/api/participants?site=${otherSiteId}`, { token: staff.token })).status).toBe(403);
    expect((await api(stack, '/api/participants', { token: coordinator.token })).status).toBe(403);
    const bad = await api(stack, '/api/participants?phase=somewhere', { token: staff.token });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(bad)).error.fields ?? {})).toEqual(['phase']);
    expect((await api(stack, '/api/participants')).status).toBe(401);
  });
});

describe('participant detail', () => {
  it('has the state from the workflow and the history, notes and tasks from the database', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Eva', coachId: coach.id });
    await acted(id, 'signalCrisis', { kind: 'focus_crisis', move: true, note: 'Weet niet wat ze wil.' });
    const detail = await until(async () => {
      const res = await api(stack, `/api/participants/${id}`, { token: coach.token });
      const body = await json<{ path: PathView; history: Array<{ type: string }>; notes: Array<{ body: string }>; tasks: Array<{ kind: string }>; participant: { first_name: string } }>(res);
      return body.history.some((h) => h.type === 'phase_changed') && body.tasks.length ? body : undefined;
    }, 'the recorded history');
    expect(detail.participant.first_name).toBe('Eva');
    expect(detail.path.phase).toBe('focus');
    expect(detail.history.map((h) => h.type)).toEqual(expect.arrayContaining(['path_started', 'crisis_signalled', 'phase_changed']));
    expect(detail.notes.map((n) => n.body)).toEqual(['Weet niet wat ze wil.']);
    expect(detail.tasks.map((t) => t.kind)).toEqual(['coaching_conversation']);
  });

  it('refuses another coach (403), an unknown participant (404) and no sign-in (401)', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Fien', coachId: coach.id });
    expect((await api(stack, `/api/participants/${id}`, { token: coach2.token })).status).toBe(403);
    expect((await api(stack, `/api/participants/${id}`, { token: staffElsewhere.token })).status).toBe(403);
    expect((await api(stack, `/api/participants/${id}`, { token: coordinator.token })).status).toBe(403);
    expect((await api(stack, '/api/participants/5a1e0000-0000-4000-8000-00000000dead', { token: coach.token })).status).toBe(404);
    expect((await api(stack, '/api/participants/not-an-id', { token: coach.token })).status).toBe(404);
    expect((await api(stack, `/api/participants/${id}`)).status).toBe(401);
  });
});

describe('coach actions', () => {
  it('runs every action of a path, each a Temporal update, and refuses the impossible ones with the reason (409)', async () => {
    const seen = new Set<string>();
    const run = async (type: string, body: unknown, who: Person = coach) => {
      seen.add(type);
      return acted(id, type, body, who);
    };
    const id = await takeIn(stack, staff, siteId, { firstName: 'Gust', coachId: coach.id });

    let path = await run('logContact', { kind: 'conversation', note: 'Eerste gesprek aan de koffietafel.' });
    expect(path.lastContactKind).toBe('conversation');
    path = await run('logAttendance', { kind: 'open_house', date: '2026-11-20' });
    expect(path.attendance).toEqual({ open_house: 1 });

    const before = (await notesOf(id)).length;
    expect(await refused(id, 'signAgreement', { commitments: ['stuyflab'], note: 'Een eigen atelier.' })).toBe(
      'Een groeiovereenkomst wordt getekend in de focus- of activeringsfase, niet in oriëntatie.',
    );
    // The goal note of the refused update is gone again.
    expect((await notesOf(id)).length).toBe(before);
    expect(await refused(id, 'signalCrisis', { kind: 'status_crisis', move: true })).toMatch(/alleen vanuit focus/);

    path = await run('signalCrisis', { kind: 'focus_crisis', move: true, note: 'Wat wil ik eigenlijk?' });
    expect(path.phase).toBe('focus');
    expect(path.crises).toHaveLength(1);
    const crisisNote = (await notesOf(id)).find((n) => n.body === 'Wat wil ik eigenlijk?')!;
    expect(path.crises[0]!.noteId).toBe(crisisNote.id);

    // The first of next month, from the clock, so the test holds whatever today is.
    const startDate = formatLocalDate({ ...addMonths(toLocalDate(Date.now()), 1), day: 1 });
    const endDate = formatLocalDate({ ...addMonths(toLocalDate(Date.now()), 13), day: 1 });
    path = await run('signAgreement', { commitments: ['connectors_table', 'stuyflab'], privileges: ['space'], startDate, note: 'Een eigen fietsatelier.' });
    expect(path.agreement).toMatchObject({ status: 'active', startDate, endDate, commitments: ['connectors_table', 'stuyflab'] });
    expect((await notesOf(id)).find((n) => n.id === path.agreement!.goalNoteId)?.body).toBe('Een eigen fietsatelier.');
    expect(await refused(id, 'signAgreement', { commitments: ['open_house'], note: 'Nog een doel.' })).toBe('Er loopt al een groeiovereenkomst; verleng of sluit die eerst.');

    path = await run('registerStep', { status: 'needed', note: 'Werkbank zoeken' });
    const stepId = path.steps[0]!.id;
    path = await run('registerStep', { stepId, status: 'done' });
    expect(path.steps).toMatchObject([{ id: stepId, status: 'done', agreementId: path.agreement!.id }]);
    path = await run('validateStep', { stepId, evidence: 'work', note: 'De werkbank staat er.' });
    expect(path.steps[0]!.validation).toMatchObject({ by: coach.id, evidence: 'work' });
    expect(await refused(id, 'validateStep', { stepId, evidence: 'observed' })).toBe('Deze stap is al gevalideerd.');
    path = await run('changePhase', { to: 'orientation', reason: 'step_back', agreementChoice: 'pause' });
    expect(path.agreement!.pausedAt).toBeDefined();
    path = await run('resumeAgreement', {});
    expect(path.agreement!.pausedAt).toBeUndefined();
    expect(await refused(id, 'resumeAgreement', {})).toBe('De groeiovereenkomst is niet gepauzeerd; ze loopt al.');
    path = await run('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    path = await run('renewAgreement', {});
    expect(path.agreement!.renewals).toBe(1);

    path = await run('referOut', { partner: 'starterslabo', note: 'Vragen over een ondernemingsplan.' });
    const referralId = path.referrals[0]!.id;
    path = await run('updateReferral', { referralId, status: 'introduced' });
    expect(path.referrals[0]!.status).toBe('introduced');
    expect(await refused(id, 'updateReferral', { referralId, status: 'proposed' })).toBe('Een doorverwijzing met status "geïntroduceerd" kan niet naar "voorgesteld".');

    path = await run('changePhase', { to: 'activation', reason: 'ready_for_next_step' });
    expect(path.phase).toBe('activation');
    expect(await refused(id, 'changePhase', { to: 'activation', reason: 'other' })).toBe('De deelnemer zit al in de fase activering.');
    path = await run('closeAgreement', { outcome: 'completed' });
    expect(path.agreement!.status).toBe('completed');
    expect(await refused(id, 'closeAgreement', { outcome: 'stopped' })).toBe('Er loopt geen groeiovereenkomst.');

    path = await run('assignCoach', { coachId: coach2.id }, staff);
    expect(path.coachId).toBe(coach2.id);
    // The former coach's actions just before kept the participant's access briefly
    // (ACCESS_CACHE_SECONDS): the change counts at once all the same.
    expect((await act(id, 'logContact', { kind: 'conversation' })).status).toBe(403);
    expect((await act(id, 'logContact', { kind: 'conversation' }, coach2)).status).toBe(200);
    const wrongCoach = await act(id, 'assignCoach', { coachId: staff.id }, staff);
    expect(wrongCoach.status).toBe(400);
    expect((await json<ErrorBody>(wrongCoach)).error.fields).toEqual({ coachId: 'geen coach van deze Stuyfplek' });

    path = await run('outflow', { type: 'self_employed', note: 'Start als zelfstandige fietshersteller.' }, staff);
    expect(path.status).toBe('aftercare');
    expect(await refused(id, 'outflow', { type: 'other' }, staff)).toBe('De deelnemer is al uitgestroomd.');
    expect(await refused(id, 'referOut', { partner: 'vdab' }, staff)).toBe('De deelnemer is uitgestroomd; laat hem of haar eerst opnieuw instappen.');
    // ESF+ after leaving: the situation within the window; the six-month answer is months away on
    // this server, so its refusal (tests/api-esf-path.test.ts records one on the time-skipping server).
    path = await run('recordLeavingResult', { situations: ['in_employment'] }, staff);
    expect(path.leavings![0]!.result?.situations).toEqual(['in_employment']);
    expect(await refused(id, 'recordFollowUp', { answer: 'working' }, staff)).toMatch(/^Het antwoord op de opvolgvraag na de uitstroom van .+ kan pas genoteerd worden vanaf /);
    seen.add('recordFollowUp');

    path = await run('reenter', { phase: 'focus', note: 'Komt terug voor een nieuw project.' }, staff);
    expect(path).toMatchObject({ status: 'active', phase: 'focus', pathRun: 2 });

    // Erasing is never one careless request: without confirm: true and a reason, nothing happens.
    for (const body of [{}, { reason: 'participant_request' }, { confirm: true }, { confirm: 'true', reason: 'participant_request' }]) {
      const careless = await act(id, 'forget', body, staff);
      expect(careless.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys((await json<ErrorBody>(careless)).error.fields ?? {}).sort(), JSON.stringify(body)).toEqual(
        ['confirm', 'reason'].filter((f) => !(f in body) || (f === 'confirm' && body.confirm !== true)),
      );
    }
    expect((await json<{ path: PathView }>(await api(stack, `/api/participants/${id}`, { token: staff.token }))).path.status).toBe('active');
    path = await run('forget', { confirm: true, reason: 'participant_request' }, staff);
    expect(path.status).toBe('forgotten');
    const { rows } = await stack.sql.query("select payload->>'reason' as reason from public.path_events where participant_id = $1 and type = 'path_forgotten'", [id]);
    expect(rows).toEqual([{ reason: 'participant_request' }]);
    expect(await refused(id, 'logContact', { kind: 'reply' }, staff)).toBe('Dit groeipad is beëindigd op vraag van de deelnemer.');

    expect([...seen].sort()).toEqual([...ACTION_TYPES].sort());
  });

  it('refuses bad input (400 naming the fields), unknown actions (404), others (403) and no sign-in (401)', async () => {
    const id = await takeIn(stack, staff, siteId, { firstName: 'Hanne', coachId: coach.id });
    const bad = await act(id, 'signalCrisis', { kind: 'midlife_crisis', move: 'yes' });
    expect(bad.status).toBe(400);
    const error = (await json<ErrorBody>(bad)).error;
    expect(error.code).toBe('invalid_input');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['kind', 'move']);
    const notJson = await stack.app.request(`http://localhost/api/participants/${id}/actions/logContact`, {
      method: 'POST',
      headers: { authorization: `Bearer ${coach.token}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
    const longNote = await act(id, 'logContact', { kind: 'reply', note: 'x'.repeat(4001) });
    expect(longNote.status).toBe(400);
    expect((await json<ErrorBody>(longNote)).error.fields).toHaveProperty('note');

    expect((await act(id, 'teleport', {})).status).toBe(404);
    expect((await act('5a1e0000-0000-4000-8000-00000000dead', 'logContact', { kind: 'reply' })).status).toBe(404);
    expect((await act(id, 'logContact', { kind: 'reply' }, coach2)).status).toBe(403);
    expect((await act(id, 'logContact', { kind: 'reply' }, coordinator)).status).toBe(403);
    expect((await api(stack, `/api/participants/${id}/actions/logContact`, { body: { kind: 'reply' } })).status).toBe(401);
    expect(await notesOf(id)).toEqual([]);
  });
});

describe('retried actions', () => {
  it('an action sent twice with the same Idempotency-Key is carried out once', async () => {
    const res = await api(stack, '/api/intakes', { token: staff.token, body: { siteId, firstName: 'Rik', lastName: 'Tweemaal', birthDate: '1990-01-01', referralSource: 'self', coachId: coach.id } });
    const { participantId } = await json<{ participantId: string }>(res);
    const send = () => api(stack, `/api/participants/${participantId}/actions/logAttendance`, { token: coach.token, body: { kind: 'stuyflab' }, headers: { 'idempotency-key': 'bezoek-1' } });
    const first = await json<{ path: PathView }>(await send());
    const again = await json<{ path: PathView }>(await send());
    expect(first.path.attendance).toEqual({ stuyflab: 1 });
    expect(again.path.attendance).toEqual({ stuyflab: 1 });
    const other = await json<{ path: PathView }>(await api(stack, `/api/participants/${participantId}/actions/logAttendance`, { token: coach.token, body: { kind: 'stuyflab' }, headers: { 'idempotency-key': 'bezoek-2' } }));
    expect(other.path.attendance).toEqual({ stuyflab: 2 });
  });
});
