import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../api/path-service.js';
import { addDays, formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { pathQuery, pathWorkflowId } from '../domain/messages.js';
import { supabaseClient } from '../infra/supabase/client.js';
import { activitiesFromConfig } from '../worker/create-worker.js';
import { api, emailsSettled, json, page, submit, takeIn, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';
import { until } from './support/until.js';

/**
 * Group moments as they happen, on the real stack: staff and facilitators plan a moment; the
 * facilitator fills in the register (participants who came, guests per partner) and each
 * participant's attendance reaches their path exactly once, however often the form is sent or a
 * half-done save is retried; a facilitator sees only their own site and only the names a register
 * needs; a focus crisis invites the participant to the next connectors table (or waits for it).
 */

let stack: TestStack;
let siteA: string;
let siteB: string;
let staffA: Person;
let coachA: Person;
let facilitatorA: Person;
let coordinatorA: Person;
let staffB: Person;
let coachB: Person;
let facilitatorB: Person;

const TODAY = formatLocalDate(toLocalDate(Date.now()));
const inDays = (n: number) => formatLocalDate(addDays(toLocalDate(Date.now()), n));

interface Moment {
  id: string;
  siteId: string;
  kind: string;
  date: string;
  facilitatorId: string | null;
}
interface Register {
  moment: Moment;
  participants: Array<{ participantId: string; firstName: string; lastName: string; invited: boolean; present: boolean; counted: boolean }>;
  guests: Array<{ partner: string; count: number }>;
  notCounted?: Array<{ participantId: string; reason: string }>;
}

beforeAll(async () => {
  stack = await startTestStack();
  siteA = await stack.site('Stuyfplek A');
  siteB = await stack.site('Stuyfplek B');
  [staffA, coachA, facilitatorA, coordinatorA] = [
    await stack.person('staff', siteA),
    await stack.person('coach', siteA),
    await stack.person('facilitator', siteA),
    await stack.person('coordinator', siteA),
  ];
  [staffB, coachB, facilitatorB] = [await stack.person('staff', siteB), await stack.person('coach', siteB), await stack.person('facilitator', siteB)];
});
afterAll(async () => {
  await stack?.stop();
});

async function plan(person: Person, body: Record<string, unknown>): Promise<{ status: number; moment: Moment; created: boolean }> {
  const res = await api(stack, '/api/group-moments', { token: person.token, body });
  const payload = await json<{ moment: Moment; created: boolean }>(res);
  return { status: res.status, ...payload };
}

const pathOf = (participantId: string) => stack.client.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery);
const rowCount = async (query: string, params: unknown[]) => (await stack.sql.query<{ n: number }>(`select count(*)::int as n from (${query}) q`, params)).rows[0]!.n;

describe('planning a group moment', () => {
  it('is for staff and facilitators of the site, once per kind and day', async () => {
    const first = await plan(facilitatorA, { kind: 'stuyflab', date: inDays(10) });
    expect(first.status).toBe(201);
    expect(first.moment).toMatchObject({ siteId: siteA, kind: 'stuyflab', date: inDays(10), facilitatorId: facilitatorA.id });
    const again = await plan(staffA, { kind: 'stuyflab', date: inDays(10), facilitatorId: coachA.id });
    expect(again.status).toBe(200);
    expect(again.moment.id).toBe(first.moment.id);
    expect(await rowCount('select 1 from public.group_moments where site_id = $1', [siteA])).toBe(1);

    const bad = await api(stack, '/api/group-moments', { token: staffA.token, body: { kind: 'feestje', date: '2027-02-30' } });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json<{ error: { fields: Record<string, string> } }>(bad)).error.fields).sort()).toEqual(['date', 'kind']);
    const elsewhere = await api(stack, '/api/group-moments', { token: staffA.token, body: { kind: 'open_house', date: inDays(3), facilitatorId: facilitatorB.id } });
    expect(elsewhere.status).toBe(400);
    expect((await json<{ error: { fields: Record<string, string> } }>(elsewhere)).error.fields).toEqual({ facilitatorId: 'geen begeleider van deze Stuyfplek' });
    expect((await api(stack, '/api/group-moments', { token: coachA.token, body: { kind: 'open_house', date: inDays(3) } })).status).toBe(403);
    expect((await api(stack, '/api/group-moments', { token: coordinatorA.token, body: { kind: 'open_house', date: inDays(3) } })).status).toBe(403);
    expect((await api(stack, '/api/group-moments', { body: { kind: 'open_house', date: inDays(3) } })).status).toBe(401);
    // Nothing half-written by the refused requests.
    expect(await rowCount('select 1 from public.group_moments', [])).toBe(1);
  });
});

