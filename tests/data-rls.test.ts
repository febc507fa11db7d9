import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLink, recordLinkUse } from '../activities/access-links.js';
import type { Activities } from '../activities/index.js';
import { supabaseClient, type Db } from '../infra/supabase/client.js';
import { activitiesFromConfig } from '../worker/create-worker.js';
import { ALL_TABLES, GROUP_MOMENT_TABLES, LINK_TABLES, PARTICIPANT_TABLES, fillPath, insertParticipant, type AnyTable, type ParticipantTable } from './support/data-fixtures.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Row-level security proven through the real PostgREST with real JWTs: every table read, inserted,
 * updated and deleted as anon, coach A, coach B, staff of the same site, staff of another site, a
 * coordinator and the service role. The data is written by the real activities.
 */

type Actor = 'anon' | 'coachA' | 'coachB' | 'staff1' | 'staff2' | 'coordinator' | 'service';

let stack: TestStack;
let activities: Activities;
const ids = {} as Record<'s1' | 's2' | 'coachA' | 'coachB' | 'coachC' | 'staff1' | 'staff2' | 'coordinator' | 'pA' | 'pB' | 'pC' | 'pD', string>;
const notes = {} as Record<'pA' | 'pB' | 'pC', string>;
const clients = {} as Record<Actor, Db>;

beforeAll(async () => {
  stack = await startTestStack();
  activities = activitiesFromConfig(stack.config, stack.client);
  ids.s1 = await stack.site('Stuyfplek Een');
  ids.s2 = await stack.site('Stuyfplek Twee');
  const coachA = await stack.person('coach', ids.s1);
  const coachB = await stack.person('coach', ids.s1);
  const coachC = await stack.person('coach', ids.s2);
  const staff1 = await stack.person('staff', ids.s1);
  const staff2 = await stack.person('staff', ids.s2);
  const coordinator = await stack.person('coordinator', ids.s1);
  Object.assign(ids, { coachA: coachA.id, coachB: coachB.id, coachC: coachC.id, staff1: staff1.id, staff2: staff2.id, coordinator: coordinator.id });
  const { url, anonKey, serviceRoleKey } = stack.supabase;
  clients.anon = supabaseClient(url, anonKey);
  clients.coachA = supabaseClient(url, anonKey, coachA.token);
  clients.coachB = supabaseClient(url, anonKey, coachB.token);
  clients.staff1 = supabaseClient(url, anonKey, staff1.token);
  clients.staff2 = supabaseClient(url, anonKey, staff2.token);
  clients.coordinator = supabaseClient(url, anonKey, coordinator.token);
  clients.service = supabaseClient(url, serviceRoleKey);

  const start = Date.UTC(2025, 0, 6, 9);
  const path = async (siteId: string, coachId: string) => {
    const participantId = await insertParticipant(stack, { siteId, coachId });
    const filled = await fillPath(stack, activities, { participantId, siteId, coachId, start });
    // A participant-page link made by the coach, opened once.
    const link = await issueLink(stack.db, stack.config.LINK_SECRET, { participantId, siteId, purpose: 'participant_page', createdBy: coachId, validity: stack.config.PARTICIPANT_LINK_VALIDITY });
    const row = await stack.db.from('access_links').select('*').eq('id', link.id).single();
    await recordLinkUse(stack.db, row.data!);
    return filled;
  };
  const a = await path(ids.s1, ids.coachA);
  const b = await path(ids.s1, ids.coachB);
  const c = await path(ids.s2, ids.coachC);
  const d = await path(ids.s1, ids.coachA);
  Object.assign(ids, { pA: a.participantId, pB: b.participantId, pC: c.participantId, pD: d.participantId });
  Object.assign(notes, { pA: a.noteId, pB: b.noteId, pC: c.noteId });

  // A group moment at each site, with an invitation and an attendance per participant, and guests.
  for (const [site, people] of [[ids.s1, [ids.pA, ids.pB]], [ids.s2, [ids.pC]]] as const) {
    const { rows } = await stack.sql.query<{ id: string }>("insert into public.group_moments (site_id, kind, moment_date) values ($1, 'open_house', '2025-02-03') returning id", [site]);
    const moment = rows[0]!.id;
    for (const participant of people) {
      await stack.sql.query("insert into public.group_moment_invitations (key, participant_id, site_id, kind, moment_id, reason) values ($1, $2, $3, 'open_house', $4, 'invited')", [`moment/${moment}/${participant}`, participant, site, moment]);
      await stack.sql.query('insert into public.group_moment_attendance (moment_id, participant_id, site_id) values ($1, $2, $3)', [moment, participant, site]);
    }
    await stack.sql.query("insert into public.group_moment_guests (moment_id, partner, guests, site_id) values ($1, 'vdab', 2, $2)", [moment, site]);
  }

  // ESF+ records of each participant: an entry version with its special-category answers, and a result after leaving.
  for (const [participant, site] of [[ids.pA, ids.s1], [ids.pB, ids.s1], [ids.pC, ids.s2], [ids.pD, ids.s1]] as const) {
    const { rows } = await stack.sql.query<{ id: string }>(
      "insert into public.esf_entries (participant_id, site_id, version, entered_on, age_band, labour_status, education, gender, complete) values ($1, $2, 1, '2025-01-06', 'age_30_54', 'unemployed', 'isced_3_4', 'female', true) returning id",
      [participant, site],
    );
    await stack.sql.query("insert into public.esf_entry_special (entry_id, participant_id, site_id, disability, minority) values ($1, $2, $3, 'no', 'refused')", [rows[0]!.id, participant, site]);
    await stack.sql.query(
      "insert into public.esf_results (key, participant_id, site_id, path_run, kind, observed_on, situations, source, recorded_at) values ($1, $2, $3, 1, 'leaving', '2025-03-10', '{in_employment}', 'coach', now())",
      [`esf/${participant}`, participant, site],
    );
  }
});
afterAll(async () => {
  await stack?.stop();
});

