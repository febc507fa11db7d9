import { z } from 'zod';

/**
 * Every wait of a growth path, with the domain's defaults (README, "Configuration"). The worker's
 * configuration fills these in; a path carries the timings it was started with, so a running
 * path never changes behaviour on replay.
 */
export const calendarSpanSchema = z
  .object({
    months: z.number().int().min(0).optional(),
    weeks: z.number().int().min(0).optional(),
    days: z.number().int().min(0).optional(),
  })
  .refine((s) => (s.months ?? 0) + (s.weeks ?? 0) + (s.days ?? 0) > 0, 'a span must not be empty');

export const pathTimingsSchema = z.object({
  /** Length of a growth agreement (12 calendar months). */
  agreementLength: calendarSpanSchema.default({ months: 12 }),
  /** How long before the agreement's end the evaluation task and message come (default). */
  evaluationLead: calendarSpanSchema.default({ months: 1 }),
  /** During an agreement: a check-in task after this long without contact (default). */
  checkInAfter: calendarSpanSchema.default({ weeks: 6 }),
  /** In orientation: a reach-out task after this long without contact (default). */
  reachOutAfter: calendarSpanSchema.default({ weeks: 4 }),
  /** After a referral is introduced: a follow-up task for the coach (default). */
  referralFollowUpAfter: calendarSpanSchema.default({ weeks: 2 }),
  /** After outflow: the aftercare reconnect comes this long after the last contact. */
  aftercareAfter: calendarSpanSchema.default({ months: 3 }),
  /** After the reconnect task: how long the path waits for the conversation before closing as "not reached". */
  aftercareGrace: calendarSpanSchema.default({ weeks: 4 }),
  /** Local hour (Europe/Brussels) at which timed tasks and messages come. */
  localHour: z.number().int().min(0).max(23).default(9),
});

export type PathTimings = z.infer<typeof pathTimingsSchema>;
export const DEFAULT_TIMINGS: PathTimings = pathTimingsSchema.parse({});
