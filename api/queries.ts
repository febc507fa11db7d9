import { completeTask as closeTask } from '../activities/tasks.js';
import { addDays, localTimeToInstant, toLocalDate } from '../domain/calendar.js';
import type { Phase, TaskKind } from '../domain/codes.js';
import type { PathEvent } from '../domain/path-events.js';
import type { PathStatus } from '../domain/path-state.js';
import type { ApiDeps, SignedInUser } from './context.js';
import { ApiError } from './errors.js';
import { readPath, runAction } from './path-service.js';
import { supabaseClient } from '../infra/supabase/client.js';

/**
 * What the API and the pages read from the database: participant lists, a participant's
 * history, notes and tasks. The service-role client reads; every function applies the same
 * rule as row-level security first (a coach their own participants, staff their site).
 */

/** Splits long `in (...)` lists so a URL to PostgREST stays short. */
function chunks<T>(items: T[], size = 100): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function check<T>(result: { data: T; error: { message: string } | null }, what: string): NonNullable<T> {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  return (result.data ?? []) as NonNullable<T>;
}

/** The path events that count as contact (the domain's "last contact"). */
const CONTACT_EVENTS = ['path_started', 'contact_logged', 'attendance_logged', 'path_reentered'] as const;

export interface TaskSummary {
  id: string;
  kind: TaskKind;
  dueAt: string;
  status: 'open' | 'done' | 'cancelled';
  participantId: string;
  assigneeId: string | null;
}

export interface ParticipantSummary {
  id: string;
  firstName: string | null;
  lastName: string | null;
  siteId: string;
  coachId: string | null;
  coachName: string | null;
  phase: Phase;
  status: PathStatus;
  pathRun: number;
  /** The open task of this participant that is due first. */
  nextTask: Pick<TaskSummary, 'id' | 'kind' | 'dueAt'> | null;
  lastContactAt: string | null;
}

export interface ParticipantFilter {
  phase?: Phase | undefined;
  coachId?: string | undefined;
  siteId?: string | undefined;
  /** Words that must all occur in the name. */
  search?: string | undefined;
  /** 1-based. */
  page?: number | undefined;
  pageSize?: number | undefined;
}

/** Which participants a person may list, with the filters they asked for; refuses what they may not see. */
function scope(user: SignedInUser, filter: ParticipantFilter): { siteId: string; coachId?: string } {
  if (user.role === 'coordinator') throw new ApiError('forbidden', 'Coördinatoren zien cijfers, geen deelnemerslijsten.');
  if (filter.siteId && filter.siteId !== user.siteId) throw new ApiError('forbidden', 'Je ziet alleen deelnemers van je eigen Stuyfplek.');
  if (user.role === 'coach') {
    if (filter.coachId && filter.coachId !== user.id) throw new ApiError('forbidden', 'Je ziet alleen de deelnemers die je zelf volgt.');
    return { siteId: user.siteId, coachId: user.id };
  }
  return { siteId: user.siteId, ...(filter.coachId ? { coachId: filter.coachId } : {}) };
}

/** Participants per page of the list; the API lets a client ask for up to 100. */
export const PARTICIPANTS_PAGE_SIZE = 25;

export interface ParticipantPage {
  participants: ParticipantSummary[];
  /** How many participants match the filter and the search, over all pages. */
  total: number;
  page: number;
  pageSize: number;
}

/**
 * A page of the participants a person may see, searched by name and paged in the database. The
 * search runs with the person's own token, so row-level security decides what it finds; the
 * details of that page (tasks, contacts) are then read for those participants only.
 */