/** One concrete table type for calls over many tables (each has a participant_id column). */
const anyTable = (db: Db, table: AnyTable) => db.from(table as 'contacts');

/** Who owns a row: its participant, or (sites, profiles, coach emails) its site or person. */
function ownerColumns(table: AnyTable): string {
  if (table === 'group_moments' || table === 'group_moment_guests') return 'site_id';
  if (table === 'sites') return 'id';
  if (table === 'profiles') return 'id';
  if (table === 'participants') return 'id';
  if (table === 'email_log') return 'participant_id, coach_id';
  return 'participant_id';
}

/**
 * Whose rows an actor read, by fixture name. A row of someone the fixtures do not name shows as
 * "unknown <id>", so a leak of other people's rows fails the check; only the service role, which
 * reads everything, may see rows other tests of this file made.
 */
function owners(table: AnyTable, rows: Record<string, string | null>[], actor: Exclude<Actor, 'anon'>): string[] {
  const named = (id: string | null) => (id === null ? null : (Object.entries(ids).find(([, v]) => v === id)?.[0] ?? `unknown ${id}`));
  const list = rows.map((r) => (table === 'email_log' ? (r.participant_id ? named(r.participant_id) : named(r.coach_id ?? null)) : named(r.id ?? r.participant_id ?? r.site_id ?? null)));
  return [...new Set(list.filter((x): x is string => x !== null && x !== 'pD' && !(actor === 'service' && x.startsWith('unknown '))))].sort();
}

