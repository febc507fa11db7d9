import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, json, page, peopleAtTwoSites, takeIn, until, type Person } from './support/http.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Tasks (mine, due today, overdue; completing one) and the funder report (JSON and CSV, from
 * public.funder_report) on the real stack.
 */

let stack: TestStack;
let siteId: string;
let staff: Person;
let coach: Person;
let coach2: Person;
let coordinator: Person;
let coordinatorElsewhere: Person;

beforeAll(async () => {
  stack = await startTestStack();
  ({ siteId, staff, coach, coach2, coordinator, coordinatorElsewhere } = await peopleAtTwoSites(stack));
});
afterAll(async () => {
  await stack?.stop();
});

type Task = { id: string; kind: string; dueAt: string; status: string; participantId: string; participantName: string; overdue: boolean; assigneeId: string | null };
type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };
const DAY = 86_400_000;

/** A task as the worker writes it, at a chosen due date (the path's timers make them in months). */
async function taskRow(participantId: string, assignee: string | null, dueAt: number, kind = 'check_in') {
  const { rows } = await stack.sql.query<{ id: string }>(
    `insert into public.tasks (key, participant_id, site_id, path_run, kind, assignee_id, due_at, cause)
     values ($1, $2, $3, 1, $4, $5, $6, 'no_contact') returning id`,
    [`test/${participantId}/${dueAt}/${kind}/${assignee}`, participantId, siteId, kind, assignee, new Date(dueAt).toISOString()],
  );
  return rows[0]!.id;
}

describe('tasks', () => {
  let participant: string;
  let crisisTask: Task;
  let overdue: string;
  let later: string;
  let unassigned: string;

  beforeAll(async () => {
    participant = await takeIn(stack, staff, siteId, { firstName: 'Ilse', lastName: 'Maes', coachId: coach.id });
    const res = await api(stack, `/api/participants/${participant}/actions/signalCrisis`, { token: coach.token, body: { kind: 'focus_crisis' } });
    expect(res.status).toBe(200);
    crisisTask = await until(async () => {
      const tasks = (await json<{ tasks: Task[] }>(await api(stack, '/api/tasks', { token: coach.token }))).tasks;
      return tasks.find((t) => t.kind === 'coaching_conversation');
    }, 'the coaching task of the crisis');
    overdue = await taskRow(participant, coach.id, Date.now() - 3 * DAY);
    later = await taskRow(participant, coach.id, Date.now() + 10 * DAY, 'agreement_evaluation');
    unassigned = await taskRow(participant, null, Date.now() - DAY, 'reach_out');
  });

  const tasksOf = async (who: Person, when?: string) => {
    const res = await api(stack, `/api/tasks${when ? `?when=${when}` : ''}`, { token: who.token });
    expect(res.status).toBe(200);
    return (await json<{ tasks: Task[] }>(res)).tasks;
  };

  it('lists my open tasks, first due first, with the participant and whether it is overdue', async () => {
    const open = await tasksOf(coach);
    expect(open.map((t) => t.id)).toEqual([overdue, crisisTask.id, later]);
    expect(open[0]).toMatchObject({ participantName: 'Ilse Maes', overdue: true, status: 'open', assigneeId: coach.id });
    expect(open[1]).toMatchObject({ kind: 'coaching_conversation', overdue: false, participantId: participant });
  });

  it('filters what is due by the end of today, and what is overdue', async () => {
    expect((await tasksOf(coach, 'due')).map((t) => t.id)).toEqual([overdue, crisisTask.id]);
    expect((await tasksOf(coach, 'overdue')).map((t) => t.id)).toEqual([overdue]);
    expect(await tasksOf(coach2)).toEqual([]);
  });

  it('shows staff the tasks of their site that nobody is assigned to', async () => {
    expect((await tasksOf(staff)).map((t) => t.id)).toEqual([unassigned]);
  });

  it('shows staff the site\'s work: every open task, one coach\'s, the overdue ones; never to a coach', async () => {
    const site = async (query: string) => {
      const res = await api(stack, `/api/tasks?scope=site${query}`, { token: staff.token });
      expect(res.status, query).toBe(200);
      return (await json<{ tasks: Task[] }>(res)).tasks.map((t) => t.id);
    };
    expect(await site('')).toEqual(expect.arrayContaining([overdue, crisisTask.id, later, unassigned]));
    expect(await site(`&coach=${coach.id}`)).toEqual([overdue, crisisTask.id, later]);
    expect(await site(`&coach=${coach.id}&when=overdue`)).toEqual([overdue]);
    expect(await site(`&coach=${coach2.id}`)).toEqual([]);
    expect((await api(stack, '/api/tasks?scope=site', { token: coach.token })).status).toBe(403);
    expect((await api(stack, `/api/tasks?scope=site&coach=${coach2.id}`, { token: coach.token })).status).toBe(403);
    expect((await api(stack, '/api/tasks?scope=everything', { token: staff.token })).status).toBe(400);

    // The desk's page: whose tasks, with the coach's name by each.
    const pageHtml = await (await page(stack, `/taken?wanneer=te-laat&van=${coach.id}`, staff.token)).text();
    expect(pageHtml).toContain('Taken van de Stuyfplek');
    expect(pageHtml).toContain('Ilse Maes');
    expect(pageHtml).toContain(`<option value="${coach.id}" selected="">`);
    const mine = await (await page(stack, '/taken', staff.token)).text();
    expect(mine).toContain('<h1>Mijn taken</h1>');
  });

  it('completes a task once: 200, then 409; someone else gets 403, an unknown task 404', async () => {
    const done = await api(stack, `/api/tasks/${crisisTask.id}/complete`, { token: coach.token, method: 'POST' });
    expect(done.status, await done.clone().text()).toBe(200);
    expect((await json<{ task: Task }>(done)).task).toMatchObject({ id: crisisTask.id, status: 'done' });
    const { rows } = await stack.sql.query('select status, completed_by, completed_at is not null as stamped from public.tasks where id = $1', [crisisTask.id]);
    expect(rows[0]).toEqual({ status: 'done', completed_by: coach.id, stamped: true });
    expect((await tasksOf(coach)).map((t) => t.id)).not.toContain(crisisTask.id);

    const again = await api(stack, `/api/tasks/${crisisTask.id}/complete`, { token: coach.token, method: 'POST' });
    expect(again.status).toBe(409);
    expect((await json<ErrorBody>(again)).error).toMatchObject({ code: 'refused', message: 'Deze taak is al afgewerkt.' });

    expect((await api(stack, `/api/tasks/${later}/complete`, { token: coach2.token, method: 'POST' })).status).toBe(403);
    expect((await api(stack, `/api/tasks/${later}/complete`, { token: coordinator.token, method: 'POST' })).status).toBe(403);
    expect((await api(stack, '/api/tasks/5a1e0000-0000-4000-8000-00000000dead/complete', { token: coach.token, method: 'POST' })).status).toBe(404);
    expect((await api(stack, '/api/tasks/nope/complete', { token: coach.token, method: 'POST' })).status).toBe(404);
    expect((await api(stack, `/api/tasks/${later}/complete`, { method: 'POST' })).status).toBe(401);
    // Staff may complete the unassigned task of their site.
    expect((await api(stack, `/api/tasks/${unassigned}/complete`, { token: staff.token, method: 'POST' })).status).toBe(200);
  });

  it('refuses a bad filter (400), coordinators (403) and no sign-in (401)', async () => {
    const bad = await api(stack, '/api/tasks?when=someday', { token: coach.token });
    expect(bad.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(bad)).error.fields ?? {})).toEqual(['when']);
    expect((await api(stack, '/api/tasks', { token: coordinator.token })).status).toBe(403);
    expect((await api(stack, '/api/tasks')).status).toBe(401);
  });
});

