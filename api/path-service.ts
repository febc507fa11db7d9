import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { actionSchemas, esfAnswersIn, type Intake } from '../domain/actions.js';
import { allPathUpdates, pathQuery, pathUpdates, pathWorkflowId, WORKFLOW_TYPE } from '../domain/messages.js';
import type { PathView } from '../domain/path-state.js';
import { CLOSED_FOR_GOOD, type Action, type PathAction } from '../domain/path-rules.js';
import type { participantPath } from '../workflows/participant-path.js';
import { ApiError, invalidInput } from './errors.js';
import type { ApiDeps, SignedInUser } from './context.js';
import { recordEntryAtIntake } from './esf-entry.js';
import { noteField, type ActionType } from './requests.js';

/**
 * The API's side of a path: intake (participant row + workflow), reading the path, and coach
 * actions as Temporal updates. Refusals from the workflow's validators become 409s.
 */

/** The same person at a repeated intake: normalised name and birth date, hashed. */
export function identityKey(intake: Pick<Intake, 'firstName' | 'lastName' | 'birthDate'>): string {
  const normal = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
  return createHash('sha256').update(`${normal(intake.firstName)}|${normal(intake.lastName)}|${intake.birthDate}`).digest('hex');
}

export interface IntakeResult {
  participantId: string;
  workflowId: string;
  created: boolean;
  /** The person's earlier path had ended (outflow): this intake started their re-entry. */
  reentered: boolean;
  /**
   * This intake wrote the ESF+ entry record (version 1). False when the person had one already
   * (a retry, a repeated intake, a re-entry): the first entry's answers stay and the ones given
   * now were not recorded; they are corrected on the participant's page.
   */
  esfRecorded: boolean;
}

/**
 * The participant id an Idempotency-Key stands for: a name-based UUID of the person who sent it
 * and the key, so a retried request finds the row the first one made without a table of keys.
 */
