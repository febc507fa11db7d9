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

/** What a coach action needs to know about its participant: where they are, who follows them, whether they were forgotten. */
export interface ParticipantAccess {
  id: string;
  site_id: string;
  coach_id: string | null;
  erased_at: string | null;
}

/**
 * participantFor's rule for a coach action, without the personal data and kept briefly
 * (ACCESS_CACHE_SECONDS, deps.access), so that a coach's actions in a row read the row once.
 * runAction forgets a participant's entry when it changes their coach or forgets them.
 */
export async function participantAccessFor(deps: ApiDeps, user: SignedInUser, participantId: string): Promise<ParticipantAccess> {
  const load = async (id: string) => {
    const { data, error } = await deps.db.from('participants').select('id, site_id, coach_id, erased_at').eq('id', id).maybeSingle();
    if (error) throw new Error(`read participant: ${error.message}`);
    return data;
  };
  const access = deps.access ? await deps.access.get(participantId, load) : await load(participantId);
  if (!access) throw new ApiError('not_found', 'Deze deelnemer bestaat niet.');
  const allowed = (user.role === 'coach' && access.coach_id === user.id) || (user.role === 'staff' && access.site_id === user.siteId);
  if (!allowed) throw new ApiError('forbidden', 'Je volgt deze deelnemer niet op.');
  return access;
}
