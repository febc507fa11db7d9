import type { z } from 'zod';
import {
  assignCoachSchema,
  changePhaseSchema,
  closeAgreementSchema,
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
} satisfies { [K in Action['type']]: z.ZodType };
