import { isAbsolute, relative, sep } from 'node:path';

/** What intake does with an inbox entry that is a symbolic link. Pure, so each case is one row. */
export type LinkVerdict = { kind: 'take' } | { kind: 'set-aside'; message: string; hint: string };

/**
 * A link is taken only when its real target lies inside the inbox's real path; a link out of the inbox, a loop and a dangling link are set aside with their
 * reason, so nobody who can write to a shared inbox makes the daemon read (or upload) other files.
 */
export function linkVerdict(inboxReal: string, target: { real: string } | { errno: string }): LinkVerdict {
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
  const rel = relative(inboxReal, target.real);
  const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  if (inside) return { kind: 'take' };
  return {
    kind: 'set-aside',
    message:
      'The file is a symbolic link to a file outside the inbox; links out of an inbox are not followed',
    hint: 'Copy the video itself into the inbox instead of a link to it.',
  };
}
