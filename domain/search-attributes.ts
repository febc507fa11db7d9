import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes of a path, so the Temporal UI and `temporal workflow list --query
 * "Phase='focus'"` find participants. Codes and ids only. The local stack registers them at
 * start; a hosted namespace needs `temporal operator search-attribute create` once (README).
 */
export const PhaseAttribute = defineSearchAttributeKey('Phase', SearchAttributeType.KEYWORD);
export const CoachAttribute = defineSearchAttributeKey('CoachId', SearchAttributeType.KEYWORD);
export const SiteAttribute = defineSearchAttributeKey('SiteId', SearchAttributeType.KEYWORD);
export const PathStatusAttribute = defineSearchAttributeKey('PathStatus', SearchAttributeType.KEYWORD);

export const PATH_SEARCH_ATTRIBUTES = [PhaseAttribute, CoachAttribute, SiteAttribute, PathStatusAttribute];
