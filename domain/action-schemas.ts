import type { z } from 'zod';
import {
  assignCoachSchema,
  changePhaseSchema,
  closeAgreementSchema,
  confirmAgreementSchema,
  forgetSchema,
  logAttendanceSchema,
  logContactSchema,
  outflowSchema,
  reenterSchema,
  referOutSchema,
  registerStepSchema,
  renewAgreementSchema,
  signAgreementSchema,
  signalCrisisSchema,
  updateReferralSchema,
} from './actions.js';
import type { Action } from './path-rules.js';

/** One schema per action type: the API parses requests with it, the workflow re-checks updates. */
export const actionSchemas = {
  signalCrisis: signalCrisisSchema,
  changePhase: changePhaseSchema,
  signAgreement: signAgreementSchema,
  renewAgreement: renewAgreementSchema,
  closeAgreement: closeAgreementSchema,
  logContact: logContactSchema,
  logAttendance: logAttendanceSchema,
  registerStep: registerStepSchema,
  referOut: referOutSchema,
  updateReferral: updateReferralSchema,
  outflow: outflowSchema,
  reenter: reenterSchema,
  assignCoach: assignCoachSchema,
  forget: forgetSchema,
  confirmAgreement: confirmAgreementSchema,
} satisfies { [K in Action['type']]: z.ZodType };

/**
 * Actions the participant takes themselves, on their own page; never a coach's action (no form,
 * no API route for staff). Everything else in `actionSchemas` is a coach or staff action.
 */
export const PARTICIPANT_ACTIONS = ['confirmAgreement'] as const satisfies ReadonlyArray<Action['type']>;
export type ParticipantActionType = (typeof PARTICIPANT_ACTIONS)[number];
export type CoachActionType = Exclude<Action['type'], ParticipantActionType>;

export function isParticipantAction(type: string): type is ParticipantActionType {
  return (PARTICIPANT_ACTIONS as readonly string[]).includes(type);
}
