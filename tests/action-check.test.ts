import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, checkAction, PATH_ACTION_TYPES, type Field, type PathActionType } from '../domain/action-spec.js';
import { actionSchemas, linkActionSchemas } from '../domain/actions.js';

/**
 * The workflow checks updates with `checkAction` (no zod in the workflow bundle); the API parses
 * requests with the zod schemas built from the same definition. Both must take the same inputs
 * to the same result: the handler runs the check on replay, so it must accept every input zod
 * accepted when the history was made, with the same defaults, and refuse what zod refused.
 */

const schemas: Record<PathActionType, { safeParse(raw: unknown): { success: boolean; data?: unknown } }> = { ...actionSchemas, ...linkActionSchemas };

const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.string({ maxLength: 4 }), fc.constant({}), fc.constant([]));

function values(field: Field): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'id':
      return fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), fc.constant('00000000-0000-0000-0000-00000000000g'), fc.constant('not-an-id'), junk);
    case 'date':
      return fc.oneof(fc.constantFrom('2026-02-28', '2024-02-29', '2025-02-29', '2026-13-01', '2026-1-01', '2026-12-31', ''), junk);
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constant('true'), junk);
    case 'run':
      return fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(1.5, '2', Number.NaN, Number.MAX_SAFE_INTEGER + 2), junk);
    case 'enum':
      return fc.oneof(fc.constantFrom(...field.values), fc.constant('nope'), junk);
    case 'enumList':
      return fc.oneof(fc.array(fc.oneof(fc.constantFrom(...field.values), fc.constant('nope')), { maxLength: 3 }), fc.array(fc.constantFrom(...field.values), { maxLength: 4 }), junk);
  }
}

function inputs(type: PathActionType): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(Object.entries(ACTIONS[type].fields).map(([name, field]) => [name, values(field as Field)]));
  const record = fc.record({ ...fields, extra: fc.string({ maxLength: 3 }) }, { requiredKeys: [] });
  return fc.oneof({ weight: 9, arbitrary: record }, { weight: 1, arbitrary: junk });
}

describe('checkAction takes every input to the result the zod schema gives it', () => {
  for (const type of PATH_ACTION_TYPES) {
    it(type, () => {
      fc.assert(
        fc.property(inputs(type), (raw) => {
          const zod = schemas[type].safeParse(raw);
          const checked = checkAction(type, raw);
          expect(checked.ok).toBe(zod.success);
          if (checked.ok) expect(checked.input).toStrictEqual(zod.data);
        }),
        { numRuns: 2000, seed: 14 },
      );
    });
  }

  it('accepts the inputs of old histories: an agreement without goal, a forget without reason; fills in the defaults', () => {
    const by = '11111111-1111-4111-8111-111111111111';
    expect(checkAction('signAgreement', { by, commitments: ['coworking'] })).toEqual({ ok: true, input: { by, commitments: ['coworking'], privileges: [] } });
    expect(checkAction('forget', { by })).toEqual({ ok: true, input: { by } });
    expect(checkAction('signalCrisis', { by, kind: 'focus_crisis', unknown: 1 })).toEqual({ ok: true, input: { by, kind: 'focus_crisis', move: false } });
  });

  it('an optional list may be absent (ESF+: not known yet) or empty (none of these), both as zod has it; the exclusive pairs are refused on the field', () => {
    const by = '11111111-1111-4111-8111-111111111111';
    const cases: Array<[PathActionType, Record<string, unknown>]> = [
      ['outflow', { by, type: 'regular_job' }],
      ['outflow', { by, type: 'regular_job', situations: [] }],
      ['outflow', { by, type: 'regular_job', situations: ['in_employment', 'in_education'] }],
      ['outflow', { by, type: 'regular_job', situations: ['job_searching', 'in_employment'] }],
      ['recordLeavingResult', { by, situations: [] }],
      ['recordLeavingResult', { by }],
      ['recordLeavingResult', { by, situations: ['in_education', 'gained_qualification'], observedOn: '2026-03-01' }],
    ];
    for (const [type, raw] of cases) {
      const zod = schemas[type].safeParse(raw);
      const checked = checkAction(type, raw);
      expect(checked.ok, JSON.stringify(raw)).toBe(zod.success);
      if (checked.ok) expect(checked.input).toStrictEqual(zod.data);
    }
    expect(checkAction('outflow', { by, type: 'regular_job' })).toEqual({ ok: true, input: { by, type: 'regular_job' } });
    expect(checkAction('outflow', { by, type: 'regular_job', situations: [] })).toEqual({ ok: true, input: { by, type: 'regular_job', situations: [] } });
    expect(checkAction('outflow', { by, type: 'regular_job', situations: ['job_searching', 'in_employment'] })).toEqual({
      ok: false,
      issue: { path: 'situations', message: '"Werkzoekend" en "Aan het werk (ook als zelfstandige)" sluiten elkaar uit; kies er één' },
    });
    expect(checkAction('recordLeavingResult', { by })).toEqual({ ok: false, issue: { path: 'situations', message: 'is verplicht' } });
  });

  it('names the field at fault', () => {
    expect(checkAction('changePhase', { by: 'x', to: 'focus', reason: 'crisis' })).toEqual({ ok: false, issue: { path: 'by', message: 'moet een geldige id zijn' } });
    expect(checkAction('answerReferral', { referralId: '11111111-1111-4111-8111-111111111111', linkId: '11111111-1111-4111-8111-111111111111', answer: 'appointment' })).toEqual({
      ok: false,
      issue: { path: 'appointmentDate', message: 'vul de datum van de eerste afspraak in' },
    });
    expect(checkAction('logContact', 'hello')).toEqual({ ok: false, issue: { path: '', message: 'verwacht een object' } });
  });
});