export function idempotentParticipantId(userId: string, idempotencyKey: string): string {
  const hash = createHash('sha256').update(`groeipad:intake:${userId}:${idempotencyKey}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5 (name-based)
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface IntakeOptions {
  /** The staff member at the intake desk (who a re-entry is recorded by). */
  by: string;
  /** With an Idempotency-Key, the same key from the same person returns the same path. */
  idempotency?: { userId: string; key: string };
}

export async function intake(deps: ApiDeps, input: Intake, options: IntakeOptions): Promise<IntakeResult> {
  const { db, temporal, config } = deps;
  if (input.coachId) {
    const { data: coach } = await db.from('profiles').select('id').eq('id', input.coachId).eq('role', 'coach').eq('site_id', input.siteId).maybeSingle();
    if (!coach) throw new ApiError('invalid_input', 'Ongeldige invoer: coachId (geen coach van deze Stuyfplek)', { coachId: 'geen coach van deze Stuyfplek' });
  }
  const { data: site } = await db.from('sites').select('id').eq('id', input.siteId).maybeSingle();
  if (!site) throw new ApiError('invalid_input', 'Ongeldige invoer: siteId (onbekende Stuyfplek)', { siteId: 'onbekende Stuyfplek' });

  const key = identityKey(input);
  const idFromKey = options.idempotency ? idempotentParticipantId(options.idempotency.userId, options.idempotency.key) : undefined;
  const inserted = await db
    .from('participants')
    .upsert(
      {
        ...(idFromKey ? { id: idFromKey } : {}),
        site_id: input.siteId,
        coach_id: input.coachId ?? null,
        first_name: input.firstName,
        last_name: input.lastName,
        birth_date: input.birthDate,
        email: input.email ?? null,
        phone: input.phone ?? null,
        consent_email: input.consentEmail,
        referral_source: input.referralSource,
        identity_key: key,
      },
      { onConflict: 'identity_key', ignoreDuplicates: true },
    )
    .select('id');
  let participant: { id: string; site_id: string; coach_id: string | null; referral_source: string; created_at: string; birth_date: string | null };
  let created: boolean;
  if (inserted.error?.code === '23505' && idFromKey) {
    // The key was used before: that request's participant, if it was about the same person.
    const earlier = await db.from('participants').select('id, site_id, coach_id, referral_source, identity_key, created_at, birth_date').eq('id', idFromKey).single();
    if (earlier.error) throw new Error(`intake: ${earlier.error.message}`);
    if (earlier.data.identity_key !== key) {
      throw new ApiError('idempotency_key_reused', 'Deze Idempotency-Key werd al gebruikt voor de inschrijving van iemand anders.');
    }
    participant = earlier.data;
    created = false;
  } else {
    if (inserted.error) throw new Error(`intake: ${inserted.error.message}`);
    created = (inserted.data ?? []).length > 0;
    const existing = await db.from('participants').select('id, site_id, coach_id, referral_source, created_at, birth_date').eq('identity_key', key).single();
    if (existing.error) throw new Error(`intake: ${existing.error.message}`);
    participant = existing.data;
  }

  if (participant.site_id !== input.siteId) {
    // One path per person: someone registered at another Stuyfplek is not registered twice, and
    // staff here learn no more than that.
    throw new ApiError('refused', 'Deze persoon is al ingeschreven bij een andere Stuyfplek. Neem contact op met de coördinator.');
  }

  // The participant id is the business id: a repeated intake finds the running path.
  const workflowId = pathWorkflowId(participant.id);
  await temporal.workflow.start<typeof participantPath>(WORKFLOW_TYPE, {
    workflowId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [
      {
        participantId: participant.id,
        siteId: participant.site_id,
        coachId: participant.coach_id,
        referralSource: participant.referral_source as Intake['referralSource'],
        timings: config.timings,
      },
    ],
  });
  const { reentered, pathRun } = created ? { reentered: false, pathRun: 1 } : await reenterAtIntake(deps, participant.id, input, options.by);

  // The ESF+ entry snapshot, after the path started or re-entered, so that its task belongs to
  // the run this intake is about (a re-entry's new run). Every attempt of an intake gets here: a
  // retry of one that stopped before it writes the record that one missed (and never a second
  // version); a repeated intake or a re-entry keeps the first entry's record. The answers stay
  // in the database: the path gets none of them.
  const esf = await recordEntryAtIntake(deps, participant, esfAnswersIn(input), { by: options.by, created, pathRun });
  return { participantId: participant.id, workflowId, created, reentered, esfRecorded: esf.recorded };
}

/**
 * An intake of a person whose path has ended (outflow, aftercare or closed) is their re-entry:
 * a new run in the phase staff chose, with the new referral source counted as an intake. The
 * earlier path and the steps stay. A path that is still running is simply found again.
 */
async function reenterAtIntake(deps: ApiDeps, participantId: string, input: Intake, by: string): Promise<{ reentered: boolean; pathRun: number }> {
  const path = await readPath(deps, participantId);
  if (path.status !== 'aftercare' && path.status !== 'closed') return { reentered: false, pathRun: path.pathRun };
  // What the person said at the desk today: how to reach them, and whether they want email.
  const { error } = await deps.db
    .from('participants')
    .update({ consent_email: input.consentEmail, ...(input.email ? { email: input.email } : {}), ...(input.phone ? { phone: input.phone } : {}) })
    .eq('id', participantId);
  if (error) throw new Error(`re-entry: ${error.message}`);
  try {
    const view = await runAction(deps, participantId, { type: 'reenter', input: { by, phase: input.reentryPhase, referralSource: input.referralSource } }, `reentry/${participantId}/${path.pathRun}`);
    // A coach chosen on the intake form follows the person from now on.
    if (input.coachId && input.coachId !== path.coachId) {
      await runAction(deps, participantId, { type: 'assignCoach', input: { by, coachId: input.coachId } }, `reentry-coach/${participantId}/${path.pathRun}`);
    }
    return { reentered: true, pathRun: view.pathRun };
  } catch (err) {
    // Someone else started the re-entry a moment ago: it is running now.
    if (err instanceof ApiError && err.code === 'refused') return { reentered: false, pathRun: (await readPath(deps, participantId)).pathRun };
    throw err;
  }
}

export async function readPath(deps: ApiDeps, participantId: string): Promise<PathView> {
  try {
    return await deps.temporal.workflow.getHandle(pathWorkflowId(participantId)).query(pathQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError('not_found', 'Geen groeipad gevonden voor deze deelnemer.');
    throw err;
  }
}

/** `updateId`: the same id twice is the same action (Temporal answers a retry with the first result). */
export async function runAction(deps: ApiDeps, participantId: string, action: PathAction, updateId?: string): Promise<PathView> {
  const handle = deps.temporal.workflow.getHandle(pathWorkflowId(participantId));
  // Who may act on the participant changes with these (api/access.ts participantAccessFor): their
  // entry goes before the update and again after it (a request in between may have read the row
  // before the path wrote it), also when the update fails, as its answer may have been lost.
  const changesAccess = action.type === 'assignCoach' || action.type === 'forget';
  if (changesAccess) deps.access?.invalidate(participantId);
  try {
    return await handle.executeUpdate(allPathUpdates[action.type] as typeof pathUpdates.changePhase, { args: [action.input as never], ...(updateId ? { updateId } : {}) });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      throw new ApiError(err.cause.type === 'InvalidInput' ? 'invalid_input' : 'refused', err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError) throw new ApiError('not_found', 'Geen groeipad gevonden voor deze deelnemer.');
    throw err;
  } finally {
    if (changesAccess) deps.access?.invalidate(participantId);
  }
}

async function erasedNow(deps: ApiDeps, participantId: string): Promise<boolean> {
  const { data, error } = await deps.db.from('participants').select('erased_at').eq('id', participantId).maybeSingle();
  if (error) throw new Error(`read participant: ${error.message}`);
  return Boolean(data?.erased_at);
}

/**
 * A coach action with its free text: the note is written to public.notes first and the update
 * gets its id (workflows carry ids only); when the update is refused or fails, the note is
 * deleted again. `input` is the action's request without `by` and without the note id.
 */
export async function runActionWithNote(
  deps: ApiDeps,
  user: SignedInUser,
  participant: { id: string; erased_at: string | null },
  type: ActionType,
  input: Record<string, unknown>,
  note: string | undefined,
  updateId?: string,
): Promise<PathView> {
  // A forgotten path has ended, and its workflow may already be closed: the workflow's own refusal.
  if (participant.erased_at) throw new ApiError('refused', CLOSED_FOR_GOOD);
  const participantId = participant.id;
  const schema = actionSchemas[type];
  // Back to orientation without a choice for a running agreement: the configured default (the
  // path uses it only when an agreement runs).
  const withDefaults = type === 'changePhase' && input.to === 'orientation' && input.agreementChoice === undefined ? { ...input, agreementChoice: deps.config.AGREEMENT_ON_MOVE_BACK } : input;
  const parsed = schema.safeParse({ ...withDefaults, by: user.id });
  if (!parsed.success) throw invalidInput(parsed.error);
  const field = noteField(type);
  let noteId: string | undefined;
  if (field && note) {
    const { data, error } = await deps.db.from('notes').insert({ participant_id: participantId, author_id: user.id, body: note }).select('id').single();
    if (error) throw new Error(`note: ${error.message}`);
    noteId = data.id;
  }
  try {
    return await runAction(deps, participantId, { type, input: noteId && field ? { ...parsed.data, [field]: noteId } : parsed.data } as Action, updateId);
  } catch (err) {
    // The path was forgotten between reading the participant and the update: its workflow ends
    // once the data are erased, so the row says so now. The same refusal as before it ended.
    if (err instanceof ApiError && err.code === 'not_found' && (await erasedNow(deps, participantId))) err = new ApiError('refused', CLOSED_FOR_GOOD);
    // Only a refused action certainly left the path without the note; after a timeout or a
    // lost answer the path may hold its id, so the note stays.
    if (noteId && err instanceof ApiError && (err.code === 'refused' || err.code === 'invalid_input')) {
      const { error } = await deps.db.from('notes').delete().eq('id', noteId);
      if (error) deps.logger?.warn({ noteId, participantId, error: error.message }, 'could not delete the note of a refused action');
    }
    throw err;
  }
}
