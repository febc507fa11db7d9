import type { UpdateDefinition } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { PathActivities } from '../activities/contract.js';
import { checkAction } from '../domain/action-spec.js';
import { allPathUpdates, pathQuery } from '../domain/messages.js';
import type { Effect } from '../domain/path-events.js';
import { apply, fire, initialState, nextDeadline, refusal, startEffects, upgradeState, view, type PathAction, type StartInput } from '../domain/path-rules.js';
import type { PathState, PathView } from '../domain/path-state.js';
import { CoachAttribute, PathStatusAttribute, PhaseAttribute, SiteAttribute } from '../domain/search-attributes.js';
import { deadlineTimer } from './deadline-timer.js';
import { ranOpenTelemetry } from './tracing-interceptors.js';

/**
 * One participant's growth path, for years. The rules live in domain/path-rules.ts; this file
 * wires them to Temporal: updates with validators for coach actions, one loop that carries out
 * effects in order and races the next deadline against every action, and continue-as-new to
 * keep the history small.
 */

export interface PathInput extends StartInput {
  /** Set by continue-as-new: the state and the effects not yet carried out. */
  carried?: { state: PathState; pending: Effect[] };
  /** Continue-as-new past this many history events, even if the server has not suggested it yet. */
  maxHistoryEvents?: number;
}

// No maximum attempts: a database that is down for a while must not fail a path.
const untilItWorks = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const { recordAll, erasePersonalData } = wf.proxyActivities<PathActivities>({ startToCloseTimeout: '1 minute', retry: untilItWorks });
/**
 * Records, tasks and queued emails of a batch, in the workflow task that produced them: no
 * activity task to the server and back, and the coach's update returns once they are written.
 * Past a minute of retries (a database outage) the SDK schedules the next attempt with a timer.
 */
const { recordAll: recordAllLocally } = wf.proxyLocalActivities<PathActivities>({ startToCloseTimeout: '1 minute', retry: untilItWorks });

/**
 * Paths that started before this patch carried out records with an activity and each email with
 * an activity of its own; they keep doing so until their next run (continue-as-new, re-entry).
 */
export const EFFECTS_IN_ONE_LOCAL_ACTIVITY = 'effects-in-one-local-activity';
const { sendEmail } = wf.proxyActivities<PathActivities>({
  startToCloseTimeout: '1 minute',
  // Resend keeps an idempotency key for 24 hours: past that a retry could send twice, so an
  // email that could not go out in 23 hours is given up (and logged) instead.
  scheduleToCloseTimeout: '23 hours',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['PermanentEmailFailure'] },
});

/**
 * Runs that started before this patch closed aftercare when the reconnect task fell due; from it
 * on, aftercare ends with the reconnect conversation or after a grace period (a timer more). A
 * run decides once, at its start; the next run (continue-as-new, re-entry) takes the new rule.
 */
export const AFTERCARE_WAITS_FOR_RECONNECT = 'aftercare-waits-for-reconnect';

/**
 * ESF+: from this patch on, every leaving has two timers (deadlines()): the result task at the end
 * of its window and the six-month follow-up. Runs that started before it issue no such timers; a
 * run decides once, at its start, and the next run (continue-as-new, re-entry) takes the new rule
 * (an outflow recorded in a run from before adds no leaving, so no late timers fire for it).
 */
export const ESF_TIMERS_AFTER_LEAVING = 'esf-timers-after-leaving';


/**
 * A run recorded with OpenTelemetry's workflow interceptors (2026-11-29 to 2026-11-30) replays
 * with them and holds 0.87 MB while cached instead of 0.15 (workflows/tracing-interceptors.ts).
 * Since this patch such a run continues as new at its first live wait, and the new run never
 * loads them. Only those runs ask for the patch, so no other history records its marker.
 */
export const NEW_RUN_WITHOUT_OPENTELEMETRY = 'new-run-without-opentelemetry';

/**
 * From this patch on, a run keeps its deadline's timer while actions leave the deadline where it
 * was (workflows/deadline-timer.ts); before, every action cancelled the timer and started it
 * again, two events an action. A run that starts with this patch also takes the rules of
 * EFFECTS_IN_ONE_LOCAL_ACTIVITY, AFTERCARE_WAITS_FOR_RECONNECT and ESF_TIMERS_AFTER_LEAVING
 * without asking for their patches: the SDK records a marker and upserts TemporalChangeVersion
 * for every patch a run asks for, so a new run starts with two of each (this one and
 * workflow-spans) instead of the four of each before it. A later rule's patch can stand for this
 * one (and so for all before it) the same way.
 */
export const KEPT_DEADLINE_TIMER = 'kept-deadline-timer';

