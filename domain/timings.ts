import type { CalendarSpan } from './calendar.js';

/**
 * Every wait of a growth path, with the domain's defaults (README, "Configuration"). The worker's
 * configuration fills these in (parsed by domain/timings-schema.ts); a path carries the timings
 * it was started with, so a running path never changes behaviour on replay. Plain TypeScript: the
 * workflow bundle imports this file, and zod is kept out of it (domain/action-spec.ts).
 */
export interface PathTimings {
  /** Length of a growth agreement (12 calendar months). */
  agreementLength: CalendarSpan;
  /** How long before the agreement's end the evaluation task and message come (default). */
  evaluationLead: CalendarSpan;
  /** During an agreement: a check-in task after this long without contact (default). */
  checkInAfter: CalendarSpan;
  /** In orientation: a reach-out task after this long without contact (default). */
  reachOutAfter: CalendarSpan;
  /** After a referral is introduced: a follow-up task for the coach (default). */
  referralFollowUpAfter: CalendarSpan;
  /** After outflow: the aftercare reconnect comes this long after the last contact. */
  aftercareAfter: CalendarSpan;
  /** After the reconnect task: how long the path waits for the conversation before closing as "not reached". */
  aftercareGrace: CalendarSpan;
  /** ESF+: after a leaving (outflow), the window in which its result counts; its task comes at the end while none is recorded. */
  esfResultWindow: CalendarSpan;
  /** ESF+: after a leaving, when the coach's follow-up task and the participant's question "werk je op dit moment?" come. */
  esfFollowUpAfter: CalendarSpan;
  /** Local hour (Europe/Brussels) at which timed tasks and messages come. */
  localHour: number;
}

export const DEFAULT_TIMINGS: PathTimings = {
  agreementLength: { months: 12 },
  evaluationLead: { months: 1 },
  checkInAfter: { weeks: 6 },
  reachOutAfter: { weeks: 4 },
  referralFollowUpAfter: { weeks: 2 },
  aftercareAfter: { months: 3 },
  aftercareGrace: { weeks: 4 },
  esfResultWindow: { days: 28 },
  esfFollowUpAfter: { months: 6 },
  localHour: 9,
};
