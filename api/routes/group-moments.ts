import { Hono } from 'hono';
import { z } from 'zod';
import { groupMomentInvitationSchema, groupMomentRegisterSchema, planGroupMomentSchema } from '../../domain/actions.js';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';
import { inviteToMoment, listMoments, planMoment, PLANNERS, readRegister, registerMoment, saveRegister } from '../group-moments.js';

/**
 * Group moments: staff and facilitators plan them and fill in their registers; staff invite the
 * participants of their site. The invitations attach to the planned moment of that kind and day
 * (planned then if it was not): its site, kind and date are also the invitation workflow's id,
 * so inviting twice to the same moment starts nothing new and sends nothing twice.
 */
export const groupMomentsApi = new Hono<AppEnv>();

async function jsonBody(c: { req: { json: () => Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ApiError('invalid_input', 'Ongeldige invoer: de body is geen JSON.', { _: 'geen geldige JSON' });
  }
}

function momentId(id: string): string {
  if (!z.guid().safeParse(id).success) throw new ApiError('not_found', 'Dit groepsmoment bestaat niet.');
  return id;
}

groupMomentsApi.post('/group-moments/invitations', requireRole('staff'), async (c) => {
  const parsed = groupMomentInvitationSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw invalidInput(parsed.error);
  const user = c.var.user!;
  const { deps } = c.var;
  const { moment } = await planMoment(deps, user, parsed.data);
  const workflowId = await inviteToMoment(deps, moment);
  return c.json({ workflowId, momentId: moment.id }, 202);
});

groupMomentsApi.get('/group-moments', requireRole('staff', 'facilitator', 'coach'), async (c) => c.json({ moments: await listMoments(c.var.deps, c.var.user!) }));

groupMomentsApi.post('/group-moments', requireRole(...PLANNERS), async (c) => {
  const parsed = planGroupMomentSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { moment, created } = await planMoment(c.var.deps, c.var.user!, parsed.data);
  return c.json({ moment, created }, created ? 201 : 200);
});

groupMomentsApi.get('/group-moments/:id/register', requireRole('staff', 'facilitator', 'coach'), async (c) => {
  const moment = await registerMoment(c.var.deps, c.var.user!, momentId(c.req.param('id')));
  return c.json(await readRegister(c.var.deps, c.var.user!, moment));
});

groupMomentsApi.post('/group-moments/:id/register', requireRole('staff', 'facilitator', 'coach'), async (c) => {
  const moment = await registerMoment(c.var.deps, c.var.user!, momentId(c.req.param('id')));
  const parsed = groupMomentRegisterSchema.safeParse(await jsonBody(c));
  if (!parsed.success) throw invalidInput(parsed.error);
  const { register, notCounted } = await saveRegister(c.var.deps, c.var.user!, moment, parsed.data);
  return c.json({ ...register, notCounted });
});
