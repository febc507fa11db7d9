import { describe, expect, it } from 'vitest';
import { GOAL_NOTE_ID, pathHarnessPerFile } from './support/path-harness.js';

/**
 * Calendar months in Europe/Brussels on the time-skipping server. Dates are chosen relative to
 * the year the test runs in, so the suite keeps working in later years. Timed events come at
 * 09:00 Brussels time: 08:00 UTC in winter, 07:00 UTC in summer.
 */

const h = pathHarnessPerFile();

const HOUR = 3_600_000;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

async function agreementFrom(startDate: string) {
  const path = await h.start();
  await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
  const view = await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['connectors_table'], startDate });
  return { path, view };
}

describe('growth agreement dates', () => {
  it('signed 31 January ends 31 January the next year; the evaluation comes on 31 December', async () => {
    const year = new Date(await h.now()).getUTCFullYear() + 1;
    const { path, view } = await agreementFrom(`${year}-01-31`);
    expect(view.agreement?.endDate).toBe(`${year + 1}-01-31`);

    const evaluation = Date.UTC(year, 11, 31, 8); // 31 Dec 09:00 CET
    await h.skipTo(evaluation - HOUR);
    expect(path.tasks().filter((t) => t.kind === 'agreement_evaluation')).toHaveLength(0);
    await h.skipTo(evaluation + HOUR);
    expect(path.tasks().filter((t) => t.kind === 'agreement_evaluation').map((t) => t.dueAt)).toEqual([evaluation]);
    expect(path.emails().filter((e) => e.template === 'agreement_ending_soon').map((e) => e.params.endDate)).toEqual([`${year + 1}-01-31`]);

    const end = Date.UTC(year + 1, 0, 31, 8); // 31 Jan 09:00 CET
    await h.skipTo(end - HOUR);
    expect((await path.view()).agreement?.status).toBe('active');
    await h.skipTo(end + HOUR);
    const after = await path.view();
    expect(after.agreement?.status).toBe('expired');
    expect(after.agreement?.endedAt).toBe(end);
  });

  it('signed 29 February ends 28 February the next year', async () => {
    const now = await h.now();
    let leap = new Date(now).getUTCFullYear();
    while (!isLeap(leap) || Date.UTC(leap, 1, 29) <= now) leap += 1;
    const { path, view } = await agreementFrom(`${leap}-02-29`);
    expect(view.agreement?.endDate).toBe(`${leap + 1}-02-28`);
    const end = Date.UTC(leap + 1, 1, 28, 8);
    await h.skipTo(end - HOUR);
    expect((await path.view()).agreement?.status).toBe('active');
    await h.skipTo(end + HOUR);
    expect((await path.view()).agreement?.endedAt).toBe(end);
  });

  it('a timer that crosses the change to summer time fires at the right local date and hour', async () => {
    const year = new Date(await h.now()).getUTCFullYear() + 1;
    await h.skipTo(Date.UTC(year, 2, 1, 10)); // 1 March, 11:00 in Brussels (winter time)
    const path = await h.start();
    await path.act('changePhase', { to: 'focus', reason: 'ready_for_next_step' });
    await path.act('signAgreement', { goalNoteId: GOAL_NOTE_ID, commitments: ['open_house'] });
    // Six weeks without contact: 12 April, 09:00 summer time = 07:00 UTC.
    const checkIn = Date.UTC(year, 3, 12, 7);
    await h.skipTo(checkIn - 60_000);
    expect(path.tasks().filter((t) => t.kind === 'check_in')).toHaveLength(0);
    await h.skipTo(checkIn + 60_000);
    expect(path.tasks().filter((t) => t.kind === 'check_in').map((t) => t.dueAt)).toEqual([checkIn]);
  });
});
