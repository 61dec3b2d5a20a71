import { isAbsolute, relative, sep } from 'node:path';

/** What intake does with an inbox entry that is a symbolic link. Pure, so each case is one row. */
export type LinkVerdict = { kind: 'take' } | { kind: 'set-aside'; message: string; hint: string };

/** The folder's link settings: `followLinks`, and the real paths no link may lead into. */
export interface LinkPolicy {
  /** The folder's `followLinks`: links whose target lies outside the inbox are followed too. */
  followLinks: boolean;
  /** Real paths of the folder's outbox and the state dir: a link into them is never followed. */
  never: { real: string; what: string }[];
}

const DEFAULT_POLICY: LinkPolicy = { followLinks: false, never: [] };

/**
 * A link that loops or dangles is always set aside with its reason; so is one whose real target lies
 * in the outbox or the state dir, whatever the folder says. Otherwise a link is taken when its real
 * target lies inside the inbox's real path, or anywhere with `followLinks`: by default nobody who can
 * write to a shared inbox makes the daemon read (or upload) other files.
 */
export function linkVerdict(
  inboxReal: string,
  target: { real: string } | { errno: string },
  policy: LinkPolicy = DEFAULT_POLICY,
): LinkVerdict {
  if ('errno' in target) {
    if (target.errno === 'ELOOP')
      return {
        kind: 'set-aside',
        message:
          'The file is a symbolic link that loops (it points back at itself, directly or through other links)',
        hint: 'Delete the link and put the video itself in the inbox.',
      };
    return {
      kind: 'set-aside',
      message: `The file is a symbolic link to nothing (${target.errno}: its target is missing)`,
      hint:
        'Put the video itself in the inbox, not a link to it. If the target was only copied in later, ' +
        'move the link back from _failed/ into the inbox now that it resolves.',
    };
  }
  const forbidden = policy.never.find((n) => within(n.real, target.real, true));
  if (forbidden)
    return {
      kind: 'set-aside',
      message: `The file is a symbolic link into the ${forbidden.what}; such links are never followed`,
      hint: `Copy the video itself into the inbox; links into the ${forbidden.what} are refused whatever \`followLinks\` says.`,
    };
  if (within(inboxReal, target.real, false)) return { kind: 'take' };
  if (policy.followLinks && target.real !== inboxReal) return { kind: 'take' };
  return {
    kind: 'set-aside',
    message:
      'The file is a symbolic link to a file outside the inbox; links out of an inbox are not followed',
    hint: 'Copy the video itself into the inbox instead of a link to it, or set `followLinks: true` on this folder to convert such links.',
  };
}

/** `path` lies inside folder `dir` (or is `dir` itself, when `orSame`). */
function within(dir: string, path: string, orSame: boolean): boolean {
  const rel = relative(dir, path);
  if (rel === '') return orSame;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** One line saying which policy applies to a link in this folder, for `explain`. */
export function linkPolicyText(policy: Pick<LinkPolicy, 'followLinks'>): string {
  return policy.followLinks
    ? 'followLinks: true (links out of the inbox are followed; links into the outbox or state dir, loops and dangling links are set aside)'
    : 'followLinks: false (only links to files inside the inbox are followed; links out of it, loops and dangling links are set aside)';
}
