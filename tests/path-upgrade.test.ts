import { describe, expect, it } from 'vitest';
import { initialState, upgradeState } from '../domain/path-rules.js';
import type { PathState } from '../domain/path-state.js';
import { DEFAULT_TIMINGS } from '../domain/timings.js';

/**
 * A state carried over by continue-as-new from a run before steps belonged to the person holds
 * its steps in the agreement; the next run moves them to the path, with the agreement they were
 * set in, and never twice.
 */
describe('upgradeState', () => {
  const carried = (): PathState => {
    const state = initialState({ participantId: 'p', siteId: 's', coachId: 'c', referralSource: 'ocmw', timings: DEFAULT_TIMINGS }, 0);
    const old = state as Partial<PathState>;
    delete old.steps;
    state.pathRun = 2;
    state.agreement = {
      id: 'a1',
      coachId: 'c',
      signedAt: 1,
      startDate: '2026-01-01',
      endDate: '2027-01-01',
      commitments: ['stuyflab'],
      privileges: [],
      status: 'active',
      renewals: 0,
      steps: [{ id: 'st1', status: 'done', at: 5, noteId: 'n1' }],
    };
    return state;
  };

  it('moves the steps of a carried agreement into the path, with their agreement and run', () => {
    const state = upgradeState(carried());
    expect(state.steps).toEqual([{ id: 'st1', status: 'done', at: 5, noteId: 'n1', agreementId: 'a1', pathRun: 2 }]);
    expect(state.agreement?.steps).toBeUndefined();
  });

  it('is idempotent, and leaves a state of today as it is', () => {
    const once = upgradeState(carried());
    const twice = upgradeState(structuredClone(once));
    expect(twice).toEqual(once);
    const today = initialState({ participantId: 'p', siteId: 's', coachId: null, referralSource: 'self', timings: DEFAULT_TIMINGS }, 0);
    expect(upgradeState(structuredClone(today))).toEqual(today);
  });
});
