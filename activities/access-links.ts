import { createHmac, timingSafeEqual } from 'node:crypto';
import { addDays, addSpan, localTimeToInstant, toLocalDate, type CalendarSpan } from '../domain/calendar.js';
import type { Db } from '../infra/supabase/client.js';
import type { Database } from '../supabase/types.js';

/**
 * Signed links for people without an account: a participant's own page and a partner's answer
 * to a warm referral. The token carries the link's id, the participant, the purpose and the
 * expiry under an HMAC, so a changed byte, another person's id or an old link is refused before
 * the database is asked; the database row (public.access_links) then decides revocation and
 * erasure. The token itself is never stored: whoever holds it holds the link.
 *
 * Layout (base64url, 72 characters): version (1 byte) · link id (16) · participant id (16) ·
 * purpose (1) · expiry in Unix seconds (4) · HMAC-SHA256 of those 38 bytes, first 16 bytes.
 */

export type LinkPurpose = Database['public']['Enums']['access_link_purpose'];
export type AccessLink = Database['public']['Tables']['access_links']['Row'];

const VERSION = 1;
const PURPOSE_CODES: Record<LinkPurpose, number> = { participant_page: 1, referral: 2 };
const PAYLOAD_BYTES = 38;
const MAC_BYTES = 16;

/** Where each kind of link opens, under PUBLIC_URL. */
export const LINK_PATHS: Record<LinkPurpose, string> = { participant_page: '/mijn-pad', referral: '/doorverwijzing' };

