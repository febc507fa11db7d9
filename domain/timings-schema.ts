import { z } from 'zod';
import { DEFAULT_TIMINGS, type PathTimings } from './timings.js';

/** The configuration's timings (infra/config.ts), with the defaults of domain/timings.ts. */
export const calendarSpanSchema = z
  .object({
    months: z.number().int().min(0).optional(),
    weeks: z.number().int().min(0).optional(),
    days: z.number().int().min(0).optional(),
  })
  .refine((s) => (s.months ?? 0) + (s.weeks ?? 0) + (s.days ?? 0) > 0, 'a span must not be empty');

const span = (fallback: PathTimings[keyof Omit<PathTimings, 'localHour'>]) => calendarSpanSchema.default(fallback);

export const pathTimingsSchema = z.object({
  agreementLength: span(DEFAULT_TIMINGS.agreementLength),
  evaluationLead: span(DEFAULT_TIMINGS.evaluationLead),
  checkInAfter: span(DEFAULT_TIMINGS.checkInAfter),
  reachOutAfter: span(DEFAULT_TIMINGS.reachOutAfter),
  referralFollowUpAfter: span(DEFAULT_TIMINGS.referralFollowUpAfter),
  aftercareAfter: span(DEFAULT_TIMINGS.aftercareAfter),
  aftercareGrace: span(DEFAULT_TIMINGS.aftercareGrace),
  esfResultWindow: span(DEFAULT_TIMINGS.esfResultWindow),
  esfFollowUpAfter: span(DEFAULT_TIMINGS.esfFollowUpAfter),
  localHour: z.number().int().min(0).max(23).default(DEFAULT_TIMINGS.localHour),
}) satisfies z.ZodType<PathTimings>;