/** What each actor must see in each table (pD is the service role's to delete). */
function expectedOwners(table: AnyTable, actor: Exclude<Actor, 'anon'>): string[] {
  // The moments of a site and their guest counts: its staff and coaches (and facilitators, in
  // tests/api-group-moments.test.ts); coordinators read figures only.
  if (table === 'group_moments' || table === 'group_moment_guests') return { coachA: ['s1'], coachB: ['s1'], staff1: ['s1'], staff2: ['s2'], coordinator: [] as string[], service: ['s1', 's2'] }[actor];
  if (table === 'sites') return { coachA: ['s1'], coachB: ['s1'], staff1: ['s1'], staff2: ['s2'], coordinator: ['s1'], service: ['s1', 's2'] }[actor];
  if (table === 'profiles') {
    const s1 = ['coachA', 'coachB', 'coordinator', 'staff1'];
    const s2 = ['coachC', 'staff2'];
    return { coachA: s1, coachB: s1, staff1: s1, staff2: s2, coordinator: s1, service: [...s1, ...s2].sort() }[actor].sort();
  }
  // Special-category answers: the participant's own coach only.
  if (table === 'esf_entry_special') return { coachA: ['pA'], coachB: ['pB'], staff1: [] as string[], staff2: [] as string[], coordinator: [] as string[], service: ['pA', 'pB', 'pC'] }[actor];
  const byParticipant = { coachA: ['pA'], coachB: ['pB'], staff1: ['pA', 'pB'], staff2: ['pC'], coordinator: [] as string[], service: ['pA', 'pB', 'pC'] }[actor];
  if (table !== 'email_log') return byParticipant;
  // Coaches also see the emails sent to themselves; staff those of their site.
  const coachEmails = { coachA: ['coachA'], coachB: ['coachB'], staff1: ['coachA', 'coachB'], staff2: ['coachC'], coordinator: [] as string[], service: ['coachA', 'coachB', 'coachC'] }[actor];
  return [...byParticipant, ...coachEmails].sort();
}

const PERMISSION_DENIED = '42501';

describe('every table, read', () => {
  for (const table of ALL_TABLES) {
    describe(table, () => {
      it(`${table}: anon reads nothing (permission denied)`, async () => {
        const { data, error } = await clients.anon.from(table).select(ownerColumns(table));
        expect(data).toBeNull();
        expect(error?.code).toBe(PERMISSION_DENIED);
      });
      for (const actor of ['coachA', 'coachB', 'staff1', 'staff2', 'coordinator', 'service'] as const) {
        it(`${table}: ${actor} reads exactly ${expectedOwners(table, actor).join(', ') || 'nothing'}`, async () => {
          const { data, error } = await clients[actor].from(table).select(ownerColumns(table));
          expect(error).toBeNull();
          expect(owners(table, (data ?? []) as unknown as Record<string, string | null>[], actor)).toEqual(expectedOwners(table, actor));
        });
      }
    });
  }
});

/** Tables people never write directly: the path workflow writes them with the service role. */
const WORKFLOW_TABLES = PARTICIPANT_TABLES.filter((t) => !['participants', 'notes', 'tasks'].includes(t));

describe('tables only the workflow writes', () => {
  for (const table of WORKFLOW_TABLES) {
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      it(`${table}: ${actor} may not insert, update or delete`, async () => {
        const client = clients[actor];
        const row = { participant_id: ids.pA } as never;
        const inserted = await anyTable(client, table).insert(row);
        expect(inserted.error?.code).toBe(PERMISSION_DENIED);
        const updated = await anyTable(client, table).update(row).eq('participant_id', ids.pA);
        expect(updated.error?.code).toBe(PERMISSION_DENIED);
        const deleted = await anyTable(client, table).delete().eq('participant_id', ids.pA);
        expect(deleted.error?.code).toBe(PERMISSION_DENIED);
      });
    }
  }
  for (const table of LINK_TABLES) {
    it(`${table}: only the service role (the API) writes; anon, coaches, staff and coordinators may not`, async () => {
      for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
        const client = clients[actor];
        const row = { participant_id: ids.pA } as never;
        expect((await client.from(table as 'access_links').insert(row)).error?.code, actor).toBe(PERMISSION_DENIED);
        expect((await client.from(table as 'access_links').update(row).eq('participant_id', ids.pA)).error?.code, actor).toBe(PERMISSION_DENIED);
        expect((await client.from(table as 'access_links').delete().eq('participant_id', ids.pA)).error?.code, actor).toBe(PERMISSION_DENIED);
      }
    });
  }
  for (const table of GROUP_MOMENT_TABLES) {
    it(`${table}: only the service role (the API, after its own check) writes; anon, coaches, staff and coordinators may not`, async () => {
      for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
        const client = clients[actor];
        const row = { site_id: ids.s1 } as never;
        expect((await client.from(table as 'group_moments').insert(row)).error?.code, actor).toBe(PERMISSION_DENIED);
        expect((await client.from(table as 'group_moments').update(row).eq('site_id', ids.s1)).error?.code, actor).toBe(PERMISSION_DENIED);
        expect((await client.from(table as 'group_moments').delete().eq('site_id', ids.s1)).error?.code, actor).toBe(PERMISSION_DENIED);
      }
    });
  }
  it('sites and profiles: nobody but the service role inserts or deletes them; anon updates nothing', async () => {
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      expect((await clients[actor].from('sites').insert({ name: 'Nieuwe plek' })).error?.code).toBe(PERMISSION_DENIED);
      expect((await clients[actor].from('sites').update({ name: 'Andere naam' }).eq('id', ids.s1)).error?.code).toBe(PERMISSION_DENIED);
      expect((await clients[actor].from('sites').delete().eq('id', ids.s1)).error?.code).toBe(PERMISSION_DENIED);
      expect((await clients[actor].from('profiles').insert({ id: randomUUID(), site_id: ids.s1, role: 'coordinator', display_name: 'x' })).error?.code).toBe(
        PERMISSION_DENIED,
      );
      expect((await clients[actor].from('profiles').delete().eq('id', ids.coachB)).error?.code).toBe(PERMISSION_DENIED);
    }
    expect((await clients.anon.from('profiles').update({ display_name: 'x' }).eq('id', ids.coachA)).error?.code).toBe(PERMISSION_DENIED);
  });
});

