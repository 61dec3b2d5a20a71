/**
 * The cluster's job identity, as Immich builds BullMQ job ids from what they are about: the same
 * content under the same rule version is the same job, whichever node found it and under whatever
 * name, so BullMQ turns a second `add` of it into a no-op. Pure.
 */
export function clusterJobId(contentHash: string, ruleVersion: string): string {
  return `v1-${safe(contentHash)}-${safe(ruleVersion)}`;
}

/** The done-set field for a content under a rule version (the same pair as the journal's index). */
export function doneKey(contentHash: string, ruleVersion: string): string {
  return `${safe(contentHash)}:${safe(ruleVersion)}`;
}

/** What every done-set field of a content starts with, whatever its rule version. */
export function doneKeyPrefix(contentHash: string): string {
  return `${safe(contentHash)}:`;
}

/** BullMQ reserves ':' in ids, and a custom id must not look like an integer. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, '_');
}
