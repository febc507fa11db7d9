import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { linkExpiry, linkUrl, readLink, signLink, type LinkClaims } from '../activities/access-links.js';
import { parseSpan } from '../domain/calendar.js';

/**
 * The signature of the links of people without an account (activities/access-links.ts), without
 * a database: a token is only ever accepted exactly as it was signed, with our secret.
 */

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OTHER_SECRET = 'another-secret-that-is-long-enough-9876543210';

const claims = (o: Partial<LinkClaims> = {}): LinkClaims => ({
  linkId: randomUUID(),
  participantId: randomUUID(),
  purpose: 'participant_page',
  expiresAt: Math.floor(Date.UTC(2027, 0, 1) / 1000),
  ...o,
});

/** The token with the character at `index` replaced by another base64url character. */
function changedAt(token: string, index: number): string {
  const replacement = token[index] === 'A' ? 'B' : 'A';
  return `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
}

describe('signed links', () => {
  it('a token round-trips: the claims come back as they were signed', () => {
    const signed = claims();
    const token = signLink(SECRET, signed);
    expect(token).toMatch(/^[A-Za-z0-9_-]{72}$/);
    expect(readLink(SECRET, token)).toEqual(signed);
    const referral = claims({ purpose: 'referral' });
    expect(readLink(SECRET, signLink(SECRET, referral))).toEqual(referral);
  });

  it('one changed character anywhere fails, and so do a shorter or longer token', () => {
    const token = signLink(SECRET, claims());
    for (let i = 0; i < token.length; i += 1) expect(readLink(SECRET, changedAt(token, i)), `character ${i}`).toBeNull();
    expect(readLink(SECRET, token.slice(0, -1))).toBeNull();
    expect(readLink(SECRET, `${token}A`)).toBeNull();
    expect(readLink(SECRET, '')).toBeNull();
    expect(readLink(SECRET, `${token.slice(0, 71)}=`)).toBeNull();
  });

  it('another participant id, purpose or expiry fails: spliced into a genuine token, or signed with another secret', () => {
    const genuine = claims();
    const bytes = Buffer.from(signLink(SECRET, genuine), 'base64url');
    // Another participant's id over the genuine one (bytes 17–32), the signature kept.
    const otherPerson = Buffer.from(bytes);
    Buffer.from(randomUUID().replace(/-/g, ''), 'hex').copy(otherPerson, 17);
    expect(readLink(SECRET, otherPerson.toString('base64url'))).toBeNull();
    // Another link id (bytes 1–16).
    const otherLink = Buffer.from(bytes);
    Buffer.from(randomUUID().replace(/-/g, ''), 'hex').copy(otherLink, 1);
    expect(readLink(SECRET, otherLink.toString('base64url'))).toBeNull();
    // The other purpose (byte 33) and a later expiry (bytes 34–37).
    const otherPurpose = Buffer.from(bytes);
    otherPurpose.writeUInt8(2, 33);
    expect(readLink(SECRET, otherPurpose.toString('base64url'))).toBeNull();
    const later = Buffer.from(bytes);
    later.writeUInt32BE(genuine.expiresAt + 365 * 86_400, 34);
    expect(readLink(SECRET, later.toString('base64url'))).toBeNull();

    // Whole tokens made with another secret, for another person, purpose or expiry.
    for (const forged of [
      claims({ linkId: genuine.linkId }),
      { ...genuine, purpose: 'referral' as const },
      { ...genuine, expiresAt: genuine.expiresAt + 86_400 },
      genuine,
    ]) {
      expect(readLink(SECRET, signLink(OTHER_SECRET, forged))).toBeNull();
    }
  });

  it('a link works until the end of the local day (Brussels) `validity` after today', () => {
    // 29 November 2026, 11:00 in Brussels (UTC+1) + 30 days → works through 29 December.
    const now = Date.UTC(2026, 10, 29, 10);
    expect(new Date(linkExpiry(now, parseSpan('30 days'))).toISOString()).toBe('2026-12-29T23:00:00.000Z');
    expect(linkUrl('https://groeipad.example/', 'participant_page', 'TOKEN')).toBe('https://groeipad.example/mijn-pad/TOKEN');
  });
});
