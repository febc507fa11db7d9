import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLocalDate, toLocalDate } from '../domain/calendar.js';
import { pathQuery, pathUpdates, pathWorkflowId } from '../domain/messages.js';
import { until } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * "Forget me": a participant's path is started through the real intake, lived a little, then
 * forgotten through the workflow's update. Afterwards neither any table of the database nor the
 * workflow's history holds the person's name, email address, phone number or birth date; the
 * anonymous figures remain.
 */

let stack: TestStack;
let siteId: string;
let staff: { id: string; token: string };
let coach: { id: string; token: string };
let participantId: string;

const person = {
  firstName: 'Zuleika',
  lastName: 'Vandermeersch',
  email: 'zuleika.vandermeersch@example.be',
  phone: '0496 41 27 83',
  birthDate: '1983-07-19',
};
const NEEDLES = [person.firstName, person.lastName, person.email, person.phone, person.birthDate];

beforeAll(async () => {
  stack = await startTestStack();
  siteId = await stack.site('Stuyfplek Vergeten');
  staff = await stack.person('staff', siteId);
  coach = await stack.person('coach', siteId);
});
afterAll(async () => {
  await stack?.stop();
});

/** Every row of every table outside Postgres' own catalogs, as text, searched for each needle. */
async function findInDatabase(needles: string[]): Promise<string[]> {
  const { rows: tables } = await stack.sql.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
      order by 1, 2`,
  );
  expect(tables.length).toBeGreaterThan(15);
  const found: string[] = [];
  for (const { schema, name } of tables) {
    for (const needle of needles) {
      const { rows } = await stack.sql.query<{ n: number }>(`select count(*)::int as n from "${schema}"."${name}" t where t::text ilike '%' || $1 || '%'`, [needle]);
      if (rows[0]!.n > 0) found.push(`${schema}.${name}: ${needle}`);
    }
  }
  return found;
}

/** The workflow's full history (every run), with every payload decoded to text. */
async function historyText(): Promise<string> {
  const parts: string[] = [];
  for await (const execution of stack.temporal.client.workflow.list({ query: `WorkflowId = '${pathWorkflowId(participantId)}'` })) {
    const history = await stack.temporal.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    // The history's JSON form carries payload bytes as base64: decode every payload's data and
    // metadata, so that the search sees what the payloads really hold.
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    const json = JSON.stringify(JSON.parse(JSON.stringify(history)), (key, value: unknown) => {
      if (key === 'data' && typeof value === 'string') return decode(value);
      if (key === 'metadata' && value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? decode(v) : v]));
      }
      return value;
    });
    parts.push(json);
  }
  return parts.join('\n');
}

describe('forgetting a participant', () => {
  it('starts from a real intake and a path with actions, notes and emails', async () => {
    const res = await stack.app.request('/api/intakes', {
      method: 'POST',
      headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ siteId, ...person, consentEmail: true, referralSource: 'general_practitioner', coachId: coach.id }),
    });
    expect(res.status).toBe(201);
    participantId = ((await res.json()) as { participantId: string }).participantId;

    // A note in the coach's words, naming the person, as the API stores it before the action.
    const note = await stack.sql.query<{ id: string }>('insert into public.notes (participant_id, author_id, body) values ($1, $2, $3) returning id', [
      participantId,
      coach.id,
      `${person.firstName} weet niet goed wat ze wil; bel haar op ${person.phone}.`,
    ]);
    const noteId = note.rows[0]!.id;
    const handle = stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId));
    const by = coach.id;
    await handle.executeUpdate(pathUpdates.signalCrisis, { args: [{ by, kind: 'focus_crisis', move: true, noteId }] });
    await handle.executeUpdate(pathUpdates.signAgreement, { args: [{ by, commitments: ['connectors_table', 'stuyflab'], privileges: ['space'], goalNoteId: noteId }] });
    await handle.executeUpdate(pathUpdates.registerStep, { args: [{ by, status: 'needed', noteId }] });
    await handle.executeUpdate(pathUpdates.logContact, { args: [{ by, kind: 'conversation', noteId }] });
    await handle.executeUpdate(pathUpdates.logAttendance, { args: [{ by, kind: 'stuyflab' }] });
    await handle.executeUpdate(pathUpdates.referOut, { args: [{ by, partner: 'starterslabo', noteId }] });

    await until(async () => (stack.outbox.emails().filter((e) => e.to.includes(person.email)).length >= 2 ? true : undefined), 'the welcome and agreement emails');
    await until(async () => ((await stack.sql.query('select 1 from public.referrals_out where participant_id = $1', [participantId])).rowCount ? true : undefined), 'the referral row');

    // The searches below can see the person: before forgetting, they find them.
    const before = await findInDatabase(NEEDLES);
    for (const needle of NEEDLES) expect(before.some((hit) => hit.endsWith(`: ${needle}`)), needle).toBe(true);
    const history = await historyText();
    expect(history).toContain(participantId);
    expect(history).toContain('focus_crisis');
  });

  it('leaves no name, address, phone or birth date in any table or in the workflow history', async () => {
    const handle = stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId));
    const view = await handle.executeUpdate(pathUpdates.forget, { args: [{ by: staff.id }] });
    expect(view.status).toBe('forgotten');
    // The path ends for good once the erasure has run.
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    expect(await findInDatabase(NEEDLES)).toEqual([]);
    const history = await historyText();
    for (const needle of NEEDLES) expect(history.toLowerCase()).not.toContain(needle.toLowerCase());
    // The search reads the decoded history: the forget update's result (status forgotten) is in it.
    expect(history).toContain('forgotten');
  });

  it('keeps the anonymous figures', async () => {
    const counts = await stack.sql.query(
      `select (select count(*)::int from public.participants where id = $1 and erased_at is not null) as participant,
              (select count(*)::int from public.referrals_in where participant_id = $1) as referrals_in,
              (select count(*)::int from public.phase_changes where participant_id = $1) as phase_changes,
              (select count(*)::int from public.crises where participant_id = $1) as crises,
              (select count(*)::int from public.agreements where participant_id = $1 and status = 'stopped') as agreements,
              (select count(*)::int from public.attendance where participant_id = $1) as attendance,
              (select count(*)::int from public.notes where participant_id = $1) as notes,
              (select count(*)::int from public.tasks where participant_id = $1 and status = 'open') as open_tasks,
              (select status::text from public.paths where participant_id = $1) as path`,
      [participantId],
    );
    expect(counts.rows).toEqual([{ participant: 1, referrals_in: 1, phase_changes: 2, crises: 1, agreements: 1, attendance: 1, notes: 0, open_tasks: 0, path: 'forgotten' }]);
    // The report's days are Brussels days: after 23:00 UTC the intake is already on tomorrow's.
    const today = formatLocalDate(toLocalDate(Date.now()));
    const { data, error } = await stack.db.rpc('funder_report', { p_site: siteId, p_from: '2000-01-01', p_to: today });
    expect(error).toBeNull();
    const report = data as { intakes: number; agreements: { signed: number }; attendance_by_kind: Record<string, { attendances: number }> };
    expect(report.intakes).toBe(1);
    expect(report.agreements.signed).toBe(1);
    expect(report.attendance_by_kind.stuyflab?.attendances).toBe(1);
  });

  it('shows the path as forgotten, with no way left to email the person', async () => {
    const handle = stack.temporal.client.workflow.getHandle(pathWorkflowId(participantId));
    const view = await handle.query(pathQuery);
    expect(view.status).toBe('forgotten');
    const { rows } = await stack.sql.query('select consent_email, email from public.participants where id = $1', [participantId]);
    expect(rows).toEqual([{ consent_email: false, email: null }]);
  });
});