describe('the register', () => {
  let moment: Moment;
  let ann: string;
  let bram: string;
  let cato: string;
  let notHere: string;

  beforeAll(async () => {
    ann = await takeIn(stack, staffA, siteA, { firstName: 'Ann', lastName: 'Register', coachId: coachA.id });
    bram = await takeIn(stack, staffA, siteA, { firstName: 'Bram', lastName: 'Register', coachId: coachA.id });
    cato = await takeIn(stack, staffA, siteA, { firstName: 'Cato', lastName: 'Register', coachId: coachA.id });
    notHere = await takeIn(stack, staffB, siteB, { firstName: 'Dirk', lastName: 'Elders', coachId: coachB.id });
    // The register expects whoever is on an active path: the paths' rows come just after the intake.
    await until(async () => ((await rowCount("select 1 from public.paths where participant_id = any($1) and status = 'active'", [[ann, bram, cato]])) === 3 ? true : undefined), 'the paths');
    moment = (await plan(facilitatorA, { kind: 'open_house', date: TODAY })).moment;
  });

  const save = (person: Person, body: unknown) => api(stack, `/api/group-moments/${moment.id}/register`, { token: person.token, body });

  it('lists the active participants of the site, names only', async () => {
    const res = await api(stack, `/api/group-moments/${moment.id}/register`, { token: facilitatorA.token });
    expect(res.status).toBe(200);
    const register = await json<Register>(res);
    expect(register.participants.map((p) => p.firstName)).toEqual(['Ann', 'Bram', 'Cato']);
    expect(Object.keys(register.participants[0]!).sort()).toEqual(['counted', 'firstName', 'invited', 'lastName', 'participantId', 'present']);
    expect(register.participants.every((p) => !p.present && !p.counted && !p.invited)).toBe(true);
  });

  it('counts each participant once on their path, with the guests, however often it is sent', async () => {
    const body = { present: [ann, bram], guests: [{ partner: 'vdab', count: 3 }, { partner: 'ocmw', count: 2 }] };
    const first = await save(facilitatorA, body);
    expect(first.status).toBe(200);
    const saved = await json<Register>(first);
    expect(saved.notCounted).toEqual([]);
    expect(saved.participants.filter((p) => p.counted).map((p) => p.firstName)).toEqual(['Ann', 'Bram']);
    expect(saved.guests).toEqual([{ partner: 'ocmw', count: 2 }, { partner: 'vdab', count: 3 }]);

    for (let i = 0; i < 2; i += 1) expect((await save(facilitatorA, body)).status).toBe(200);

    for (const id of [ann, bram]) {
      const path = await pathOf(id);
      expect(path.attendance).toEqual({ open_house: 1 });
      expect(path.attendedMoments).toEqual([moment.id]);
      expect(path.lastContactKind).toBe('group_moment');
      expect(await rowCount('select 1 from public.attendance where participant_id = $1', [id])).toBe(1);
      expect(await rowCount("select 1 from public.path_events where participant_id = $1 and type = 'attendance_logged'", [id])).toBe(1);
    }
    expect((await pathOf(cato)).attendance).toEqual({});
    expect(await rowCount('select 1 from public.group_moment_attendance where moment_id = $1 and counted_at is not null', [moment.id])).toBe(2);
    expect((await stack.sql.query('select partner::text, guests from public.group_moment_guests where moment_id = $1 order by partner', [moment.id])).rows).toEqual([
      { partner: 'ocmw', guests: 2 },
      { partner: 'vdab', guests: 3 },
    ]);
    // Guests are counted, never made participants.
    expect(await rowCount('select 1 from public.participants where site_id = $1', [siteA])).toBe(3);
  });

  it('finishes a save cut off half-way without counting twice', async () => {
    // The first save counted Cato on her path (under another update id) and wrote her register
    // row, then died before marking it counted: the register sent again must not count her again.
    await runAction({ config: stack.config, db: stack.db, temporal: stack.client }, cato, { type: 'logAttendance', input: { by: facilitatorA.id, kind: 'open_house', date: TODAY, momentId: moment.id } }, 'crashed-save');
    await stack.sql.query('insert into public.group_moment_attendance (moment_id, participant_id, site_id, registered_by) values ($1, $2, $3, $4)', [moment.id, cato, siteA, facilitatorA.id]);
    await stack.sql.query('update public.group_moment_attendance set counted_at = null where moment_id = $1 and participant_id = $2', [moment.id, cato]);
    const res = await save(facilitatorA, { present: [cato], guests: [] });
    expect(res.status).toBe(200);
    expect((await json<Register>(res)).notCounted).toEqual([]);
    expect((await pathOf(cato)).attendance).toEqual({ open_house: 1 });
    expect(await rowCount('select 1 from public.attendance where participant_id = $1', [cato])).toBe(1);
    expect(await rowCount('select 1 from public.group_moment_attendance where moment_id = $1 and counted_at is null', [moment.id])).toBe(0);
    // An empty guest list leaves the saved guests alone; a 0 clears one.
    expect(await rowCount('select 1 from public.group_moment_guests where moment_id = $1', [moment.id])).toBe(2);
    expect((await save(facilitatorA, { present: [], guests: [{ partner: 'ocmw', count: 0 }] })).status).toBe(200);
    expect((await stack.sql.query('select partner::text from public.group_moment_guests where moment_id = $1', [moment.id])).rows).toEqual([{ partner: 'vdab' }]);
  });

  it('refuses bad input with the field and changes nothing', async () => {
    const before = await rowCount('select 1 from public.group_moment_attendance where moment_id = $1', [moment.id]);
    const stranger = await save(facilitatorA, { present: [notHere], guests: [] });
    expect(stranger.status).toBe(400);
    expect(Object.keys((await json<{ error: { fields: Record<string, string> } }>(stranger)).error.fields)).toEqual(['present']);
    const negative = await save(facilitatorA, { present: ['geen-id'], guests: [{ partner: 'vdab', count: -1 }, { partner: 'nasa', count: 1 }] });
    expect(negative.status).toBe(400);
    expect(Object.keys((await json<{ error: { fields: Record<string, string> } }>(negative)).error.fields).sort()).toEqual(['guests.0.count', 'guests.1.partner', 'present.0']);
    expect(await rowCount('select 1 from public.group_moment_attendance where moment_id = $1', [moment.id])).toBe(before);
    expect((await pathOf(notHere)).attendance).toEqual({});
  });

  it('is for the site: another site finds no such moment, a coach only fills in the moment they run', async () => {
    expect((await api(stack, `/api/group-moments/${moment.id}/register`, { token: facilitatorB.token })).status).toBe(404);
    expect((await save(staffB, { present: [], guests: [] })).status).toBe(404);
    expect((await api(stack, `/api/group-moments/${moment.id}/register`, { token: coachA.token })).status).toBe(403);
    expect((await api(stack, `/api/group-moments/${moment.id}/register`, { token: coordinatorA.token })).status).toBe(403);
    const coachRuns = (await plan(staffA, { kind: 'coworking', date: TODAY, facilitatorId: coachA.id })).moment;
    expect((await api(stack, `/api/group-moments/${coachRuns.id}/register`, { token: coachA.token })).status).toBe(200);
  });

  it('row-level security: a facilitator reads their site\'s moments and a register\'s names, nothing else', async () => {
    const momentB = (await plan(facilitatorB, { kind: 'open_house', date: TODAY })).moment;
    const asFacilitator = supabaseClient(stack.supabase.url, stack.supabase.anonKey, facilitatorA.token);
    const moments = await asFacilitator.from('group_moments').select('id, site_id');
    expect(moments.error).toBeNull();
    expect(moments.data!.length).toBeGreaterThan(0);
    expect(new Set(moments.data!.map((m) => m.site_id))).toEqual(new Set([siteA]));
    for (const table of ['participants', 'paths', 'crises', 'notes', 'group_moment_invitations', 'group_moment_attendance', 'attendance', 'contacts'] as const) {
      const read = await asFacilitator.from(table).select('*');
      expect(read.error, table).toBeNull();
      expect(read.data, table).toEqual([]);
    }
    expect((await asFacilitator.from('group_moment_guests').select('moment_id')).data!.every((g) => g.moment_id !== momentB.id)).toBe(true);
    const own = await asFacilitator.rpc('group_moment_register', { p_moment: moment.id });
    expect(own.data!.map((r) => r.first_name)).toEqual(['Ann', 'Bram', 'Cato']);
    expect(Object.keys(own.data![0]!).sort()).toEqual(['counted', 'first_name', 'invited', 'last_name', 'participant_id', 'present']);
    expect((await asFacilitator.rpc('group_moment_register', { p_moment: momentB.id })).data).toEqual([]);
    // Nor can they write anything: every change goes through the API's checks.
    const write = await asFacilitator.from('group_moments').insert({ site_id: siteA, kind: 'stuyflab', moment_date: inDays(40) });
    expect(write.error?.code).toBe('42501');
    const anon = supabaseClient(stack.supabase.url, stack.supabase.anonKey);
    expect((await anon.from('group_moments').select('id')).data ?? []).toEqual([]);
  });
});

