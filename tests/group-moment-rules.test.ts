import { describe, expect, it } from 'vitest';
import { ALREADY_COUNTED, apply, initialState, refusal, type PathAction } from '../domain/path-rules.js';
import { DEFAULT_TIMINGS } from '../domain/timings.js';

/**
 * The path's rules for group moments, as pure functions: a focus crisis invites to the next
 * connectors table (a record with ids only), and a planned moment counts once per path.
 */

const NOW = Date.UTC(2026, 10, 2, 10);
const BY = 'eeeeeeee-0000-4000-8000-000000000001';
const MOMENT = 'abababab-0000-4000-8000-000000000001';
let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String((ids += 1)).padStart(12, '0')}`;
const start = () => initialState({ participantId: 'pppppppp-0000-4000-8000-000000000001', siteId: 'ssssssss-0000-4000-8000-000000000001', coachId: BY, referralSource: 'ocmw', timings: DEFAULT_TIMINGS }, NOW);

describe('group moments on the path', () => {
  it('a focus crisis records an invitation to the next connectors table; a status crisis does not', () => {
    const state = start();
    const focus = apply(state, { type: 'signalCrisis', input: { by: BY, kind: 'focus_crisis', move: true } }, NOW, newId);
    const invited = focus.filter((e) => e.type === 'record' && e.event.type === 'connectors_table_invited');
    expect(invited).toEqual([{ type: 'record', key: `${state.participantId}/1/1/record/connectors_table_invited`, pathRun: 1, event: { type: 'connectors_table_invited', at: NOW } }]);
    const status = apply(state, { type: 'signalCrisis', input: { by: BY, kind: 'status_crisis', move: true } }, NOW, newId);
    expect(status.some((e) => e.type === 'record' && e.event.type === 'connectors_table_invited')).toBe(false);
  });

  it('counts a planned moment once, also after outflow; attendance without a moment as before', () => {
    const state = start();
    const attend: PathAction = { type: 'logAttendance', input: { by: BY, kind: 'connectors_table', momentId: MOMENT } };
    expect(refusal(state, attend, NOW)).toBeNull();
    const effects = apply(state, attend, NOW, newId);
    expect(effects).toMatchObject([{ type: 'record', event: { type: 'attendance_logged', kind: 'connectors_table', momentId: MOMENT, by: BY } }]);
    expect(state.attendance).toEqual({ connectors_table: 1 });
    expect(state.attendedMoments).toEqual([MOMENT]);
    expect(refusal(state, attend, NOW + 1)).toBe(ALREADY_COUNTED);

    const plain: PathAction = { type: 'logAttendance', input: { by: BY, kind: 'connectors_table' } };
    expect(refusal(state, plain, NOW)).toBeNull();
    apply(state, plain, NOW, newId);
    expect(state.attendance).toEqual({ connectors_table: 2 });

    apply(state, { type: 'outflow', input: { by: BY, type: 'regular_job' } }, NOW, newId);
    const lab: PathAction = { type: 'logAttendance', input: { by: BY, kind: 'stuyflab', momentId: 'abababab-0000-4000-8000-000000000002' } };
    expect(refusal(state, lab, NOW)).toBeNull();
    apply(state, lab, NOW, newId);
    expect(state.attendance).toEqual({ connectors_table: 2, stuyflab: 1 });
    // A path from before the moment ids (no attendedMoments in its state) takes one.
    const old = start();
    delete old.attendedMoments;
    expect(refusal(old, attend, NOW)).toBeNull();
  });
});