export function linkUrl(publicUrl: string, purpose: LinkPurpose, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}${LINK_PATHS[purpose]}/${token}`;
}

function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function mac(secret: string, payload: Buffer): Buffer {
  return createHmac('sha256', `access-link:${secret}`).update(payload).digest().subarray(0, MAC_BYTES);
}

export interface LinkClaims {
  linkId: string;
  participantId: string;
  purpose: LinkPurpose;
  /** Unix seconds. */
  expiresAt: number;
}

export function signLink(secret: string, claims: LinkClaims): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(VERSION, 0);
  uuidBytes(claims.linkId).copy(payload, 1);
  uuidBytes(claims.participantId).copy(payload, 17);
  payload.writeUInt8(PURPOSE_CODES[claims.purpose], 33);
  payload.writeUInt32BE(claims.expiresAt, 34);
  return Buffer.concat([payload, mac(secret, payload)]).toString('base64url');
}

/** The claims of a genuine token, or null: wrong length, unknown version or purpose, or a signature that does not match. */
export function readLink(secret: string, token: string): LinkClaims | null {
  if (!/^[A-Za-z0-9_-]{72}$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES) return null;
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), mac(secret, payload))) return null;
  if (payload.readUInt8(0) !== VERSION) return null;
  const purpose = (Object.keys(PURPOSE_CODES) as LinkPurpose[]).find((p) => PURPOSE_CODES[p] === payload.readUInt8(33));
  if (!purpose) return null;
  return {
    linkId: uuidText(payload.subarray(1, 17)),
    participantId: uuidText(payload.subarray(17, 33)),
    purpose,
    expiresAt: payload.readUInt32BE(34),
  };
}

/** A link works until the end of the local day (Brussels) that lies `validity` after today. */
export function linkExpiry(now: number, validity: CalendarSpan): number {
  return localTimeToInstant(addDays(addSpan(toLocalDate(now), validity), 1), 0);
}

function check<T>(result: { data: T; error: { message: string } | null }, what: string): T {
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  return result.data;
}

export interface IssuedLink {
  id: string;
  token: string;
  expiresAt: Date;
}

/** Makes a new link and returns its token (shown or mailed once; only the row is kept). */
export async function issueLink(
  db: Db,
  secret: string,
  o: { participantId: string; siteId: string; purpose: LinkPurpose; referralId?: string; createdBy?: string; validity: CalendarSpan; now?: number },
): Promise<IssuedLink> {
  const expiresAt = new Date(linkExpiry(o.now ?? Date.now(), o.validity));
  const row = check(
    await db
      .from('access_links')
      .insert({
        participant_id: o.participantId,
        site_id: o.siteId,
        purpose: o.purpose,
        referral_id: o.referralId ?? null,
        created_by: o.createdBy ?? null,
        expires_at: expiresAt.toISOString(),
      })
      .select('id')
      .single(),
    'issue link',
  );
  if (!row) throw new Error('issue link: no row returned');
  const token = signLink(secret, { linkId: row.id, participantId: o.participantId, purpose: o.purpose, expiresAt: Math.floor(expiresAt.getTime() / 1000) });
  return { id: row.id, token, expiresAt };
}

/**
 * The link a token stands for, if it still works: genuine, for this purpose, not expired, not
 * revoked, and its person not erased. Every way of failing gives the same null, so a page can
 * answer every bad link alike and reveal nothing.
 */
export async function openLink(db: Db, secret: string, token: string, purpose: LinkPurpose, now = Date.now()): Promise<AccessLink | null> {
  const claims = readLink(secret, token);
  if (!claims || claims.purpose !== purpose || claims.expiresAt * 1000 <= now) return null;
  const link = check(await db.from('access_links').select('*').eq('id', claims.linkId).maybeSingle(), 'open link');
  if (!link || link.participant_id !== claims.participantId || link.purpose !== purpose || link.revoked_at !== null) return null;
  if (Date.parse(link.expires_at) <= now) return null;
  const person = check(await db.from('participants').select('erased_at').eq('id', link.participant_id).maybeSingle(), 'open link');
  if (!person || person.erased_at !== null) return null;
  return link;
}

/** Records a use of a link: 'view' when the page is opened, or what the person did there. */
export async function recordLinkUse(db: Db, link: AccessLink, action = 'view'): Promise<void> {
  check(await db.from('access_link_views').insert({ link_id: link.id, participant_id: link.participant_id, site_id: link.site_id, action }), 'record link use');
}

/** Revokes a link for good; a second revocation keeps the first time. */
export async function revokeLink(db: Db, linkId: string, by: string): Promise<void> {
  check(await db.from('access_links').update({ revoked_at: new Date().toISOString(), revoked_by: by }).eq('id', linkId).is('revoked_at', null), 'revoke link');
}

/**
 * The participant-page links a batch of emails carries, one per participant: a link the system
 * made for an earlier email that still works for at least `minLeft`, or else a new one (made for
 * all who need one in a single insert). The token is signed again from the link's row (the
 * signature covers only what the row holds), so a batch rendered twice (a retry after a crash)
 * carries the same links, and a participant does not collect a link per email.
 */
export async function participantPageLinksForEmails(
  db: Db,
  secret: string,
  o: { participants: Array<{ participantId: string; siteId: string }>; validity: CalendarSpan; minLeft: CalendarSpan; now?: number },
): Promise<Map<string, string>> {
  const now = o.now ?? Date.now();
  const tokens = new Map<string, string>();
  const sign = (row: { id: string; participant_id: string; expires_at: string }) =>
    tokens.set(row.participant_id, signLink(secret, { linkId: row.id, participantId: row.participant_id, purpose: 'participant_page', expiresAt: Math.floor(Date.parse(row.expires_at) / 1000) }));
  const ids = [...new Set(o.participants.map((p) => p.participantId))];
  if (ids.length === 0) return tokens;
  const reusable =
    check(
      await db
        .from('access_links')
        .select('id, participant_id, expires_at')
        .in('participant_id', ids)
        .eq('purpose', 'participant_page')
        .is('created_by', null)
        .is('revoked_at', null)
        .gte('expires_at', new Date(linkExpiry(now, o.minLeft)).toISOString())
        .order('expires_at', { ascending: false }),
      'find email links',
    ) ?? [];
  // The longest-working link of each person (the list is ordered by expiry, latest first).
  for (const row of reusable) if (!tokens.has(row.participant_id)) sign(row);
  const missing = o.participants.filter((p, i, all) => !tokens.has(p.participantId) && all.findIndex((q) => q.participantId === p.participantId) === i);
  if (missing.length > 0) {
    const expiresAt = new Date(linkExpiry(now, o.validity)).toISOString();
    const made =
      check(
        await db
          .from('access_links')
          .insert(missing.map((p) => ({ participant_id: p.participantId, site_id: p.siteId, purpose: 'participant_page' as const, expires_at: expiresAt })))
          .select('id, participant_id, expires_at'),
        'issue email links',
      ) ?? [];
    for (const row of made) sign(row);
  }
  return tokens;
}

export interface LinkSummary {
  id: string;
  createdAt: string;
  /** A coach or staff member; null when the system made it for an email. */
  createdBy: string | null;
  expiresAt: string;
  revokedAt: string | null;
  /** The last time the page was opened with this link. */
  lastViewedAt: string | null;
  views: number;
}

/** A participant's links of one purpose, newest first, with their views (no tokens: they are not stored). */
export async function linksOf(db: Db, participantId: string, purpose: LinkPurpose, limit = 20): Promise<LinkSummary[]> {
  const links = check(
    await db
      .from('access_links')
      .select('id, created_at, created_by, expires_at, revoked_at')
      .eq('participant_id', participantId)
      .eq('purpose', purpose)
      .order('created_at', { ascending: false })
      .limit(limit),
    'list links',
  ) ?? [];
  if (links.length === 0) return [];
  const views = check(
    await db
      .from('access_link_views')
      .select('link_id, at')
      .in(
        'link_id',
        links.map((l) => l.id),
      )
      .eq('action', 'view')
      .order('at', { ascending: false }),
    'list link views',
  ) ?? [];
  return links.map((l) => {
    const own = views.filter((v) => v.link_id === l.id);
    return { id: l.id, createdAt: l.created_at, createdBy: l.created_by, expiresAt: l.expires_at, revokedAt: l.revoked_at, lastViewedAt: own[0]?.at ?? null, views: own.length };
  });
}
