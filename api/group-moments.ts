import { formatLocalDate, toLocalDate } from '../domain/calendar.js';
import type { GroupMomentRegister, PlanGroupMoment } from '../domain/actions.js';
import { PARTNERS, type GroupMomentKind, type Partner } from '../domain/codes.js';
import { ALREADY_COUNTED } from '../domain/path-rules.js';
import { supabaseClient } from '../infra/supabase/client.js';
import type { ApiDeps, SignedInUser } from './context.js';
import { ApiError } from './errors.js';
import { runAction } from './path-service.js';
import { signalDispatcher } from '../worker/email-dispatcher.js';
import { groupMomentWorkflowId, type groupMomentInvitations } from '../workflows/group-moment.js';

/**
 * Group moments as they happen: planning one (staff and facilitators), and its register — the
 * participants who came, counted on their paths once, and guests from partner organisations.
 *
 * Who: staff and facilitators of the site plan moments and fill in every register of the site; a
 * coach of the site named as a moment's facilitator fills in that moment's register. The names a
 * register shows come from public.group_moment_register, read with the person's own token, so
 * the database decides what they see (names, invited or not — never why).
 */

export interface GroupMoment {
  id: string;
  siteId: string;
  kind: GroupMomentKind;
  date: string;
  facilitatorId: string | null;
}

export interface RegisterLine {
  participantId: string;
  firstName: string;
  lastName: string;
  /** Invited to this moment (by staff, or after a crisis: the register never says why). */
  invited: boolean;
  /** On the register (came). */
  present: boolean;
  /** Counted on the path. */
  counted: boolean;
}

export interface Register {
  moment: GroupMoment;
  participants: RegisterLine[];
  guests: Array<{ partner: Partner; count: number }>;
}

/** The roles that plan moments. */
export const PLANNERS = ['staff', 'facilitator'] as const;

export function today(): string {
  return formatLocalDate(toLocalDate(Date.now()));
}

/** The update id of one participant's attendance at one moment: a retry is the same update. */
export function attendanceUpdateId(momentId: string, participantId: string): string {
  return `attendance/${momentId}/${participantId}`;
}

function toMoment(row: { id: string; site_id: string; kind: string; moment_date: string; facilitator_id: string | null }): GroupMoment {
  return { id: row.id, siteId: row.site_id, kind: row.kind as GroupMomentKind, date: row.moment_date, facilitatorId: row.facilitator_id };
}

/** Plans a moment at the person's site (once per kind and day); a connectors table picks up the invitations waiting for it. */
export async function planMoment(deps: ApiDeps, user: SignedInUser, input: PlanGroupMoment): Promise<{ moment: GroupMoment; created: boolean }> {
  const facilitatorId = input.facilitatorId ?? user.id;
  if (input.facilitatorId) {
    const { data } = await deps.db.from('profiles').select('id').eq('id', input.facilitatorId).eq('site_id', user.siteId).in('role', ['staff', 'coach', 'facilitator']).maybeSingle();
    if (!data) throw new ApiError('invalid_input', 'Ongeldige invoer: facilitatorId (geen begeleider van deze Stuyfplek)', { facilitatorId: 'geen begeleider van deze Stuyfplek' });
  }
  const { data, error } = await deps.db.rpc('plan_group_moment', {
    p_site: user.siteId,
    p_kind: input.kind,
    p_date: input.date,
    p_facilitator: facilitatorId,
    p_created_by: user.id,
    p_today: today(),
  });
  if (error) throw new Error(`plan group moment: ${error.message}`);
  const planned = data[0]!;
  // Invitations that waited for this connectors table have their emails queued: wake the sender.
  if (planned.attached > 0) {
    await signalDispatcher(deps.temporal, deps.config);
  }
  return { moment: await momentById(deps, planned.id), created: planned.created };
}

async function momentById(deps: ApiDeps, id: string): Promise<GroupMoment> {
  const { data, error } = await deps.db.from('group_moments').select('id, site_id, kind, moment_date, facilitator_id').eq('id', id).maybeSingle();
  if (error) throw new Error(`read group moment: ${error.message}`);
  if (!data) throw new ApiError('not_found', 'Dit groepsmoment bestaat niet.');
  return toMoment(data);
}

/** The moments of the person's site from a month ago on, the first first. */
export async function listMoments(deps: ApiDeps, user: SignedInUser): Promise<GroupMoment[]> {
  const since = formatLocalDate(toLocalDate(Date.now() - 31 * 24 * 3600_000));
  const { data, error } = await deps.db
    .from('group_moments')
    .select('id, site_id, kind, moment_date, facilitator_id')
    .eq('site_id', user.siteId)
    .gte('moment_date', since)
    .order('moment_date')
    .order('kind');
  if (error) throw new Error(`list group moments: ${error.message}`);
  return data.map(toMoment);
}

/** A moment the person may fill in the register of; another site's is not found (it says nothing about it). */
export async function registerMoment(deps: ApiDeps, user: SignedInUser, id: string): Promise<GroupMoment> {
  const moment = await momentById(deps, id);
  if (moment.siteId !== user.siteId) throw new ApiError('not_found', 'Dit groepsmoment bestaat niet.');
  const allowed = user.role === 'staff' || user.role === 'facilitator' || (user.role === 'coach' && moment.facilitatorId === user.id);
  if (!allowed) throw new ApiError('forbidden', 'Alleen de begeleider van dit groepsmoment of het onthaal vult de aanwezigheden in.');
  return moment;
}

