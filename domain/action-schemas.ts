import type { z } from 'zod';
import {
  answerReferralSchema,
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
  resumeAgreementSchema,
  validateStepSchema,
  signAgreementSchema,
  signalCrisisSchema,
  updateReferralSchema,
} from './actions.js';
import type { Action, LinkAction } from './path-rules.js';

/** One schema per action type: the API parses requests with it, the workflow re-checks updates. */
export const actionSchemas = {
  signalCrisis: signalCrisisSchema,
  changePhase: changePhaseSchema,
  signAgreement: signAgreementSchema,
  renewAgreement: renewAgreementSchema,
  closeAgreement: closeAgreementSchema,
  resumeAgreement: resumeAgreementSchema,
  logContact: logContactSchema,
  logAttendance: logAttendanceSchema,
  registerStep: registerStepSchema,
  validateStep: validateStepSchema,
  referOut: referOutSchema,
  updateReferral: updateReferralSchema,
  outflow: outflowSchema,
  reenter: reenterSchema,
  assignCoach: assignCoachSchema,
  forget: forgetSchema,
} satisfies { [K in Action['type']]: z.ZodType };

/**
 * Updates that come through a signed link rather than from a coach — a partner's answer to a
 * referral, a participant confirming their agreement on their own page: the workflow registers
 * them like the coach actions, the coach's API and forms do not offer them.
 */
export const linkActionSchemas = {
  answerReferral: answerReferralSchema,
  confirmAgreement: confirmAgreementSchema,
} satisfies { [K in LinkAction['type']]: z.ZodType };