describe('profiles, update', () => {
  it('profiles: everyone updates their own display name, nobody else\'s, and never their role or site', async () => {
    const own = await clients.coachA.from('profiles').update({ display_name: 'An (coach)' }).eq('id', ids.coachA).select('id');
    expect(own.error).toBeNull();
    expect(own.data).toHaveLength(1);
    const other = await clients.coachA.from('profiles').update({ display_name: 'Overgenomen' }).eq('id', ids.coachB).select('id');
    expect(other.error).toBeNull();
    expect(other.data).toHaveLength(0);
    const staffOnCoach = await clients.staff1.from('profiles').update({ display_name: 'Overgenomen' }).eq('id', ids.coachA).select('id');
    expect(staffOnCoach.data).toHaveLength(0);
    const role = await clients.coachA.from('profiles').update({ role: 'coordinator' }).eq('id', ids.coachA);
    expect(role.error?.code).toBe(PERMISSION_DENIED);
    const site = await clients.coachA.from('profiles').update({ site_id: ids.s2 }).eq('id', ids.coachA);
    expect(site.error?.code).toBe(PERMISSION_DENIED);
  });
});

describe('participants, write', () => {
  const newcomer = (siteId: string) => ({ site_id: siteId, first_name: 'Nieuw', last_name: 'Persoon', referral_source: 'self' as const });

  it('participants: staff register participants at their own site only', async () => {
    const own = await clients.staff1.from('participants').insert(newcomer(ids.s1)).select('id');
    expect(own.error).toBeNull();
    expect(own.data).toHaveLength(1);
    const elsewhere = await clients.staff2.from('participants').insert(newcomer(ids.s1));
    expect(elsewhere.error?.code).toBe(PERMISSION_DENIED);
    // With a coach of their own site, yes; with a coach of another site (who could then read it), no.
    const withOwnCoach = await clients.staff1.from('participants').insert({ ...newcomer(ids.s1), coach_id: ids.coachA }).select('id');
    expect(withOwnCoach.error).toBeNull();
    const withOtherCoach = await clients.staff1.from('participants').insert({ ...newcomer(ids.s1), coach_id: ids.coachC });
    expect(withOtherCoach.error?.code).toBe(PERMISSION_DENIED);
  });

  it('participants: coaches, coordinators and anon register nobody', async () => {
    for (const actor of ['anon', 'coachA', 'coordinator'] as const) {
      expect((await clients[actor].from('participants').insert(newcomer(ids.s1))).error?.code).toBe(PERMISSION_DENIED);
    }
  });

  it('participants: coach A updates their own participant; coach B, staff of another site and the coordinator change nothing', async () => {
    const own = await clients.coachA.from('participants').update({ phone: '0470 00 00 01' }).eq('id', ids.pA).select('id');
    expect(own.data).toHaveLength(1);
    for (const actor of ['coachB', 'staff2', 'coordinator'] as const) {
      const result = await clients[actor].from('participants').update({ phone: '0470 99 99 99' }).eq('id', ids.pA).select('id');
      expect(result.error).toBeNull();
      expect(result.data).toHaveLength(0);
    }
    const { rows } = await stack.sql.query('select phone from public.participants where id = $1', [ids.pA]);
    expect(rows).toEqual([{ phone: '0470 00 00 01' }]);
    expect((await clients.anon.from('participants').update({ phone: 'x' }).eq('id', ids.pA)).error?.code).toBe(PERMISSION_DENIED);
  });

  it('participants: staff update the participants of their site', async () => {
    const result = await clients.staff1.from('participants').update({ consent_email: true }).eq('id', ids.pB).select('id');
    expect(result.data).toHaveLength(1);
  });

  it('participants: the coach, the site and erasure are not for people to change directly', async () => {
    for (const change of [{ coach_id: ids.coachB }, { site_id: ids.s2 }, { erased_at: new Date().toISOString() }, { identity_key: 'x' }]) {
      const result = await clients.staff1.from('participants').update(change).eq('id', ids.pA);
      expect(result.error?.code).toBe(PERMISSION_DENIED);
    }
  });

  it('participants: nobody but the service role deletes a participant', async () => {
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      expect((await clients[actor].from('participants').delete().eq('id', ids.pA)).error?.code).toBe(PERMISSION_DENIED);
    }
  });
});

