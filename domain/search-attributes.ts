import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes of a path, so the Temporal UI and `temporal workflow list --query
 * "Phase='focus'"` find participants. Codes and ids only. A namespace gets them from
 * `npm run temporal:setup` (infra/temporal/cluster-setup.ts), once; the worker and the API refuse
 * to start without them. The local dev server is started with them.
 */
export const PhaseAttribute = defineSearchAttributeKey('Phase', SearchAttributeType.KEYWORD);
export const CoachAttribute = defineSearchAttributeKey('CoachId', SearchAttributeType.KEYWORD);
export const SiteAttribute = defineSearchAttributeKey('SiteId', SearchAttributeType.KEYWORD);
export const PathStatusAttribute = defineSearchAttributeKey('PathStatus', SearchAttributeType.KEYWORD);

export const PATH_SEARCH_ATTRIBUTES = [PhaseAttribute, CoachAttribute, SiteAttribute, PathStatusAttribute];
