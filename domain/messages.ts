import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AnswerReferral,
  AssignCoach,
  ChangePhase,
  CloseAgreement,
  ConfirmAgreement,
  Forget,
  LogAttendance,
  LogContact,
  Outflow,
  Reenter,
  ReferOut,
  RegisterStep,
  RenewAgreement,
  ResumeAgreement,
  ValidateStep,
  SignAgreement,
  SignalCrisis,
  UpdateReferral,
} from './actions.js';
import type { PathView } from './path-state.js';
import type { Action, LinkAction } from './path-rules.js';

/**
 * The path workflow's messages, importable by the API without importing workflow code.
 * Every coach action is an Update: its validator refuses impossible actions with a reason the
 * form can show at once, and it returns the path as it is afterwards.
 */

export const TASK_QUEUE = 'groeipad-paths';
export const WORKFLOW_TYPE = 'participantPath';

export function pathWorkflowId(participantId: string): string {
  return `path-${participantId}`;
}

export const pathQuery = defineQuery<PathView>('path');

export const pathUpdates = {
  signalCrisis: defineUpdate<PathView, [SignalCrisis]>('signalCrisis'),
  changePhase: defineUpdate<PathView, [ChangePhase]>('changePhase'),
  signAgreement: defineUpdate<PathView, [SignAgreement]>('signAgreement'),
  renewAgreement: defineUpdate<PathView, [RenewAgreement]>('renewAgreement'),
  closeAgreement: defineUpdate<PathView, [CloseAgreement]>('closeAgreement'),
  resumeAgreement: defineUpdate<PathView, [ResumeAgreement]>('resumeAgreement'),
  logContact: defineUpdate<PathView, [LogContact]>('logContact'),
  logAttendance: defineUpdate<PathView, [LogAttendance]>('logAttendance'),
  registerStep: defineUpdate<PathView, [RegisterStep]>('registerStep'),
  validateStep: defineUpdate<PathView, [ValidateStep]>('validateStep'),
  referOut: defineUpdate<PathView, [ReferOut]>('referOut'),
  updateReferral: defineUpdate<PathView, [UpdateReferral]>('updateReferral'),
  outflow: defineUpdate<PathView, [Outflow]>('outflow'),
  reenter: defineUpdate<PathView, [Reenter]>('reenter'),
  assignCoach: defineUpdate<PathView, [AssignCoach]>('assignCoach'),
  forget: defineUpdate<PathView, [Forget]>('forget'),
} satisfies { [K in Action['type']]: unknown };


/** Updates sent through a signed link (domain/action-schemas.ts linkActionSchemas), not by a coach. */
export const linkUpdates = {
  answerReferral: defineUpdate<PathView, [AnswerReferral]>('answerReferral'),
  confirmAgreement: defineUpdate<PathView, [ConfirmAgreement]>('confirmAgreement'),
} satisfies { [K in LinkAction['type']]: unknown };

/** Every update a path takes, a coach's or through a link: what the workflow registers. */
export const allPathUpdates = { ...pathUpdates, ...linkUpdates };
export type PathActionType = keyof typeof allPathUpdates;

/** A partner's answer is one update per link: the same form sent twice is deduplicated by Temporal. */
export function referralAnswerUpdateId(linkId: string): string {
  return `answer-referral/${linkId}`;
}

/**
 * The email dispatcher: one per task queue, so one sender keeps to the provider's rate limit.
 * An activity that queued an email signals it (starting it when it is not running).
 */
export const EMAIL_DISPATCHER_TYPE = 'emailDispatcher';
export const emailsQueued = defineSignal('emailsQueued');

export function emailDispatcherId(taskQueue: string): string {
  return `email-dispatcher-${taskQueue}`;
}
