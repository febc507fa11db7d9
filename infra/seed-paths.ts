import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { pathQuery, pathUpdates, pathWorkflowId, WORKFLOW_TYPE } from '../domain/messages.js';
import type { PathView } from '../domain/path-state.js';
import type { participantPath } from '../workflows/participant-path.js';
import type { Config } from './config.js';
import { supabaseClient } from './supabase/client.js';
import { temporalClient } from './temporal/connection.js';

/**
 * For `npm run dev`: gives the participants of supabase/seed.sql their running paths, each moved
 * to the phase the seed describes, through the same workflow updates a coach uses. Idempotent:
 * a running path is found again (USE_EXISTING) and only the steps still missing are taken, so
 * every start of the dev stack leaves the same picture.
 */

type Target = 'orientation' | 'focus' | 'activation' | 'outflow';

/** The seeded participants (supabase/seed.sql) and where their path should be. */
export const SEEDED_PATHS: ReadonlyArray<{ participantId: string; target: Target }> = [
  { participantId: '5a1e0000-0000-4000-8000-0000000000d1', target: 'orientation' },
  { participantId: '5a1e0000-0000-4000-8000-0000000000d2', target: 'focus' },
  { participantId: '5a1e0000-0000-4000-8000-0000000000d3', target: 'activation' },
  { participantId: '5a1e0000-0000-4000-8000-0000000000d4', target: 'outflow' },
  { participantId: '5a1e0000-0000-4000-8000-0000000000d5', target: 'orientation' },
];

type Handle = WorkflowHandle<typeof participantPath>;

/**
 * Takes each step toward the target once: a step the path has already taken (its crisis, its
 * agreement) is never repeated, so whatever a person did with the demo path afterwards stays.
 */
async function moveTo(handle: Handle, start: PathView, target: Target, by: string, goal: () => Promise<string>): Promise<PathView> {
  let view = start;
  if (view.status !== 'active' || target === 'orientation' || view.earlierPaths.length > 0) return view;
  const had = (kind: string) => view.crises.some((c) => c.kind === kind);
  if (view.phase === 'orientation' && !had('focus_crisis')) {
    view = await handle.executeUpdate(pathUpdates.signalCrisis, { args: [{ by, kind: 'focus_crisis', move: true }] });
  }
  if (view.phase !== 'orientation' && view.agreementsSigned === 0) {
    view = await handle.executeUpdate(pathUpdates.signAgreement, { args: [{ by, commitments: ['connectors_table', 'open_house'], privileges: ['space', 'network'], goalNoteId: await goal() }] });
  }
  if (target === 'activation' && view.phase === 'focus' && !had('status_crisis')) {
    view = await handle.executeUpdate(pathUpdates.signalCrisis, { args: [{ by, kind: 'status_crisis', move: true }] });
  }
  if (target === 'outflow' && view.outflow === null) {
    view = await handle.executeUpdate(pathUpdates.outflow, { args: [{ by, type: 'self_employed' }] });
  }
  return view;
}

export async function startSeededPaths(config: Config, log: (line: string) => void, client?: Client): Promise<void> {
  const temporal = client ?? (await temporalClient(config));
  try {
    const db = supabaseClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY);
    const { data, error } = await db
      .from('participants')
      .select('id, site_id, coach_id, referral_source, erased_at')
      .in(
        'id',
        SEEDED_PATHS.map((p) => p.participantId),
      );
    if (error) throw new Error(`seeded paths: ${error.message}`);
    let moved = 0;
    for (const seeded of SEEDED_PATHS) {
      const participant = data.find((p) => p.id === seeded.participantId);
      // Removed or forgotten since the seed: leave it so.
      if (!participant || participant.erased_at) continue;
      let handle: Handle;
      try {
        handle = await temporal.workflow.start<typeof participantPath>(WORKFLOW_TYPE, {
          workflowId: pathWorkflowId(participant.id),
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          workflowIdConflictPolicy: 'USE_EXISTING',
          // A path that ended for good (forgotten) is not started again.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [{ participantId: participant.id, siteId: participant.site_id, coachId: participant.coach_id, referralSource: participant.referral_source, timings: config.timings }],
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
        throw err;
      }
      const before = await handle.query(pathQuery);
      // A growth agreement has a goal, in the participant's words (a note, like the form writes it).
      const goal = async () => {
        const note = await db.from('notes').insert({ participant_id: participant.id, author_id: participant.coach_id, body: 'Een eigen plek om te maken en te verkopen.' }).select('id').single();
        if (note.error) throw new Error(`seeded goal: ${note.error.message}`);
        return note.data.id;
      };
      const after = await moveTo(handle, before, seeded.target, participant.coach_id ?? participant.id, goal);
      if (after.seq !== before.seq) moved += 1;
    }
    log(`seed: ${SEEDED_PATHS.length} seeded paths running${moved ? ` (${moved} moved to their phase)` : ''}`);
  } finally {
    if (!client) await temporal.connection.close();
  }
}
