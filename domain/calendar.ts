/**
 * Calendar arithmetic in Europe/Brussels, written out so that workflow code stays deterministic
 * and does not depend on the time-zone database of whichever Node runs the worker.
 *
 * Belgium follows the EU rule (since 1996): summer time (UTC+2) from the last Sunday of March
 * 01:00 UTC to the last Sunday of October 01:00 UTC; otherwise UTC+1.
 */

export interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

/** A span of calendar time: months are calendar months, weeks and days are calendar days. */
export interface CalendarSpan {
  months?: number;
  weeks?: number;
  days?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function lastSundayUtc(year: number, month: number): number {
  // Day 0 of the next month is the last day of this month.
  const last = new Date(Date.UTC(year, month, 0));
  const back = last.getUTCDay(); // 0 = Sunday
  return Date.UTC(year, month - 1, last.getUTCDate() - back, 1, 0, 0);
}

/** Offset of Brussels local time from UTC, in milliseconds, at the given instant. */
export function brusselsOffsetMs(instant: number): number {
  const year = new Date(instant).getUTCFullYear();
  const summerStart = lastSundayUtc(year, 3);
  const summerEnd = lastSundayUtc(year, 10);
  return instant >= summerStart && instant < summerEnd ? 2 * HOUR : HOUR;
}

export function toLocalDate(instant: number): LocalDate {
  const local = new Date(instant + brusselsOffsetMs(instant));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** The instant at which Brussels clocks show `hour`:00 on the given date. */
export function localTimeToInstant(date: LocalDate, hour: number): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour);
  // Try the winter offset first; if the result falls in summer time, use the summer offset.
  const guess = wall - HOUR;
  return wall - brusselsOffsetMs(guess);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds (or with negative numbers subtracts) whole calendar months, clamping the day to the month's end. */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/**
 * The calendar span from one local date to a later one: whole months first, then days
 * (10 February → 10 March is one month; 10 February → 24 March is one month and 14 days).
 */
export function spanBetween(from: LocalDate, to: LocalDate): { months: number; days: number } {
  const day = (d: LocalDate) => Date.UTC(d.year, d.month - 1, d.day);
  let months = (to.year - from.year) * 12 + (to.month - from.month);
  while (months > 0 && day(addMonths(from, months)) > day(to)) months -= 1;
  months = Math.max(0, months);
  return { months, days: Math.max(0, Math.round((day(to) - day(addMonths(from, months))) / DAY)) };
}

export function addSpan(date: LocalDate, span: CalendarSpan, sign: 1 | -1 = 1): LocalDate {
  const withMonths = addMonths(date, sign * (span.months ?? 0));
  return addDays(withMonths, sign * ((span.weeks ?? 0) * 7 + (span.days ?? 0)));
}

/**
 * When something is due: the local date of `from` plus the span, at `hour` Brussels time.
 * People get tasks and emails in the morning, never at the minute of the event that caused them.
 */
export function dueAfter(from: number, span: CalendarSpan, hour: number): number {
  return localTimeToInstant(addSpan(toLocalDate(from), span), hour);
}

export function formatLocalDate(date: LocalDate): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

export function parseLocalDate(text: string): LocalDate {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`not a date (YYYY-MM-DD): ${text}`);
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) {
    throw new RangeError(`no such date: ${text}`);
  }
  return date;
}

export function isValidLocalDate(text: string): boolean {
  try {
    parseLocalDate(text);
    return true;
  } catch {
    return false;
  }
}

/** Parses "12 months", "6 weeks", "14 days", "1 month 2 weeks" into a span. */
export function parseSpan(text: string): CalendarSpan {
  const span: CalendarSpan = {};
  const parts = text.trim().toLowerCase().split(/\s+/);
  if (parts.length === 0 || parts.length % 2 !== 0) throw new RangeError(`not a span: "${text}"`);
  for (let i = 0; i < parts.length; i += 2) {
    const amount = Number(parts[i]);
    const unit = parts[i + 1] ?? '';
    if (!Number.isInteger(amount) || amount < 0) throw new RangeError(`not a whole number: "${parts[i]}"`);
    if (/^months?$/.test(unit)) span.months = (span.months ?? 0) + amount;
    else if (/^weeks?$/.test(unit)) span.weeks = (span.weeks ?? 0) + amount;
    else if (/^days?$/.test(unit)) span.days = (span.days ?? 0) + amount;
    else throw new RangeError(`unknown unit "${unit}" (use months, weeks or days)`);
  }
  return span;
}
