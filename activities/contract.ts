import type { EmailRecipient, PathEvent } from '../domain/path-events.js';
import type { EmailTemplate, TaskKind } from '../domain/codes.js';

/**
 * What the path workflow asks of the outside world. Workflows import these types only; the
 * implementations (activities/index.ts) are built by a factory from injected clients.
 * Every call carries a key that is unique per workflow event: the implementations are
 * idempotent on it, so a retry returns the same row and never a second one.
 */

export interface RecordEventInput {
  key: string;
  participantId: string;
  siteId: string;
  pathRun: number;
  event: PathEvent;
}

export interface CreateTaskInput {
  key: string;
  participantId: string;
  siteId: string;
  pathRun: number;
  kind: TaskKind;
  dueAt: number;
  coachId: string | null;
  cause: string;
}

export interface SendEmailInput {
  key: string;
  template: EmailTemplate;
  recipient: EmailRecipient;
  params: Record<string, string | number>;
}

/**
 * 'queued': handed to the outbox, which sends it (or skips it for want of consent) in a batch.
 * 'sent' and 'skipped' are what workers before the outbox answered; old histories hold them.
 */
export type SendEmailResult =
  | { status: 'queued' }
  | { status: 'sent'; providerId: string }
  | { status: 'skipped'; reason: 'no_consent' | 'opted_out' | 'no_address' };

/** Records, tasks and emails of one or more workflow events, carried out in order in one activity. */
export interface RecordAllInput {
  participantId: string;
  siteId: string;
  effects: Array<
    | { type: 'record'; key: string; pathRun: number; event: PathEvent }
    | { type: 'task'; key: string; pathRun: number; kind: TaskKind; dueAt: number; coachId: string | null; cause: string }
    | ({ type: 'email' } & SendEmailInput)
  >;
}

export interface PathActivities {
  /** What the path workflow calls: one (local) activity for all the records, tasks and emails it has queued. */
  recordAll(input: RecordAllInput): Promise<void>;
  recordEvent(input: RecordEventInput): Promise<void>;
  createTask(input: CreateTaskInput): Promise<void>;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
  erasePersonalData(input: { participantId: string }): Promise<void>;
}

/** What one run of the email dispatcher's activity did. */
export interface DeliveryReport {
  batches: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Stopped for time with emails still queued: run again. */
  more: boolean;
}

export interface DispatchActivities {
  /** Sends queued emails in batches within the rate limit, until none is queued or `maxSeconds` have passed. */
  deliverQueuedEmails(input: { maxSeconds: number }): Promise<DeliveryReport>;
}

/** Open tasks of one assignee for the daily digest: counts only. */
export interface CoachDigest {
  coachId: string;
  /** Open tasks due on the day. */
  due: number;
  /** Open tasks due before the day. */
  overdue: number;
}

/** What the scheduled workflows (meet & greet, daily digest) read: ids and counts, never contact details. */
export interface ScheduleActivities {
  /**
   * Active and former participants who agreed to email and did not opt out. With the date (runs
   * since each site has its own meet & greet): each site's meet & greet moment is planned on it
   * and its invitees are invited to it (public.plan_meet_and_greets).
   */
  meetAndGreetInvitees(input?: { date: string }): Promise<string[]>;
  /**
   * Active and former participants of a site who agreed to email, did not opt out and were not
   * erased. With a planned moment, their invitations to it are recorded (for its register).
   */
  groupMomentInvitees(input: { siteId: string; momentId?: string; kind?: string }): Promise<string[]>;
  /** Per assignee with open tasks due on or before `date` (a local date, Europe/Brussels). */
  coachDigests(input: { date: string }): Promise<CoachDigest[]>;
}
