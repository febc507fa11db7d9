import { Hono } from 'hono';
import { isGuid } from '../../domain/action-spec.js';
import { requireRole } from '../auth.js';
import type { AppEnv } from '../context.js';
import { ApiError, invalidInput } from '../errors.js';
import { completeTask, myTasks } from '../queries.js';
import { tasksQuerySchema } from '../requests.js';

/** My tasks (open, due today or overdue), for staff also the site's, and completing one. */
export const tasksApi = new Hono<AppEnv>();

tasksApi.get('/tasks', requireRole('staff', 'coach'), async (c) => {
  const parsed = tasksQuerySchema.safeParse(c.req.query());
  if (!parsed.success) throw invalidInput(parsed.error);
  const { when, scope, coach } = parsed.data;
  const tasks = await myTasks(c.var.deps, c.var.user!, when, { scope, coachId: coach });
  return c.json({ tasks });
});

tasksApi.post('/tasks/:id/complete', requireRole('staff', 'coach'), async (c) => {
  const id = c.req.param('id');
  if (!isGuid(id)) throw new ApiError('not_found', 'Deze taak bestaat niet.');
  const task = await completeTask(c.var.deps, c.var.user!, id);
  return c.json({ task });
});
