import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { COACH_ACTION_TYPES, LINK_ACTION_TYPES, type ActionInput, type PathActionType } from './action-spec.js';
import type { PathView } from './path-state.js';

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

type Updates<K extends PathActionType> = { [T in K]: UpdateDefinition<PathView, [ActionInput<T>], T> };
/** One update per action of domain/action-spec.ts, named as the action. */
const updatesFor = <K extends PathActionType>(types: readonly K[]) => Object.fromEntries(types.map((type) => [type, defineUpdate(type)])) as unknown as Updates<K>;

/** A coach's or staff member's actions. */
export const pathUpdates = updatesFor(COACH_ACTION_TYPES);

/** Updates sent through a signed link (a partner's answer, a participant's confirmation), not by a coach. */
export const linkUpdates = updatesFor(LINK_ACTION_TYPES);

/** Every update a path takes, a coach's or through a link: what the workflow registers. */
export const allPathUpdates = { ...pathUpdates, ...linkUpdates };
export type { PathActionType };

/** A partner's answer is one update per link: the same form sent twice is deduplicated by Temporal. */
export function referralAnswerUpdateId(linkId: string): string {
  return `answer-referral/${linkId}`;
}

/**
 * The email dispatcher: one per deployment (its id is derived from the path task queue), so one
 * sender keeps to the provider's rate limit. It runs on its own task queue; whoever queued an
 * email signals it (starting it when it is not running) and says which queue it belongs on, so a
 * dispatcher that still runs on the path queue (started before it had its own) moves there.
 */
export const EMAIL_DISPATCHER_TYPE = 'emailDispatcher';
export interface EmailsQueued {
  /** The task queue the dispatcher belongs on; signals sent before it had its own carry nothing. */
  taskQueue?: string;
}
export const emailsQueued = defineSignal<[EmailsQueued?]>('emailsQueued');

export function emailDispatcherId(pathTaskQueue: string): string {
  return `email-dispatcher-${pathTaskQueue}`;
}
