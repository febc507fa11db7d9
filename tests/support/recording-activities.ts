import type { CreateTaskInput, PathActivities, RecordEventInput, SendEmailInput } from '../../activities/contract.js';

/**
 * For workflow-rule tests on the time-skipping server: the activity boundary replaced by an
 * in-memory record that is idempotent on the key like the real one. The real activities have
 * their own tests against Postgres, PostgREST and the outbox.
 */
export function recordingActivities() {
  const events = new Map<string, RecordEventInput>();
  const tasks = new Map<string, CreateTaskInput>();
  const emails = new Map<string, SendEmailInput>();
  const calls = { recordEvent: 0, createTask: 0, sendEmail: 0, erasePersonalData: 0 };
  const activities: PathActivities = {
    async recordEvent(input) {
      calls.recordEvent += 1;
      if (!events.has(input.key)) events.set(input.key, input);
    },
    async createTask(input) {
      calls.createTask += 1;
      if (!tasks.has(input.key)) tasks.set(input.key, input);
    },
    async sendEmail(input) {
      calls.sendEmail += 1;
      if (!emails.has(input.key)) emails.set(input.key, input);
      return { status: 'sent', providerId: input.key };
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
    clear() {
      events.clear();
      tasks.clear();
      emails.clear();
    },
  };
}