export async function listParticipants(deps: ApiDeps, user: SignedInUser, filter: ParticipantFilter = {}): Promise<ParticipantPage> {
  const where = scope(user, filter);
  const page = Math.max(1, filter.page ?? 1);
  const pageSize = filter.pageSize ?? PARTICIPANTS_PAGE_SIZE;
  const asPerson = supabaseClient(deps.config.SUPABASE_URL, deps.config.SUPABASE_ANON_KEY, user.token);
  const search = {
    p_site: where.siteId,
    ...(where.coachId ? { p_coach: where.coachId } : {}),
    ...(filter.phase ? { p_phase: filter.phase } : {}),
    ...(filter.search ? { p_search: filter.search } : {}),
  };
  const found = await asPerson.rpc('list_participants', { ...search, p_limit: pageSize, p_offset: (page - 1) * pageSize });
  const participants = check(found, 'list participants');
  // Past the last page there is no row to carry the count: ask for the first one.
  const total =
    participants.length > 0 || page === 1
      ? Number(participants[0]?.total ?? 0)
      : Number(check(await asPerson.rpc('list_participants', { ...search, p_limit: 1, p_offset: 0 }), 'count participants')[0]?.total ?? 0);
  const { db } = deps;
  const ids = participants.map((p) => p.id);

  const paths = new Map<string, { phase: string; status: string; path_run: number }>(
    participants.filter((p) => p.phase !== null && p.status !== null && p.path_run !== null).map((p) => [p.id, { phase: p.phase!, status: p.status!, path_run: p.path_run! }]),
  );
  const nextTasks = new Map<string, ParticipantSummary['nextTask']>();
  const lastContact = new Map<string, string>();
  for (const part of chunks(ids)) {
    const [taskRows, contactRows] = await Promise.all([
      db.from('tasks').select('id, participant_id, kind, due_at').in('participant_id', part).eq('status', 'open').order('due_at', { ascending: true }),
      db
        .from('path_events')
        .select('participant_id, type, at, payload')
        .in('participant_id', part)
        .in('type', [...CONTACT_EVENTS]),
    ]);
    for (const row of check(taskRows, 'read tasks')) {
      if (!nextTasks.has(row.participant_id)) nextTasks.set(row.participant_id, { id: row.id, kind: row.kind as TaskKind, dueAt: row.due_at });
    }
    for (const row of check(contactRows, 'read contacts')) {
      const at = eventInstant(row.payload as PathEvent, row.at);
      const known = lastContact.get(row.participant_id);
      if (!known || at > known) lastContact.set(row.participant_id, at);
    }
  }

  const coaches = await profileNames(deps, user.siteId);
  // Just taken in: the worker has not written the path row yet, but the workflow knows.
  const fresh = new Map(
    await Promise.all(participants.filter((p) => !paths.has(p.id)).map(async (p) => [p.id, await readPath(deps, p.id).catch(() => null)] as const)),
  );
  const summaries: ParticipantSummary[] = [];
  for (const p of participants) {
    let path = paths.get(p.id);
    let contact = lastContact.get(p.id) ?? null;
    if (!path) {
      const view = fresh.get(p.id);
      if (!view) continue;
      path = { phase: view.phase, status: view.status, path_run: view.pathRun };
      contact = new Date(view.lastContactAt).toISOString();
    }
    summaries.push({
      id: p.id,
      firstName: p.first_name,
      lastName: p.last_name,
      siteId: p.site_id,
      coachId: p.coach_id,
      coachName: p.coach_id ? (coaches.get(p.coach_id) ?? null) : null,
      phase: path.phase as Phase,
      status: path.status as PathStatus,
      pathRun: path.path_run,
      nextTask: nextTasks.get(p.id) ?? null,
      lastContactAt: contact,
    });
  }
  return { participants: summaries, total, page, pageSize };
}

/** When an event happened: the instant it carries, or the moment it was recorded. */
export function eventInstant(event: PathEvent, recordedAt: string): string {
  const at = 'at' in event && typeof event.at === 'number' ? event.at : undefined;
  return at !== undefined ? new Date(at).toISOString() : new Date(recordedAt).toISOString();
}