describe('funder report', () => {
  const year = new Date().getUTCFullYear();
  const period = `from=${year}-01-01&to=${year}-12-31`;

  beforeAll(async () => {
    const vdab = await takeIn(stack, staff, siteId, { firstName: 'Jonas', referralSource: 'vdab', coachId: coach.id });
    await takeIn(stack, staff, siteId, { firstName: 'Kato', referralSource: 'self', coachId: coach.id });
    const res = await api(stack, `/api/participants/${vdab}/actions/logAttendance`, { token: coach.token, body: { kind: 'connectors_table' } });
    expect(res.status).toBe(200);
  });

  it('gives the figures of the site for the period as JSON', async () => {
    const report = await until(async () => {
      const res = await api(stack, `/api/reports/funder?${period}`, { token: coordinator.token });
      expect(res.status).toBe(200);
      const body = await json<{ site: string; from: string; to: string; report: Record<string, unknown> }>(res);
      const sources = body.report.intakes_by_referral_source as Record<string, number> | undefined;
      return sources?.vdab && sources.self && Object.keys((body.report.attendance_by_kind as object) ?? {}).length ? body : undefined;
    }, 'the intakes in the report');
    expect(report).toMatchObject({ site: siteId, from: `${year}-01-01`, to: `${year}-12-31` });
    expect(report.report.intakes_by_referral_source).toMatchObject({ vdab: 1, self: 1 });
    expect(report.report.attendance_by_kind).toMatchObject({ connectors_table: { attendances: 1, participants: 1 } });
  });

  it('gives the same figures as CSV with Dutch labels, for a spreadsheet', async () => {
    const res = await api(stack, `/api/reports/funder?${period}&format=csv`, { token: coordinator.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="groeipad-rapport-${year}-01-01-${year}-12-31.csv"`);
    const csv = await res.text();
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Onderdeel;Item;Waarde');
    expect(lines).toContain('Inschrijvingen per doorverwijzer;VDAB;1');
    expect(lines).toContain('Inschrijvingen per doorverwijzer;Op eigen initiatief;1');
    expect(lines).toContain('Aanwezigheden per soort groepsmoment;Connectorstafel / Aanwezigheden;1');
  });

  it('refuses bad periods (400), coaches (403), another site (403) and no sign-in (401)', async () => {
    const backwards = await api(stack, `/api/reports/funder?from=${year}-12-31&to=${year}-01-01`, { token: coordinator.token });
    expect(backwards.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(backwards)).error.fields ?? {})).toEqual(['to']);
    const missing = await api(stack, '/api/reports/funder?from=2026-02-30', { token: coordinator.token });
    expect(missing.status).toBe(400);
    expect(Object.keys((await json<ErrorBody>(missing)).error.fields ?? {}).sort()).toEqual(['from', 'to']);
    expect((await api(stack, `/api/reports/funder?${period}&format=pdf`, { token: coordinator.token })).status).toBe(400);
    expect((await api(stack, `/api/reports/funder?${period}`, { token: coach.token })).status).toBe(403);
    // The figures are for coordinators (domain.md, Privacy); staff work with people, not reports.
    expect((await api(stack, `/api/reports/funder?${period}`, { token: staff.token })).status).toBe(403);
    expect((await api(stack, `/api/reports/funder?${period}&site=${siteId}`, { token: coordinatorElsewhere.token })).status).toBe(403);
    expect((await api(stack, `/api/reports/funder?${period}`)).status).toBe(401);
  });
});
