import { sessionCookie } from './sessions.js';
import type { TestStack } from './stack.js';
import { until } from './until.js';

/**
 * Requests against the test stack's app, as the API's clients and the web pages' browsers send
 * them: JSON with a bearer token, or a form with the session cookie and the page's Origin.
 */

export const ORIGIN = 'http://localhost';

export interface Person {
  id: string;
  token: string;
}

export function api(stack: TestStack, path: string, o: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  return stack.app.request(`${ORIGIN}${path}`, { method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'), headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export { sessionCookie };

/** A page, as a signed-in browser asks for it. */
export function page(stack: TestStack, path: string, token?: string) {
  return stack.app.request(`${ORIGIN}${path}`, { headers: token ? { cookie: sessionCookie(token) } : {}, redirect: 'manual' });
}

/** A form post from one of our own pages (urlencoded, with the Origin a browser sends). */
export function submit(stack: TestStack, path: string, values: Record<string, string | string[]>, o: { token?: string; origin?: string | null } = {}) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (o.origin !== null) headers.origin = o.origin ?? ORIGIN;
  if (o.token) headers.cookie = sessionCookie(o.token);
  return stack.app.request(`${ORIGIN}${path}`, { method: 'POST', headers, body: body.toString(), redirect: 'manual' });
}

export { until };

/**
 * Waits until the outbox pipeline is idle: nothing queued or being sent in email_log. A check
 * that something was *not* sent again runs after this, instead of after a fixed sleep.
 */
export async function emailsSettled(stack: TestStack): Promise<void> {
  await until(async () => {
    const { rows } = await stack.sql.query<{ n: number }>("select count(*)::int as n from public.email_log where status in ('queued', 'sending')");
    return rows[0]!.n === 0 ? true : undefined;
  }, 'every queued email sent');
}

/**
 * The ESF+ entry answers staff give at the desk in most tests: a complete record, so the intake
 * makes no "complete the ESF+ record" task (tests/api-esf-entry.test.ts covers the incomplete ones).
 */
export const COMPLETE_ESF_ENTRY = { labourStatus: 'unemployed', education: 'isced_3_4', gender: 'female' } as const;

/** Takes a participant in through the API as staff; returns the participant id. */
export async function takeIn(
  stack: TestStack,
  staff: Person,
  siteId: string,
  o: { firstName?: string; lastName?: string; coachId?: string; referralSource?: string; email?: string } = {},
) {
  const res = await api(stack, '/api/intakes', {
    token: staff.token,
    body: {
      siteId,
      firstName: o.firstName ?? 'Lotte',
      lastName: o.lastName ?? `Peeters-${Math.floor(Math.random() * 1e9)}`,
      birthDate: '1990-04-12',
      referralSource: o.referralSource ?? 'ocmw',
      ...COMPLETE_ESF_ENTRY,
      ...(o.coachId ? { coachId: o.coachId } : {}),
      ...(o.email ? { email: o.email, consentEmail: true } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`intake: ${res.status} ${await res.text()}`);
  return (await json<{ participantId: string }>(res)).participantId;
}

/** Registers `count` participants through the real intake, as staff at the desk would. */
export async function registerParticipants(
  stack: TestStack,
  o: { staff: Person; siteId: string; coachId: string; count: number; lastName: string; withEmail?: boolean },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < o.count; i += 1) {
    const email = o.withEmail ? { email: `${o.lastName.toLowerCase()}${i}@example.be`, consentEmail: true } : {};
    const res = await api(stack, '/api/intakes', {
      token: o.staff.token,
      body: { siteId: o.siteId, firstName: `Deelnemer${i}`, lastName: o.lastName, birthDate: '1980-06-15', referralSource: 'vdab', coachId: o.coachId, ...COMPLETE_ESF_ENTRY, ...email },
    });
    if (res.status !== 201) throw new Error(`intake ${i}: ${res.status} ${await res.text()}`);
    ids.push((await json<{ participantId: string }>(res)).participantId);
  }
  return ids;
}

/** Two sites and the people the API tests act as: staff, two coaches and a coordinator here, staff and a coordinator elsewhere. */
export async function peopleAtTwoSites(stack: TestStack) {
  const siteId = await stack.site();
  const otherSiteId = await stack.site('Stuyfplek Elders');
  return {
    siteId,
    otherSiteId,
    staff: await stack.person('staff', siteId),
    coach: await stack.person('coach', siteId),
    coach2: await stack.person('coach', siteId),
    coordinator: await stack.person('coordinator', siteId),
    staffElsewhere: await stack.person('staff', otherSiteId),
    coordinatorElsewhere: await stack.person('coordinator', otherSiteId),
  };
}