/** Display names of the staff, coaches and coordinators of a site, by id. */
export async function profileNames(deps: ApiDeps, siteId: string): Promise<Map<string, string>> {
  const rows = check(await deps.db.from('profiles').select('id, display_name').eq('site_id', siteId), 'read profiles');
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

export async function coachesOfSite(deps: ApiDeps, siteId: string): Promise<Array<{ id: string; name: string }>> {
  const rows = check(
    await deps.db.from('profiles').select('id, display_name').eq('site_id', siteId).eq('role', 'coach').order('display_name'),
    'read coaches',
  );
  return rows.map((r) => ({ id: r.id, name: r.display_name }));
}

export interface HistoryEntry {
  key: string;
  type: PathEvent['type'];
  pathRun: number;
  at: string;
  event: PathEvent;
}

export interface Note {
  id: string;
  body: string;
  authorId: string | null;
  createdAt: string;
}

/** Everything that happened on a participant's paths, oldest first, from the database. */
export async function participantHistory(deps: ApiDeps, participantId: string): Promise<HistoryEntry[]> {
  const rows = check(
    await deps.db.from('path_events').select('key, type, path_run, at, payload').eq('participant_id', participantId).order('at', { ascending: true }),
    'read history',
  );
  return rows
    .map((r) => ({ key: r.key, type: r.type as PathEvent['type'], pathRun: r.path_run, at: eventInstant(r.payload as PathEvent, r.at), event: r.payload as PathEvent }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

export async function participantNotes(deps: ApiDeps, participantId: string): Promise<Note[]> {
  const rows = check(
    await deps.db.from('notes').select('id, body, author_id, created_at').eq('participant_id', participantId).order('created_at'),
    'read notes',
  );
  return rows.map((r) => ({ id: r.id, body: r.body, authorId: r.author_id, createdAt: r.created_at }));
}

export async function participantTasks(deps: ApiDeps, participantId: string): Promise<TaskSummary[]> {
  const rows = check(
    await deps.db.from('tasks').select('id, kind, due_at, status, participant_id, assignee_id').eq('participant_id', participantId).eq('status', 'open').order('due_at'),
    'read tasks',
  );
  return rows.map(taskSummary);
}

function taskSummary(r: { id: string; kind: string; due_at: string; status: string; participant_id: string; assignee_id: string | null }): TaskSummary {
  return { id: r.id, kind: r.kind as TaskKind, dueAt: r.due_at, status: r.status as TaskSummary['status'], participantId: r.participant_id, assigneeId: r.assignee_id };
}

export type TaskWindow = 'open' | 'due' | 'overdue';

export interface MyTask extends TaskSummary {
  participantName: string;
  /** Due before today, Brussels time. */
  overdue: boolean;
}

/** The start of today and of tomorrow in Brussels, as instants. */
function today(now: number): { start: number; end: number } {
  const date = toLocalDate(now);
  return { start: localTimeToInstant(date, 0), end: localTimeToInstant(addDays(date, 1), 0) };
}

/**
 * A person's open tasks: their own; staff also see the tasks of their site that nobody is
 * assigned to (a participant without a coach). `due` is everything due by the end of today,
 * `overdue` what was due before today.
 */
/**
 * Whose tasks: a coach their own; staff theirs and the unassigned ones, or — the desk's view of
 * the site's work — every open task of the site, or one coach's.
 */
export interface TaskScope {
  scope?: 'mine' | 'site';
  coachId?: string | undefined;
}

export async function myTasks(deps: ApiDeps, user: SignedInUser, when: TaskWindow, o: TaskScope = {}, now = Date.now()): Promise<MyTask[]> {
  const { start, end } = today(now);
  if (user.role === 'coach' && (o.scope === 'site' || (o.coachId && o.coachId !== user.id))) {
    throw new ApiError('forbidden', 'Je ziet alleen je eigen taken.');
  }
  let query = deps.db
    .from('tasks')
    .select('id, kind, due_at, status, participant_id, assignee_id, participants(first_name, last_name)')
    .eq('status', 'open')
    .order('due_at', { ascending: true });
  if (user.role !== 'staff') query = query.eq('assignee_id', user.id);
  else if (o.scope === 'site') query = o.coachId ? query.eq('site_id', user.siteId).eq('assignee_id', o.coachId) : query.eq('site_id', user.siteId);
  else query = query.eq('site_id', user.siteId).or(`assignee_id.eq.${user.id},assignee_id.is.null`);
  if (when === 'due') query = query.lt('due_at', new Date(end).toISOString());
  if (when === 'overdue') query = query.lt('due_at', new Date(start).toISOString());
  const rows = check(await query, 'read my tasks');
  return rows.map((r) => {
    const person = r.participants as { first_name: string | null; last_name: string | null } | null;
    return {
      ...taskSummary(r),
      participantName: [person?.first_name, person?.last_name].filter(Boolean).join(' ') || 'Deelnemer (gewist)',
      overdue: Date.parse(r.due_at) < start,
    };
  });
}

/** Marks a task done; the assignee may, and staff for their site. */
/** The path waits for the reconnect conversation of this run (aftercare, the task is out). */
async function awaitsReconnect(deps: ApiDeps, participantId: string, pathRun: number): Promise<boolean> {
  const view = await readPath(deps, participantId).catch((err: unknown) => {
    if (err instanceof ApiError && err.code === 'not_found') return null;
    throw err;
  });
  return view !== null && view.status === 'aftercare' && view.aftercare?.taskAt !== undefined && view.pathRun === pathRun;
}

export async function completeTask(deps: ApiDeps, user: SignedInUser, taskId: string): Promise<TaskSummary> {
  const { data, error } = await deps.db.from('tasks').select('id, kind, due_at, status, participant_id, assignee_id, site_id, path_run').eq('id', taskId).maybeSingle();
  if (error) throw new Error(`read task: ${error.message}`);
  if (!data) throw new ApiError('not_found', 'Deze taak bestaat niet.');
  const allowed = data.assignee_id === user.id || (user.role === 'staff' && data.site_id === user.siteId);
  if (!allowed) throw new ApiError('forbidden', 'Dit is niet jouw taak.');
  if (data.status === 'done') throw new ApiError('refused', 'Deze taak is al afgewerkt.');
  if (data.status !== 'open') throw new ApiError('refused', 'Deze taak is geannuleerd.');
  if (data.kind === 'aftercare_reconnect' && data.participant_id && (await awaitsReconnect(deps, data.participant_id, data.path_run))) {
    // The reconnect done is the reconnect conversation: the path records it and aftercare ends
    // ("reached"), once per task however often the button is pressed (one update id). A path
    // that is not waiting for it (closed, re-entered, forgotten) gets no made-up contact.
    await runAction(deps, data.participant_id, { type: 'logContact', input: { by: user.id, kind: 'conversation' } }, `task-done/${taskId}`).catch((err: unknown) => {
      if (!(err instanceof ApiError && (err.code === 'refused' || err.code === 'not_found'))) throw err;
    });
  }
  const result = await closeTask(deps.db, { taskId, by: user.id });
  // The path's record of the reconnect conversation already settled the task (just above).
  if (result.outcome === 'already_closed' && data.kind === 'aftercare_reconnect' && result.task.status === 'done') return taskSummary(result.task);
  if (result.outcome !== 'completed') throw new ApiError('refused', 'Deze taak is net al afgewerkt.');
  return taskSummary(result.task);
}

