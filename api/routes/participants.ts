import { Hono } from 'hono';
import { actionSchemas } from '../../domain/action-schemas.js';
import { intakeSchema } from '../../domain/actions.js';
import type { Action } from '../../domain/path-rules.js';
import { participantFor } from '../access.js';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';
import { intake, readPath, runAction } from '../path-service.js';

/** Intake, the participant's path, and one endpoint per coach action. */
export const participantsApi = new Hono<AppEnv>();

async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError('invalid_input', 'Ongeldige invoer: de body is geen JSON.', { _: 'geen geldige JSON' });
  }
}

participantsApi.post('/intakes', requireRole('staff'), async (c) => {
  const parsed = intakeSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw invalidInput(parsed.error);
  const user = c.var.user!;
  if (parsed.data.siteId !== user.siteId) throw new ApiError('forbidden', 'Je kan alleen deelnemers van je eigen Stuyfplek inschrijven.');
  const result = await intake(c.var.deps, parsed.data);
  return c.json(result, result.created ? 201 : 200);
});

participantsApi.get('/participants/:id', requireRole('staff', 'coach'), async (c) => {
  const participant = await participantFor(c.var.deps, c.var.user!, c.req.param('id'));
  const path = await readPath(c.var.deps, participant.id);
  return c.json({ participant, path });
});

participantsApi.post('/participants/:id/actions/:type', requireRole('staff', 'coach'), async (c) => {
  const type = c.req.param('type');
  if (!(type in actionSchemas)) throw new ApiError('not_found', `Onbekende actie: ${type}`);
  const schema = actionSchemas[type as Action['type']];
  const body = await jsonBody(c);
  const user = c.var.user!;
  const parsed = schema.safeParse({ ...(body as object), by: user.id });
  if (!parsed.success) throw invalidInput(parsed.error);
  const participant = await participantFor(c.var.deps, user, c.req.param('id'));
  const path = await runAction(c.var.deps, participant.id, { type, input: parsed.data } as Action);
  return c.json({ path });
});