describe('a focus crisis invites to the next connectors table', () => {
  const invitationEmails = (to: string) => stack.outbox.emails().filter((e) => e.subject === 'Je bent welkom op een groepsmoment' && e.to.includes(to));

  it('invites to the next planned one, once, and the register says "uitgenodigd"', async () => {
    const table = (await plan(facilitatorA, { kind: 'connectors_table', date: inDays(7) })).moment;
    await plan(facilitatorA, { kind: 'connectors_table', date: inDays(14) });
    const eva = await takeIn(stack, staffA, siteA, { firstName: 'Eva', lastName: 'Maes', coachId: coachA.id, email: 'eva@example.be' });
    const crisis = await api(stack, `/api/participants/${eva}/actions/signalCrisis`, { token: coachA.token, body: { kind: 'focus_crisis' } });
    expect(crisis.status).toBe(200);
    const { rows } = await stack.sql.query('select moment_id, reason from public.group_moment_invitations where participant_id = $1', [eva]);
    expect(rows).toEqual([{ moment_id: table.id, reason: 'focus_crisis' }]);
    await until(async () => (invitationEmails('eva@example.be').length > 0 ? true : undefined), 'the invitation email');
    await emailsSettled(stack);
    expect(invitationEmails('eva@example.be')).toHaveLength(1);
    expect(invitationEmails('eva@example.be')[0]!.text).toContain('connectorstafel');
    // Staff inviting the whole site to the same table sends Eva nothing more.
    expect((await api(stack, '/api/group-moments/invitations', { token: staffA.token, body: { kind: 'connectors_table', date: inDays(7) } })).status).toBe(202);
    await stack.client.workflow.getHandle(`group-moment-${siteA}-connectors_table-${inDays(7)}`).result();
    await emailsSettled(stack);
    expect(invitationEmails('eva@example.be')).toHaveLength(1);

    const res = await api(stack, `/api/group-moments/${table.id}/register`, { token: facilitatorA.token });
    const register = await json<Register>(res);
    expect(register.participants.find((p) => p.participantId === eva)).toMatchObject({ firstName: 'Eva', invited: true, present: false });
    expect(JSON.stringify(register).toLowerCase()).not.toContain('crisis');
    // The coach sees why, on the participant's timeline; the facilitator cannot open that page.
    const coachPage = await page(stack, `/deelnemers/${eva}`, coachA.token);
    expect(await coachPage.text()).toContain('Uitgenodigd voor de volgende connectorstafel (na de focuscrisis)');
    expect((await page(stack, `/deelnemers/${eva}`, facilitatorA.token)).status).toBe(403);
    expect((await api(stack, `/api/participants/${eva}`, { token: facilitatorA.token })).status).toBe(403);
  });

  it('waits for the next connectors table when none is planned, and is attached when one is', async () => {
    const fien = await takeIn(stack, staffB, siteB, { firstName: 'Fien', lastName: 'Wacht', coachId: coachB.id, email: 'fien@example.be' });
    expect((await api(stack, `/api/participants/${fien}/actions/signalCrisis`, { token: coachB.token, body: { kind: 'focus_crisis' } })).status).toBe(200);
    // A status crisis invites nobody.
    const gert = await takeIn(stack, staffB, siteB, { firstName: 'Gert', lastName: 'Status', coachId: coachB.id, email: 'gert@example.be' });
    expect((await api(stack, `/api/participants/${gert}/actions/changePhase`, { token: coachB.token, body: { to: 'focus', reason: 'ready_for_next_step' } })).status).toBe(200);
    expect((await api(stack, `/api/participants/${gert}/actions/signalCrisis`, { token: coachB.token, body: { kind: 'status_crisis' } })).status).toBe(200);
    expect((await stack.sql.query('select moment_id from public.group_moment_invitations where participant_id = $1', [fien])).rows).toEqual([{ moment_id: null }]);
    expect(await rowCount('select 1 from public.group_moment_invitations where participant_id = $1', [gert])).toBe(0);
    await emailsSettled(stack);
    expect(invitationEmails('fien@example.be')).toHaveLength(0);

    // A moment in the past picks up nobody; the next one does.
    await plan(facilitatorB, { kind: 'connectors_table', date: inDays(-3) });
    expect((await stack.sql.query('select moment_id from public.group_moment_invitations where participant_id = $1', [fien])).rows).toEqual([{ moment_id: null }]);
    const table = (await plan(facilitatorB, { kind: 'connectors_table', date: inDays(5) })).moment;
    expect((await stack.sql.query('select moment_id from public.group_moment_invitations where participant_id = $1', [fien])).rows).toEqual([{ moment_id: table.id }]);
    await until(async () => (invitationEmails('fien@example.be').length > 0 ? true : undefined), 'the invitation email');
    await plan(staffB, { kind: 'connectors_table', date: inDays(5) });
    await emailsSettled(stack);
    expect(invitationEmails('fien@example.be')).toHaveLength(1);
    expect(invitationEmails('gert@example.be')).toHaveLength(0);
    const register = await json<Register>(await api(stack, `/api/group-moments/${table.id}/register`, { token: facilitatorB.token }));
    expect(register.participants.find((p) => p.participantId === fien)).toMatchObject({ invited: true });
    expect(register.participants.find((p) => p.participantId === gert)).toMatchObject({ invited: false });
  });
});

