import { Hono } from 'hono';
import { z } from 'zod';
import { isGuid } from '../../domain/action-spec.js';
import { participantAccessFor, participantFor } from '../access.js';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';
import { intake, readPath, runActionWithNote } from '../path-service.js';
import { listParticipants, participantHistory, participantNotes, participantTasks } from '../queries.js';
import { actionRequestSchemas, intakeRequestSchema, isActionType, participantsQuerySchema } from '../requests.js';

/** Intake, the participant list and detail, and one endpoint per coach action. */
export const participantsApi = new Hono<AppEnv>();

export async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError('invalid_input', 'Ongeldige invoer: de body is geen JSON.', { _: 'geen geldige JSON' });
  }
}

const idempotencyKey = z.string().trim().min(1).max(255);

participantsApi.post('/intakes', requireRole('staff'), async (c) => {
  const parsed = intakeRequestSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw invalidInput(parsed.error);
  const user = c.var.user!;
  if (parsed.data.siteId !== user.siteId) throw new ApiError('forbidden', 'Je kan alleen deelnemers van je eigen Stuyfplek inschrijven.');
  const key = idempotencyKeyOf(c.req.header('idempotency-key'));
  const result = await intake(c.var.deps, parsed.data, { by: user.id, ...(key ? { idempotency: { userId: user.id, key } } : {}) });
  return c.json(result, result.created ? 201 : 200);
});

function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const checked = idempotencyKey.safeParse(header);
  if (!checked.success) throw new ApiError('invalid_input', 'Ongeldige Idempotency-Key (1 tot 255 tekens).', { 'Idempotency-Key': '1 tot 255 tekens' });
  return checked.data;
}

participantsApi.get('/participants', requireRole('staff', 'coach'), async (c) => {
  const parsed = participantsQuerySchema.safeParse(c.req.query());
  if (!parsed.success) throw invalidInput(parsed.error);
  const { phase, coach, site, q, page, pageSize } = parsed.data;
  return c.json(await listParticipants(c.var.deps, c.var.user!, { phase, coachId: coach, siteId: site, search: q, page, pageSize }));
});

participantsApi.get('/participants/:id', requireRole('staff', 'coach'), async (c) => {
  const id = c.req.param('id');
  if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const participant = await participantFor(c.var.deps, c.var.user!, id);
  const [path, history, notes, tasks] = await Promise.all([
    readPath(c.var.deps, participant.id),
    participantHistory(c.var.deps, participant.id),
    participantNotes(c.var.deps, participant.id),
    participantTasks(c.var.deps, participant.id),
  ]);
  return c.json({ participant, path, history, notes, tasks });
});

participantsApi.post('/participants/:id/actions/:type', requireRole('staff', 'coach'), async (c) => {
  const type = c.req.param('type');
  if (!isActionType(type)) throw new ApiError('not_found', `Onbekende actie: ${type}`);
  const body = await jsonBody(c);
  const parsed = actionRequestSchemas[type].safeParse(body);
  if (!parsed.success) throw invalidInput(parsed.error);
  const id = c.req.param('id');
  if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const user = c.var.user!;
  const participant = await participantAccessFor(c.var.deps, user, id);
  const { note, ...input } = parsed.data as { note?: string };
  await checkActionTargets(c.var.deps, participant.site_id, type, input);
  // With an Idempotency-Key a retried request is the same update, never a second contact or step.
  const key = idempotencyKeyOf(c.req.header('idempotency-key'));
  const path = await runActionWithNote(c.var.deps, user, participant, type, input, note || undefined, key ? `${user.id}/${type}/${key}` : undefined);
  return c.json({ path });
});

/** Ids in an action that must point at something real at the participant's site. */
export async function checkActionTargets(deps: AppEnv['Variables']['deps'], siteId: string, type: string, input: Record<string, unknown>): Promise<void> {
  if (type === 'assignCoach' && typeof input.coachId === 'string') {
    const { data } = await deps.db.from('profiles').select('id').eq('id', input.coachId).eq('role', 'coach').eq('site_id', siteId).maybeSingle();
    if (!data) throw new ApiError('invalid_input', 'Ongeldige invoer: coachId (geen coach van deze Stuyfplek)', { coachId: 'geen coach van deze Stuyfplek' });
  }
}
