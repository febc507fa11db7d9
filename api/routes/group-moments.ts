import { Hono } from 'hono';
import { groupMomentInvitationSchema } from '../../domain/actions.js';
import { groupMomentWorkflowId, type groupMomentInvitations } from '../../workflows/group-moment.js';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';

/**
 * Staff invite the participants of their site to a group moment. The moment (site, kind, date)
 * is the workflow id: inviting twice to the same moment starts nothing new and sends nothing twice.
 */
export const groupMomentsApi = new Hono<AppEnv>();

groupMomentsApi.post('/group-moments/invitations', requireRole('staff'), async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError('invalid_input', 'Ongeldige invoer: de body is geen JSON.', { _: 'geen geldige JSON' });
  }
  const parsed = groupMomentInvitationSchema.safeParse(body);
  if (!parsed.success) throw invalidInput(parsed.error);
  const input = { siteId: c.var.user!.siteId, ...parsed.data };
  const { temporal, config } = c.var.deps;
  const workflowId = groupMomentWorkflowId(input);
  await temporal.workflow.start<typeof groupMomentInvitations>('groupMomentInvitations', {
    workflowId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [input],
  }).catch((err: unknown) => {
    // Already sent for this moment (the earlier run completed): nothing to do.
    if ((err as { name?: string }).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  });
  return c.json({ workflowId }, 202);
});