describe('the yearly meet & greet', () => {
  it('is each site\'s own: a moment per site, its invitees invited to it', async () => {
    const date = inDays(28);
    const ids = await activitiesFromConfig(stack.config, stack.client).meetAndGreetInvitees({ date });
    const { rows } = await stack.sql.query<{ site_id: string; participant_id: string }>(
      "select m.site_id, i.participant_id from public.group_moment_invitations i join public.group_moments m on m.id = i.moment_id where m.kind = 'meet_and_greet' and m.moment_date = $1",
      [date],
    );
    expect(rows.map((r) => r.participant_id).sort()).toEqual([...ids].sort());
    const { rows: sites } = await stack.sql.query<{ id: string; site_id: string }>('select id, site_id from public.participants where id = any($1)', [ids]);
    const siteOf = new Map(sites.map((s) => [s.id, s.site_id]));
    expect(rows.every((r) => siteOf.get(r.participant_id) === r.site_id)).toBe(true);
    expect(new Set(rows.map((r) => r.site_id))).toEqual(new Set([siteA, siteB]));
    // Again: nothing new.
    await activitiesFromConfig(stack.config, stack.client).meetAndGreetInvitees({ date });
    expect(await rowCount("select 1 from public.group_moments where kind = 'meet_and_greet' and moment_date = $1", [date])).toBe(2);
  });
});

