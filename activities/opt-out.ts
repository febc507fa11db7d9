import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../infra/supabase/client.js';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an opt-out link is genuine (signed for this id), without touching the database. */
export function isValidOptOut(personId: string, token: string, secret: string): boolean {
  return UUID.test(personId) && verifyOptOut(personId, token, secret);
}

export type OptOutResult = 'opted_out' | 'already_opted_out' | 'invalid';

/**
 * Records an opt-out from an email link: a participant's `opted_out_at`, or a coach's
 * `email_opted_out_at`. From then on the email activity sends them nothing (it checks on every
 * attempt). The first time is kept; a second click changes nothing.
 */
export async function recordOptOut(db: Db, personId: string, token: string, secret: string): Promise<OptOutResult> {
  if (!isValidOptOut(personId, token, secret)) return 'invalid';
  const now = new Date().toISOString();
  const participant = await db.from('participants').update({ opted_out_at: now }).eq('id', personId).is('opted_out_at', null).select('id');
  if (participant.error) throw new Error(`opt-out: ${participant.error.message}`);
  if (participant.data.length > 0) return 'opted_out';
  const knownParticipant = await db.from('participants').select('id').eq('id', personId).maybeSingle();
  if (knownParticipant.error) throw new Error(`opt-out: ${knownParticipant.error.message}`);
  if (knownParticipant.data) return 'already_opted_out';

  const profile = await db.from('profiles').update({ email_opted_out_at: now }).eq('id', personId).is('email_opted_out_at', null).select('id');
  if (profile.error) throw new Error(`opt-out: ${profile.error.message}`);
  if (profile.data.length > 0) return 'opted_out';
  const knownProfile = await db.from('profiles').select('id').eq('id', personId).maybeSingle();
  if (knownProfile.error) throw new Error(`opt-out: ${knownProfile.error.message}`);
  return knownProfile.data ? 'already_opted_out' : 'invalid';
}