export async function participantPath(input: PathInput): Promise<PathView> {
  const keptDeadlineTimer = wf.patched(KEPT_DEADLINE_TIMER);
  const effectsInOneLocalActivity = keptDeadlineTimer || wf.patched(EFFECTS_IN_ONE_LOCAL_ACTIVITY);
  const state: PathState = input.carried ? upgradeState(input.carried.state) : initialState(input, Date.now());
  state.rules = {
    aftercareWaitsForReconnect: keptDeadlineTimer || wf.patched(AFTERCARE_WAITS_FOR_RECONNECT),
    esfTimers: keptDeadlineTimer || wf.patched(ESF_TIMERS_AFTER_LEAVING),
  };
  const timer = deadlineTimer();
  const pending: Effect[] = input.carried?.pending ?? startEffects(state);
  let startNewRun = false;
  let lastAttributes = '';

  const publishSearchAttributes = () => {
    const next = [state.phase, state.coachId ?? '', state.siteId, state.status].join('|');
    if (next === lastAttributes) return;
    lastAttributes = next;
    wf.upsertSearchAttributes([
      { key: PhaseAttribute, value: state.phase },
      { key: CoachAttribute, value: state.coachId ?? 'none' },
      { key: SiteAttribute, value: state.siteId },
      { key: PathStatusAttribute, value: state.status },
    ]);
  };
  publishSearchAttributes();

  // Coach actions and the answers that come through signed links, registered alike. A new
  // handler issues no command, so histories recorded before it replay unchanged.
  const updates = allPathUpdates;

  /**
   * The input's shape, checked without zod (domain/action-spec.ts): the API has parsed every
   * request with the zod schemas built from the same definition, so here it is a cheap check
   * for other clients, made by the validator before the rules' `refusal`. The handler runs it
   * again (it runs on replay, the validator does not): it accepts every input zod accepted and
   * fills in the same defaults, so old histories replay unchanged; a malformed update never
   * reaches the state.
   */
  const parse = (type: PathAction['type'], raw: unknown): PathAction => {
    const result = checkAction(type, raw);
    if (!result.ok) {
      const { path, message } = result.issue;
      throw wf.ApplicationFailure.create({ type: 'InvalidInput', message: `${path || 'input'}: ${message}`, nonRetryable: true });
    }
    return { type, input: result.input } as PathAction;
  };

  for (const type of Object.keys(updates) as PathAction['type'][]) {
    wf.setHandler(
      updates[type] as UpdateDefinition<PathView, [unknown]>,
      (raw: unknown) => {
        const action = parse(type, raw);
        if (action.type === 'outflow' && action.input.situations && !state.rules?.esfTimers) {
          // A run from before the ESF+ patch keeps no leavings (domain/path-rules.ts `apply`): the
          // outflow is recorded, the situations given with it are not (README, "Leaving and six months later").
          wf.log.warn('ESF+ situations at outflow dropped: this run started before the ESF+ timers', { pathRun: state.pathRun });
        }
        pending.push(...apply(state, action, Date.now(), wf.uuid4));
        if (action.type === 'reenter') startNewRun = true;
        publishSearchAttributes();
        return view(state);
      },
      {
        validator: (raw: unknown) => {
          const reason = refusal(state, parse(type, raw), Date.now());
          if (reason) throw wf.ApplicationFailure.create({ type: 'ActionRefused', message: reason, nonRetryable: true });
        },
      },
    );
  }
  wf.setHandler(pathQuery, () => view(state));

  /**
   * Before the patch: emails went out in the background, one activity each, so that one waiting
   * for a provider could not hold up the path's records and tasks.
   */
  const emailsInFlight = new Set<Promise<void>>();
  const sendInBackground = (email: Extract<Effect, { type: 'email' }>) => {
    const sending: Promise<void> = sendEmail(email).then(
      () => undefined,
      (err: unknown) => {
        // A bad address is recorded by the activity; it must not stop the path.
        if (!(err instanceof wf.ActivityFailure)) throw err;
        wf.log.warn('email not sent', { key: email.key, template: email.template });
      },
    );
    emailsInFlight.add(sending);
    void sending.finally(() => emailsInFlight.delete(sending));
  };
  const emailsSent = () => Promise.all([...emailsInFlight]);

  /** Carries out what is queued: records, tasks and emails in one local activity (in order), then the erasure. */
  const drain = async () => {
    const batch = pending.slice();
    const where = { participantId: state.participantId, siteId: state.siteId };
    if (effectsInOneLocalActivity) {
      const effects = batch.filter((e): e is Exclude<Effect, { type: 'erase' }> => e.type !== 'erase');
      if (effects.length > 0) await recordAllLocally({ ...where, effects });
    } else {
      const records = batch.filter((e): e is Extract<Effect, { type: 'record' | 'task' }> => e.type === 'record' || e.type === 'task');
      for (const e of batch) if (e.type === 'email') sendInBackground(e);
      if (records.length > 0) await recordAll({ ...where, effects: records });
    }
    if (batch.some((e) => e.type === 'erase')) await erasePersonalData({ participantId: state.participantId });
    pending.splice(0, batch.length);
  };

  const historyIsLong = () => {
    const info = wf.workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? 10_000);
  };

  for (;;) {
    while (pending.length > 0) await drain();
    if (state.status === 'forgotten') {
      await emailsSent();
      await wf.condition(wf.allHandlersFinished);
      return view(state);
    }
    if (startNewRun || historyIsLong() || (ranOpenTelemetry() && wf.patched(NEW_RUN_WITHOUT_OPENTELEMETRY))) {
      // Emails in flight finish in this run; running update handlers return first, and anything
      // they queued travels along.
      await emailsSent();
      await wf.condition(wf.allHandlersFinished);
      const { carried: _carried, ...start } = input;
      await wf.continueAsNew<typeof participantPath>({ ...start, carried: { state, pending: [...pending] } });
    }
    const deadline = nextDeadline(state);
    const now = Date.now();
    if (deadline && deadline.at <= now) {
      pending.push(...fire(state, deadline));
      publishSearchAttributes();
      continue;
    }
    const seq = state.seq;
    const woken = () => pending.length > 0 || state.seq !== seq || startNewRun;
    if (keptDeadlineTimer) await timer.until(deadline?.at, woken);
    else if (deadline) await wf.condition(woken, deadline.at - now);
    else await wf.condition(woken);
  }
}
