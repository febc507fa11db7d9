import { Hono } from 'hono';
import { isGuid } from '../../domain/action-spec.js';
import { esfAnswersIn } from '../../domain/actions.js';
import { participantFor } from '../access.js';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';
import { correctEntry, entryView } from '../esf-entry.js';
import { esfEntryRequestSchema } from '../requests.js';
import { jsonBody } from './participants.js';

/**
 * The ESF+ entry record of a participant (README, "Entry snapshot"): read it, complete or correct
 * it (a new version). Staff of the site and the participant's coach; the special-category
 * answers only for the coach.
 */
export const esfEntryApi = new Hono<AppEnv>();

esfEntryApi.get('/participants/:id/esf-entry', requireRole('staff', 'coach'), async (c) => {
  const id = c.req.param('id');
  if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const participant = await participantFor(c.var.deps, c.var.user!, id);
  return c.json(await entryView(c.var.deps, c.var.user!, participant));
});

esfEntryApi.post('/participants/:id/esf-entry', requireRole('staff', 'coach'), async (c) => {
  const parsed = esfEntryRequestSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw invalidInput(parsed.error);
  const id = c.req.param('id');
  if (!isGuid(id)) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const user = c.var.user!;
  const participant = await participantFor(c.var.deps, user, id);
  const recorded = await correctEntry(c.var.deps, user, participant, { answers: esfAnswersIn(parsed.data), reason: parsed.data.reason });
  return c.json(recorded, 201);
});
