import { describe, expect, it } from 'vitest';
import { addMonths, addSpan, brusselsOffsetMs, dueAfter, formatLocalDate, localTimeToInstant, parseLocalDate, parseSpan, toLocalDate } from '../domain/calendar.js';

const date = (text: string) => parseLocalDate(text);
const fmt = formatLocalDate;

describe('calendar months in Europe/Brussels', () => {
  it('adds twelve calendar months: 31 January ends 31 January next year', () => {
    expect(fmt(addMonths(date('2027-01-31'), 12))).toBe('2028-01-31');
  });

  it('clamps to the end of the month: a start on 29 February ends on 28 February', () => {
    expect(fmt(addMonths(date('2028-02-29'), 12))).toBe('2029-02-28');
    expect(fmt(addMonths(date('2027-01-31'), 1))).toBe('2027-02-28');
    expect(fmt(addSpan(date('2028-01-31'), { months: 1 }, -1))).toBe('2027-12-31');
  });

  it('knows summer and winter time', () => {
    expect(brusselsOffsetMs(Date.UTC(2027, 0, 15, 12))).toBe(3_600_000);
    expect(brusselsOffsetMs(Date.UTC(2027, 6, 15, 12))).toBe(7_200_000);
    // 2027: summer time starts 28 March 01:00 UTC and ends 31 October 01:00 UTC.
    expect(brusselsOffsetMs(Date.UTC(2027, 2, 28, 0, 59))).toBe(3_600_000);
    expect(brusselsOffsetMs(Date.UTC(2027, 2, 28, 1, 0))).toBe(7_200_000);
    expect(brusselsOffsetMs(Date.UTC(2027, 9, 31, 0, 59))).toBe(7_200_000);
    expect(brusselsOffsetMs(Date.UTC(2027, 9, 31, 1, 0))).toBe(3_600_000);
  });

  it('puts a due moment at the local hour, across a daylight-saving change', () => {
    // From a winter day, six weeks on lands in summer time: 09:00 local is 07:00 UTC.
    const from = Date.UTC(2027, 2, 1, 10); // 1 March 2027, 11:00 in Brussels
    const due = dueAfter(from, { weeks: 6 }, 9);
    expect(new Date(due).toISOString()).toBe('2027-04-12T07:00:00.000Z');
    expect(fmt(toLocalDate(due))).toBe('2027-04-12');
    // And back: from summer into winter, 09:00 local is 08:00 UTC.
    expect(new Date(dueAfter(Date.UTC(2027, 9, 1, 10), { months: 1 }, 9)).toISOString()).toBe('2027-11-01T08:00:00.000Z');
  });

  it('reads the local date of late-evening instants correctly', () => {
    // 31 December 23:30 UTC is already 1 January in Brussels.
    expect(fmt(toLocalDate(Date.UTC(2026, 11, 31, 23, 30)))).toBe('2027-01-01');
    expect(localTimeToInstant(date('2027-01-01'), 0)).toBe(Date.UTC(2026, 11, 31, 23, 0));
  });

  it('parses spans and refuses nonsense', () => {
    expect(parseSpan('12 months')).toEqual({ months: 12 });
    expect(parseSpan('1 month 2 weeks')).toEqual({ months: 1, weeks: 2 });
    expect(() => parseSpan('6 fortnights')).toThrow(/unknown unit/);
    expect(() => parseSpan('six weeks')).toThrow(/whole number/);
    expect(() => parseLocalDate('2027-02-29')).toThrow(/no such date/);
  });
});