describe('notes, write', () => {
  const note = (participantId: string, author: string) => ({ participant_id: participantId, author_id: author, body: 'Kort gesprek gehad.' });

  it('notes: coach A writes notes on their own participant, not on coach B\'s, and only as themselves', async () => {
    expect((await clients.coachA.from('notes').insert(note(ids.pA, ids.coachA)).select('id')).data).toHaveLength(1);
    expect((await clients.coachA.from('notes').insert(note(ids.pB, ids.coachA))).error?.code).toBe(PERMISSION_DENIED);
    expect((await clients.coachA.from('notes').insert(note(ids.pA, ids.coachB))).error?.code).toBe(PERMISSION_DENIED);
  });

  it('notes: staff write notes at their own site only; coordinators and anon write none', async () => {
    expect((await clients.staff1.from('notes').insert(note(ids.pB, ids.staff1)).select('id')).data).toHaveLength(1);
    expect((await clients.staff2.from('notes').insert(note(ids.pA, ids.staff2))).error?.code).toBe(PERMISSION_DENIED);
    expect((await clients.coordinator.from('notes').insert(note(ids.pA, ids.coordinator))).error?.code).toBe(PERMISSION_DENIED);
    expect((await clients.anon.from('notes').insert(note(ids.pA, ids.coachA))).error?.code).toBe(PERMISSION_DENIED);
  });

  it('notes: authors edit their own notes on participants they may see; nobody deletes notes', async () => {
    // The fixture notes were written by each participant's coach.
    expect((await clients.coachA.from('notes').update({ body: 'Aangevuld.' }).eq('id', notes.pA).select('id')).data).toHaveLength(1);
    expect((await clients.coachB.from('notes').update({ body: 'Overschreven.' }).eq('id', notes.pA).select('id')).data).toHaveLength(0);
    expect((await clients.staff1.from('notes').update({ body: 'Overschreven.' }).eq('id', notes.pA).select('id')).data).toHaveLength(0);
    expect((await clients.coachA.from('notes').update({ participant_id: ids.pB }).eq('id', notes.pA)).error?.code).toBe(PERMISSION_DENIED);
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      expect((await clients[actor].from('notes').delete().eq('id', notes.pA)).error?.code).toBe(PERMISSION_DENIED);
    }
  });
});

