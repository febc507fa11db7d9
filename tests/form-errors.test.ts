import { describe, expect, it } from 'vitest';
import { formErrors } from '../api/web/form-input.js';
import { intakeRequestSchema } from '../api/requests.js';

/** What the intake desk reads next to a date field: missing and malformed are told apart. */
describe('form errors', () => {
  const birthDateError = (birthDate: string) => {
    const result = intakeRequestSchema.safeParse({ birthDate });
    expect(result.success).toBe(false);
    return formErrors(result.error!, { birthDate }).birthDate;
  };

  it('asks to fill in a date left empty', () => {
    expect(birthDateError('')).toBe('Vul dit in.');
  });

  it('names the format of a date that is not one', () => {
    expect(birthDateError('2001-02-30')).toBe('moet een datum zijn (JJJJ-MM-DD)');
  });
});
