import { describe, expect, it } from 'vitest';
import { checkAction } from '../domain/action-spec.js';
import type { Effect, PathEvent } from '../domain/path-events.js';
import { ALREADY_ANSWERED, apply, deadlines, fire, initialState, leavingDates, NO_OPEN_QUESTION, refusal, type PathAction } from '../domain/path-rules.js';
import type { PathState } from '../domain/path-state.js';
import { DEFAULT_TIMINGS } from '../domain/timings.js';
import { templates, type TemplateInput } from '../activities/emails/templates.js';

/**
 * The ESF+ rules after a leaving as pure functions (no workflow): an outflow in a run from before
 * the ESF+ patch adds no leaving (so a replay on new code cannot make timers fire later), the
 * outflow carries the leaving's window end and follow-up day, a coach's result goes to the leaving
 * it names, the participant's answer only to the latest question, and the texts name the day of
 * leaving. tests/path-esf.test.ts runs the same on the time-skipping server.
 */

const DAY = 86_400_000;
const coach = '11111111-1111-4111-8111-111111111111';
// 2027-03-02 10:00 UTC (11:00 in Brussels).
const T0 = Date.UTC(2027, 2, 2, 10);
let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String((ids += 1)).padStart(12, '0')}`;

function start(esfTimers: boolean): PathState {
  const state = initialState({ participantId: 'p', siteId: 's', coachId: coach, referralSource: 'ocmw', timings: DEFAULT_TIMINGS }, T0);
  state.rules = { aftercareWaitsForReconnect: true, esfTimers };
  return state;
}

/** As the workflow's handler: the input checked (defaults filled in), refused or applied. */
function act(state: PathState, type: PathAction['type'], input: Record<string, unknown>, now: number): Effect[] {
  const checked = checkAction(type, type === 'answerFollowUp' ? input : { by: coach, ...input });
  if (!checked.ok) throw new Error(`${checked.issue.path}: ${checked.issue.message}`);
  const action = { type, input: checked.input } as PathAction;
  const reason = refusal(state, action, now);
  if (reason) throw new Error(reason);
  return apply(state, action, now, newId);
}
function refused(state: PathState, type: PathAction['type'], input: Record<string, unknown>, now: number): string | null {
  const checked = checkAction(type, type === 'answerFollowUp' ? input : { by: coach, ...input });
  if (!checked.ok) throw new Error(`${checked.issue.path}: ${checked.issue.message}`);
  return refusal(state, { type, input: checked.input } as PathAction, now);
}
/** Fires every deadline up to `until`, as the workflow's loop does. */
function runUntil(state: PathState, until: number): Effect[] {
  const effects: Effect[] = [];
  for (let d = deadlines(state)[0]; d && d.at <= until; d = deadlines(state)[0]) effects.push(...fire(state, d));
  return effects;
}
const events = (effects: Effect[]): PathEvent[] => effects.flatMap((e) => (e.type === 'record' ? [e.event] : []));
const esfKinds = (state: PathState) => deadlines(state).filter((d) => d.kind.startsWith('esf_'));

describe('replay safety: a run from before the ESF+ patch', () => {
  it('records the outflow but adds no leaving, so the next run (patched) fires no timers for it', () => {
    const state = start(false);
    const effects = act(state, 'outflow', { type: 'regular_job', situations: ['in_employment'] }, T0 + DAY);
    expect(state.leavings).toBeUndefined();
    // The outflow as before: no ESF+ days, no result for the situations given (dropped).
    expect(events(effects)).toEqual([{ type: 'outflow_recorded', at: T0 + DAY, outflowType: 'regular_job', by: coach, noteId: undefined }]);
    expect(refused(state, 'recordLeavingResult', { situations: [] }, T0 + 2 * DAY)).toBe(
      'Deze uitstroom werd genoteerd voor de ESF-opvolging bestond: er is geen resultaat na uitstroom te noteren.',
    );

    // Continue-as-new (or a restart) a year later: the new run decides for the timers.
    state.rules = { ...state.rules, esfTimers: true };
    expect(esfKinds(state)).toEqual([]);
    const later = runUntil(state, T0 + 400 * DAY);
    expect(later.filter((e) => e.type === 'task' && e.kind.startsWith('esf_'))).toEqual([]);
    expect(later.filter((e) => e.type === 'email' && e.template === 'esf_follow_up_question')).toEqual([]);

    // A re-entry and a new outflow in the patched run: a leaving, with its timers.
    act(state, 'reenter', { phase: 'focus' }, T0 + 401 * DAY);
    act(state, 'outflow', { type: 'stopped' }, T0 + 402 * DAY);
    expect(state.leavings?.map((l) => l.pathRun)).toEqual([2]);
    expect(esfKinds(state).map((d) => [d.kind, d.leavingRun])).toEqual([
      ['esf_leaving_result', 2],
      ['esf_follow_up', 2],
    ]);
  });

  it('a patched run: the outflow carries the days of leavingDates; the leaving has its timers', () => {
    const state = start(true);
    const effects = act(state, 'outflow', { type: 'regular_job' }, T0);
    const leaving = state.leavings![0]!;
    const { windowEnds, followUpOn } = leavingDates(leaving, state.timings);
    expect([windowEnds, followUpOn]).toEqual(['2027-03-30', '2027-09-02']);
    expect(events(effects)).toEqual([
      { type: 'outflow_recorded', at: T0, outflowType: 'regular_job', by: coach, noteId: undefined, resultWindowEnds: windowEnds, followUpOn },
    ]);
    // Configured waits: the event follows the path's own timings.
    const configured = start(true);
    configured.timings = { ...configured.timings, esfResultWindow: { days: 14 }, esfFollowUpAfter: { months: 3 } };
    const [outflow] = events(act(configured, 'outflow', { type: 'stopped' }, T0));
    expect(outflow).toMatchObject({ resultWindowEnds: '2027-03-16', followUpOn: '2027-06-02' });
  });
});

/** Left on 2 March, back on 12 March, left again on 22 March (inside the first leaving's window). */
function leftTwice(): PathState {
  const state = start(true);
  act(state, 'outflow', { type: 'stopped' }, T0);
  act(state, 'reenter', { phase: 'focus' }, T0 + 10 * DAY);
  act(state, 'outflow', { type: 'regular_job' }, T0 + 20 * DAY);
  return state;
}

describe('a result about an earlier leaving (`pathRun`)', () => {
  it('goes to the leaving it names, checked against that leaving window, and settles that leaving task', () => {
    const state = leftTwice();
    // Both windows end without a result: two tasks, one per leaving.
    const tasks = runUntil(state, T0 + 50 * DAY).filter((e) => e.type === 'task');
    expect(tasks.map((t) => t.type === 'task' && [t.kind, t.pathRun])).toEqual([
      ['esf_leaving_result', 1],
      ['esf_leaving_result', 2],
    ]);
    // The first leaving's window is 2 to 30 March; 1 April is in the second's, not the first's.
    expect(refused(state, 'recordLeavingResult', { situations: ['in_employment'], observedOn: '2027-04-01', pathRun: 1 }, T0 + 50 * DAY)).toBe(
      'Het resultaat na uitstroom telt tot 30 maart 2027; kies een datum van 2 maart 2027 tot dan.',
    );
    expect(refused(state, 'recordLeavingResult', { situations: ['in_employment'], observedOn: '2027-04-01' }, T0 + 50 * DAY)).toBeNull();
    expect(refused(state, 'recordLeavingResult', { situations: [], pathRun: 3 }, T0 + 50 * DAY)).toBe('Er is geen uitstroom van groeipad 3 om een resultaat voor te noteren.');

    const [result] = events(act(state, 'recordLeavingResult', { situations: ['job_searching'], observedOn: '2027-03-09', pathRun: 1 }, T0 + 50 * DAY));
    expect(result).toMatchObject({ type: 'esf_result_recorded', kind: 'leaving', pathRun: 1, observedOn: '2027-03-09', settlesTask: 'esf_leaving/1' });
    expect(state.leavings!.map((l) => l.result?.observedOn)).toEqual(['2027-03-09', undefined]);
    // Without `pathRun`: the last leaving, as before.
    const [last] = events(act(state, 'recordLeavingResult', { situations: [], observedOn: '2027-04-01' }, T0 + 50 * DAY));
    expect(last).toMatchObject({ pathRun: 2, settlesTask: 'esf_leaving/2' });
  });

  it('the coach answer about an earlier leaving, from that leaving follow-up day; the refusal names the days', () => {
    const state = leftTwice();
    // 2 September: the first leaving's follow-up day; the second's is 22 September.
    const sept3 = Date.UTC(2027, 8, 3, 10);
    runUntil(state, sept3);
    expect(refused(state, 'recordFollowUp', { answer: 'working' }, sept3)).toBe(
      'Het antwoord op de opvolgvraag na de uitstroom van 22 maart 2027 kan pas genoteerd worden vanaf 22 september 2027.',
    );
    const [answer] = events(act(state, 'recordFollowUp', { answer: 'working', pathRun: 1 }, sept3));
    expect(answer).toMatchObject({ kind: 'six_months', pathRun: 1, followUp: 'working', source: 'coach', settlesTask: 'esf_follow_up/1' });
    expect(refused(state, 'recordFollowUp', { answer: 'working', pathRun: 7 }, sept3)).toBe('Er is geen uitstroom van groeipad 7 om een resultaat voor te noteren.');
  });
});

describe("the participant's answer", () => {
  it('goes to the latest leaving whose question went out, never to an earlier one still open', () => {
    const state = leftTwice();
    expect(refused(state, 'answerFollowUp', { answer: 'working' }, T0 + 30 * DAY)).toBe(NO_OPEN_QUESTION);
    // Both questions went out (2 and 22 September); neither is answered.
    runUntil(state, Date.UTC(2027, 8, 23, 10));
    const [answer] = events(act(state, 'answerFollowUp', { answer: 'not_working' }, Date.UTC(2027, 8, 23, 10)));
    expect(answer).toMatchObject({ pathRun: 2, followUp: 'not_working', source: 'participant', settlesTask: 'esf_follow_up/2' });
    // The first leaving's question is still open, but not the participant's any more: their page shows the latest.
    expect(state.leavings![0]!.followUp).toBeUndefined();
    expect(refused(state, 'answerFollowUp', { answer: 'working' }, Date.UTC(2027, 8, 24, 10))).toBe(ALREADY_ANSWERED);
  });

  it('the question by email says whether the person is on the path again (`back`)', () => {
    const state = start(true);
    act(state, 'outflow', { type: 'stopped' }, T0);
    act(state, 'reenter', { phase: 'focus' }, T0 + 10 * DAY);
    const emails = runUntil(state, Date.UTC(2027, 8, 3, 10)).filter((e) => e.type === 'email');
    expect(emails.map((e) => e.type === 'email' && e.params)).toEqual([{ leftOn: '2027-03-02', back: 1 }]);
    const away = start(true);
    act(away, 'outflow', { type: 'stopped' }, T0);
    const alone = runUntil(away, Date.UTC(2027, 8, 3, 10)).filter((e) => e.type === 'email' && e.template === 'esf_follow_up_question');
    expect(alone.map((e) => e.type === 'email' && e.params)).toEqual([{ leftOn: '2027-03-02' }]);
  });
});

describe('the question by email', () => {
  const input = (params: TemplateInput['params']): TemplateInput => ({ firstName: 'Noor', params, optOutUrl: 'https://x/stop', appUrl: 'https://x', pageUrl: 'https://x/mijn-pad/t' });

  it('names the day of leaving (the wait is configurable), and says how to answer: choose and send', () => {
    const { text } = templates.esf_follow_up_question(input({ leftOn: '2027-08-31' }));
    expect(text).toContain('Sinds je vertrek bij de Stuyfplek op 31 augustus 2027');
    expect(text).toContain('kies je antwoord en verstuur het');
    expect(text).not.toMatch(/half jaar|zes maanden|één klik/);
  });

  it('someone on the path again hears that they are back, not about a step outside the Stuyfplek', () => {
    const { text } = templates.esf_follow_up_question(input({ leftOn: '2027-08-31', back: 1 }));
    expect(text).toContain('Je rondde op 31 augustus 2027 een groeipad bij de Stuyfplek af, en fijn dat je er nu opnieuw bij bent!');
    expect(text).not.toMatch(/buiten de Stuyfplek|Sinds je vertrek/);
  });
});
