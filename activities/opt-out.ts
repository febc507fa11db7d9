import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opt-out links carry the person's id and a signature, so an email can be unsubscribed from
 * without signing in and nobody can unsubscribe someone else by guessing ids.
 */
export function optOutToken(personId: string, secret: string): string {
  return createHmac('sha256', secret).update(`opt-out:${personId}`).digest('base64url');
}

export function optOutUrl(publicUrl: string, personId: string, secret: string): string {
  return `${publicUrl.replace(/\/$/, '')}/afmelden/${personId}/${optOutToken(personId, secret)}`;
}

export function verifyOptOut(personId: string, token: string, secret: string): boolean {
  const expected = Buffer.from(optOutToken(personId, secret));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