export async function readRegister(deps: ApiDeps, user: SignedInUser, moment: GroupMoment): Promise<Register> {
  const asPerson = supabaseClient(deps.config.SUPABASE_URL, deps.config.SUPABASE_ANON_KEY, user.token);
  const [lines, guests] = await Promise.all([
    asPerson.rpc('group_moment_register', { p_moment: moment.id }),
    deps.db.from('group_moment_guests').select('partner, guests').eq('moment_id', moment.id),
  ]);
  if (lines.error) throw new Error(`read register: ${lines.error.message}`);
  if (guests.error) throw new Error(`read guests: ${guests.error.message}`);
  return {
    moment,
    participants: lines.data.map((l) => ({
      participantId: l.participant_id,
      firstName: l.first_name ?? '',
      lastName: l.last_name ?? '',
      invited: l.invited,
      present: l.present,
      counted: l.counted,
    })),
    guests: guests.data
      .map((g) => ({ partner: g.partner as Partner, count: g.guests }))
      .sort((a, b) => PARTNERS.indexOf(a.partner) - PARTNERS.indexOf(b.partner)),
  };
}

/**
 * Saves the register: adds the participants who came and counts each on their path once, and
 * sets the number of guests per partner (0 clears it). The register only adds people: someone
 * counted on their path stays counted. Sent twice, or again after a crash half-way, it counts
 * nobody twice: the rows are "insert or keep", each path update has an id per moment and
 * participant, and a path refuses a second attendance for the same moment (ALREADY_COUNTED),
 * which counts as done here. Returns the people whose path did not take it (with the reason).
 */
export async function saveRegister(deps: ApiDeps, user: SignedInUser, moment: GroupMoment, input: GroupMomentRegister): Promise<{ register: Register; notCounted: Array<{ participantId: string; reason: string }> }> {
  const before = await readRegister(deps, user, moment);
  const known = new Set(before.participants.map((p) => p.participantId));
  const unknown = input.present.find((id) => !known.has(id));
  if (unknown) throw new ApiError('invalid_input', 'Ongeldige invoer: present (iemand die niet op dit groepsmoment verwacht wordt)', { present: 'iemand die niet op dit groepsmoment verwacht wordt' });
  const partners = input.guests.map((g) => g.partner);
  if (new Set(partners).size !== partners.length) throw new ApiError('invalid_input', 'Ongeldige invoer: guests (een partner staat er twee keer in)', { guests: 'een partner staat er twee keer in' });

  const { db } = deps;
  const present = [...new Set(input.present)];
  if (present.length > 0) {
    const rows = present.map((participantId) => ({ moment_id: moment.id, participant_id: participantId, site_id: moment.siteId, registered_by: user.id }));
    const { error } = await db.from('group_moment_attendance').upsert(rows, { onConflict: 'moment_id,participant_id', ignoreDuplicates: true });
    if (error) throw new Error(`save register: ${error.message}`);
  }
  const counts = input.guests.filter((g) => g.count > 0);
  const cleared = input.guests.filter((g) => g.count === 0).map((g) => g.partner);
  if (counts.length > 0) {
    const { error } = await db
      .from('group_moment_guests')
      .upsert(counts.map((g) => ({ moment_id: moment.id, partner: g.partner, guests: g.count, site_id: moment.siteId, updated_by: user.id, updated_at: new Date().toISOString() })), { onConflict: 'moment_id,partner' });
    if (error) throw new Error(`save guests: ${error.message}`);
  }
  if (cleared.length > 0) {
    const { error } = await db.from('group_moment_guests').delete().eq('moment_id', moment.id).in('partner', cleared);
    if (error) throw new Error(`clear guests: ${error.message}`);
  }

  // Everyone on the register not yet counted: the new ones, and any a crash left half-way.
  const { data: waiting, error } = await db.from('group_moment_attendance').select('participant_id').eq('moment_id', moment.id).is('counted_at', null);
  if (error) throw new Error(`read register: ${error.message}`);
  const notCounted: Array<{ participantId: string; reason: string }> = [];
  const count = async (participantId: string) => {
    try {
      await runAction(
        deps,
        participantId,
        { type: 'logAttendance', input: { by: user.id, kind: moment.kind, date: moment.date, momentId: moment.id } },
        attendanceUpdateId(moment.id, participantId),
      );
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'refused' && err.message === ALREADY_COUNTED)) {
        if (err instanceof ApiError && (err.code === 'refused' || err.code === 'not_found')) {
          notCounted.push({ participantId, reason: err.message });
          return;
        }
        throw err;
      }
    }
    const { error: marked } = await db
      .from('group_moment_attendance')
      .update({ counted_at: new Date().toISOString() })
      .eq('moment_id', moment.id)
      .eq('participant_id', participantId)
      .is('counted_at', null);
    if (marked) throw new Error(`mark counted: ${marked.message}`);
  };
  const ids = waiting.map((w) => w.participant_id);
  for (let i = 0; i < ids.length; i += 5) await Promise.all(ids.slice(i, i + 5).map(count));
  return { register: await readRegister(deps, user, moment), notCounted };
}

/**
 * Invites the participants of the moment's site — active and former, with consent — to it by
 * email (workflows/group-moment.ts); their invitations attach to the moment. The moment is the
 * workflow id, so inviting twice sends nothing twice.
 */
export async function inviteToMoment(deps: ApiDeps, moment: GroupMoment): Promise<string> {
  const input = { siteId: moment.siteId, kind: moment.kind, date: moment.date, momentId: moment.id };
  const workflowId = groupMomentWorkflowId(input);
  await deps.temporal.workflow
    .start<typeof groupMomentInvitations>('groupMomentInvitations', {
      workflowId,
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
    })
    .catch((err: unknown) => {
      // Already sent for this moment (the earlier run completed): nothing to do.
      if ((err as { name?: string }).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    });
  return workflowId;
}
