import type { CreateTaskInput, PathActivities, RecordEventInput, SendEmailInput } from '../../activities/contract.js';

/**
 * For workflow-rule tests on the time-skipping server: the activity boundary replaced by an
 * in-memory record that is idempotent on the key like the real one. The real activities have
 * their own tests against Postgres, PostgREST and the outbox.
 */
export function recordingActivities() {
  /** Keys under which two different effects were written: each is a bug (the database keeps the first). */
  const collisions: string[] = [];
  const once = <T,>(map: Map<string, T>, key: string, value: T): void => {
    const earlier = map.get(key);
    if (earlier === undefined) map.set(key, value);
    else if (JSON.stringify(earlier) !== JSON.stringify(value)) collisions.push(key);
  };
  const events = new Map<string, RecordEventInput>();
  const tasks = new Map<string, CreateTaskInput>();
  const emails = new Map<string, SendEmailInput>();
  const calls = { recordAll: 0, recordEvent: 0, createTask: 0, sendEmail: 0, erasePersonalData: 0 };
  const activities: PathActivities = {
    async recordAll(input) {
      calls.recordAll += 1;
      for (const effect of input.effects) {
        const where = { participantId: input.participantId, siteId: input.siteId };
        if (effect.type === 'record') {
          once(events, effect.key, { key: effect.key, pathRun: effect.pathRun, event: effect.event, ...where });
        } else if (effect.type === 'email') {
          const { type: _type, ...email } = effect;
          once(emails, effect.key, email);
        } else {
          const { type: _type, ...task } = effect;
          once(tasks, effect.key, { ...task, ...where });
        }
      }
    },
    async recordEvent(input) {
      calls.recordEvent += 1;
      once(events, input.key, input);
    },
    async createTask(input) {
      calls.createTask += 1;
      once(tasks, input.key, input);
    },
    async sendEmail(input) {
      calls.sendEmail += 1;
      once(emails, input.key, input);
      return { status: 'queued' };
    },
    async erasePersonalData() {
      calls.erasePersonalData += 1;
    },
  };
  return {
    activities,
    calls,
    events: () => [...events.values()],
    tasks: () => [...tasks.values()],
    emails: () => [...emails.values()],
    collisions: () => [...collisions],
    clear() {
      events.clear();
      tasks.clear();
      emails.clear();
    },
  };
}