describe('the pages', () => {
  it('list the moments; staff and facilitators plan, staff invite the site to a coming moment', async () => {
    const asFacilitator = await page(stack, '/groepsmomenten', facilitatorA.token);
    expect(asFacilitator.status).toBe(200);
    expect(await asFacilitator.text()).toContain('Een groepsmoment plannen');
    const asCoach = await page(stack, '/groepsmomenten', coachA.token);
    expect(asCoach.status).toBe(200);
    expect(await asCoach.text()).not.toContain('Een groepsmoment plannen');
    expect((await page(stack, '/groepsmomenten', coordinatorA.token)).status).toBe(403);
    expect((await submit(stack, '/groepsmomenten', { kind: 'stuyflab', date: inDays(60) }, { token: coachA.token })).status).toBe(403);

    const bad = await submit(stack, '/groepsmomenten', { kind: 'stuyflab', date: 'morgen' }, { token: facilitatorA.token });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('moet een datum zijn (JJJJ-MM-DD)');

    const lab = (await plan(facilitatorA, { kind: 'stuyflab', date: inDays(10) })).moment;
    const registerPage = await page(stack, `/groepsmomenten/${lab.id}`, staffA.token);
    expect(await registerPage.text()).toContain('Uitnodigingen versturen');
    expect(await (await page(stack, `/groepsmomenten/${lab.id}`, facilitatorA.token)).text()).not.toContain('Uitnodigingen versturen');
    expect((await submit(stack, `/groepsmomenten/${lab.id}/uitnodigen`, {}, { token: facilitatorA.token })).status).toBe(403);
    const invited = await submit(stack, `/groepsmomenten/${lab.id}/uitnodigen`, {}, { token: staffA.token });
    expect(invited.status).toBe(303);
    expect(invited.headers.get('location')).toBe(`/groepsmomenten/${lab.id}?uitgenodigd`);
    await stack.client.workflow.getHandle(`group-moment-${siteA}-stuyflab-${inDays(10)}`).result();
    // Everyone at site A who agreed to email (Eva) is invited to this moment; the rest is not.
    const { rows } = await stack.sql.query<{ first_name: string; reason: string }>(
      'select p.first_name, i.reason from public.group_moment_invitations i join public.participants p on p.id = i.participant_id where i.moment_id = $1',
      [lab.id],
    );
    expect(rows).toEqual([{ first_name: 'Eva', reason: 'invited' }]);

    const past = (await plan(staffA, { kind: 'open_house', date: inDays(-2) })).moment;
    expect((await submit(stack, `/groepsmomenten/${past.id}/uitnodigen`, {}, { token: staffA.token })).status).toBe(409);

    const wrongGuests = await submit(stack, `/groepsmomenten/${lab.id}`, { 'gasten-vdab': '-3' }, { token: facilitatorA.token });
    expect(wrongGuests.status).toBe(422);
    expect(await wrongGuests.text()).toContain('Vul een aantal in, van 0 tot 500.');
  });
});
