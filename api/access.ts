import { ApiError } from './errors.js';
import type { ApiDeps, SignedInUser } from './context.js';

/**
 * Who may see or act on a participant, the same rule as the database's row-level security:
 * a coach their own participants, staff their site; coordinators read figures only.
 */
export async function participantFor(deps: ApiDeps, user: SignedInUser, participantId: string) {
  const { data } = await deps.db
    .from('participants')
    .select('id, site_id, coach_id, first_name, last_name, email, phone, consent_email, opted_out_at, referral_source, erased_at, created_at')
    .eq('id', participantId)
    .maybeSingle();
  if (!data) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const allowed = (user.role === 'coach' && data.coach_id === user.id) || (user.role === 'staff' && data.site_id === user.siteId);
  if (!allowed) throw new ApiError('forbidden', 'Je volgt deze deelnemer niet op.');
  return data;
}