describe('tasks, write', () => {
  const openTask = async (participantId: string) => {
    const { rows } = await stack.sql.query<{ id: string }>("update public.tasks set status = 'open' where participant_id = $1 returning id", [participantId]);
    return rows[0]!.id;
  };

  it('tasks: coach A completes the tasks of their participant; coach B, staff of another site and the coordinator cannot', async () => {
    const taskId = await openTask(ids.pA);
    for (const actor of ['coachB', 'staff2', 'coordinator'] as const) {
      const result = await clients[actor].from('tasks').update({ status: 'done' }).eq('id', taskId).select('id');
      expect(result.error).toBeNull();
      expect(result.data).toHaveLength(0);
    }
    const done = await clients.coachA.from('tasks').update({ status: 'done' }).eq('id', taskId).select('status, completed_by, completed_at');
    expect(done.error).toBeNull();
    expect(done.data).toHaveLength(1);
    expect(done.data![0]!.completed_by).toBe(ids.coachA);
    expect(done.data![0]!.completed_at).not.toBeNull();
  });

  it('tasks: staff complete the tasks of their site', async () => {
    const taskId = await openTask(ids.pB);
    const done = await clients.staff1.from('tasks').update({ status: 'done' }).eq('id', taskId).select('completed_by');
    expect(done.data).toEqual([{ completed_by: ids.staff1 }]);
  });

  it('tasks: people change only the status; nobody creates or deletes tasks but the workflow', async () => {
    const taskId = await openTask(ids.pA);
    for (const change of [{ assignee_id: ids.coachB }, { due_at: new Date().toISOString() }, { kind: 'check_in' as const }, { completed_at: '2020-01-01T00:00:00Z' }]) {
      expect((await clients.coachA.from('tasks').update(change).eq('id', taskId)).error?.code).toBe(PERMISSION_DENIED);
    }
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      const insert = await clients[actor].from('tasks').insert({ key: randomUUID(), participant_id: ids.pA, site_id: ids.s1, path_run: 1, kind: 'check_in', due_at: new Date().toISOString(), cause: 'x' });
      expect(insert.error?.code).toBe(PERMISSION_DENIED);
      expect((await clients[actor].from('tasks').delete().eq('id', taskId)).error?.code).toBe(PERMISSION_DENIED);
    }
    expect((await clients.anon.from('tasks').update({ status: 'done' }).eq('id', taskId)).error?.code).toBe(PERMISSION_DENIED);
  });
});

describe('the service role', () => {
  it('service: inserts sites and profiles', async () => {
    const site = await clients.service.from('sites').insert({ name: 'Stuyfplek Drie' }).select('id').single();
    expect(site.error).toBeNull();
    const userId = randomUUID();
    await stack.sql.query('insert into auth.users (id, email) values ($1, $2)', [userId, `${userId}@stuyfplek.test`]);
    const profile = await clients.service.from('profiles').insert({ id: userId, site_id: site.data!.id, role: 'staff', display_name: 'Nieuw' }).select('id');
    expect(profile.data).toHaveLength(1);
  });

  it('service: updates and deletes in every table', async () => {
    const p = ids.pD;
    for (const table of PARTICIPANT_TABLES) {
      if (table === 'participants') continue;
      const updated = await anyTable(clients.service, table).update({ participant_id: p }).eq('participant_id', p).select('participant_id');
      expect(updated.error, table).toBeNull();
      expect((updated.data ?? []).length, table).toBeGreaterThan(0);
    }
    // Children first, then the participant.
    const order: ParticipantTable[] = ['email_log', 'referral_introductions', 'tasks', 'aftercare', 'outflows', 'referrals_out', 'referrals_in', 'attendance', 'contacts', 'steps', 'agreement_renewals', 'agreements', 'crises', 'phase_changes', 'path_events', 'paths', 'notes', 'participants'];
    expect([...order].sort()).toEqual([...PARTICIPANT_TABLES].sort());
    // The person's links (and their uses) go first: they point at the participant.
    for (const table of ['access_link_views', 'access_links'] as const satisfies ReadonlyArray<(typeof LINK_TABLES)[number]>) {
      const deleted = await clients.service.from(table).delete().eq('participant_id', p).select('participant_id');
      expect(deleted.error, table).toBeNull();
      expect((deleted.data ?? []).length, table).toBeGreaterThan(0);
    }
    for (const table of order) {
      const column = table === 'participants' ? 'id' : 'participant_id';
      const deleted = await anyTable(clients.service, table).delete().eq(column as 'participant_id', p).select(column as 'participant_id');
      expect(deleted.error, table).toBeNull();
      expect((deleted.data ?? []).length, table).toBeGreaterThan(0);
    }
    const sites = await clients.service.from('sites').update({ name: 'Stuyfplek Een' }).eq('id', ids.s1).select('id');
    expect(sites.data).toHaveLength(1);
  });
});

