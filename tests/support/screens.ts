import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { seriousViolations } from './axe.js';

/** Where browser tests save a screenshot of every page, for a person to look at (git-ignored). */
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

/** Checks that the page fits the phone (nothing sticks out sideways) and passes axe-core, and saves its screenshot. */
export async function snap(page: Page, name: string): Promise<void> {
  // Phone width: nothing may stick out sideways.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${name} is wider than the phone`).toBeLessThanOrEqual(390);
  // Nor does any text stick out of its box (tables may scroll sideways in their own frame).
  const sticking = await page.evaluate(() =>
    [...document.querySelectorAll('header *, main *')]
      .filter((el) => !el.closest('.table-wrap') && (el as HTMLElement).offsetParent !== null && el.getBoundingClientRect().right > document.documentElement.clientWidth - 8)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}: ${(el.textContent ?? '').slice(0, 40)}`),
  );
  expect(sticking, `${name}: content beyond the right margin`).toEqual([]);
  // Every page the browser tests see is held to axe-core: no serious or critical violation.
  expect(await seriousViolations(page), `${name}: serious or critical accessibility violations`).toEqual([]);
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