describe('functions', () => {
  it('the policy helpers are not reachable through the API', async () => {
    const result = await clients.coachA.rpc('staff_site_id' as never);
    expect(result.error?.code).toBe('PGRST202');
  });

  it('erase_participant, meet_and_greet_invitees and coach_task_digest are for the service role only', async () => {
    const calls = [
      (db: Db) => db.rpc('erase_participant', { p_participant: ids.pB }),
      (db: Db) => db.rpc('meet_and_greet_invitees'),
      (db: Db) => db.rpc('coach_task_digest', { p_day_start: new Date().toISOString(), p_day_end: new Date().toISOString() }),
    ];
    for (const actor of ['anon', 'coachA', 'staff1', 'coordinator'] as const) {
      for (const call of calls) expect((await call(clients[actor])).error?.code).toBe(PERMISSION_DENIED);
    }
    const { rows } = await stack.sql.query('select first_name is not null as named from public.participants where id = $1', [ids.pB]);
    expect(rows).toEqual([{ named: true }]);
    expect((await clients.service.rpc('meet_and_greet_invitees')).error).toBeNull();
  });
});

describe('the catalog', () => {
  it('every table in public has row-level security on', async () => {
    const { rows } = await stack.sql.query<{ relname: string }>(
      "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity",
    );
    expect(rows).toEqual([]);
    const tables = await stack.sql.query<{ relname: string }>("select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by 1");
    expect(tables.rows.map((r) => r.relname)).toEqual([...ALL_TABLES].sort());
  });

  it('every policy is for one operation and for authenticated only; each table has a read policy', async () => {
    const { rows } = await stack.sql.query<{ tablename: string; policyname: string; cmd: string; roles: string[] }>(
      "select tablename, policyname, cmd, roles::text[] as roles from pg_policies where schemaname = 'public'",
    );
    expect(rows.filter((r) => r.cmd === 'ALL')).toEqual([]);
    expect(rows.filter((r) => r.roles.join() !== 'authenticated')).toEqual([]);
    const withRead = new Set(rows.filter((r) => r.cmd === 'SELECT').map((r) => r.tablename));
    expect([...withRead].sort()).toEqual([...ALL_TABLES].sort());
  });

  it('anon holds no privilege on any table or function in public', async () => {
    const tables = await stack.sql.query(
      "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and (has_table_privilege('anon', c.oid, 'select,insert,update,delete') or has_any_column_privilege('anon', c.oid, 'select,insert,update'))",
    );
    expect(tables.rows).toEqual([]);
    const functions = await stack.sql.query(
      "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private') and has_function_privilege('anon', p.oid, 'execute')",
    );
    expect(functions.rows).toEqual([]);
  });

  it('the service role holds every privilege on every table', async () => {
    const { rows } = await stack.sql.query(
      "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and not (has_table_privilege('service_role', c.oid, 'select') and has_table_privilege('service_role', c.oid, 'insert') and has_table_privilege('service_role', c.oid, 'update') and has_table_privilege('service_role', c.oid, 'delete'))",
    );
    expect(rows).toEqual([]);
  });

  it('every security-definer function pins an empty search_path', async () => {
    const { rows } = await stack.sql.query(
      "select n.nspname || '.' || p.proname as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private') and p.prosecdef and not ('search_path=\"\"' = any(coalesce(p.proconfig, '{}')))",
    );
    expect(rows).toEqual([]);
  });
});
