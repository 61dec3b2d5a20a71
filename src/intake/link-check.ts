import type { FolderConfig } from '../config/config.js';
import type { OutboxFs } from '../outbox/outbox-fs.js';
import { linkVerdict, type LinkPolicy, type LinkVerdict } from './link-policy.js';

export interface LinkCheck {
  /** What the link says (`readlink`), as written: relative links are relative to the link's folder. */
  text: string;
  /** Its real target, or the error that resolving it gave (ELOOP, ENOENT). */
  target: { real: string } | { errno: string };
  verdict: LinkVerdict;
}

/**
 * The link policy applied to an inbox entry on disk: undefined when `path` is not a symbolic link.
 * The outbox and state dir are compared by their real paths, so a link through another link into
 * them is caught too.
 */
export async function checkLink(
  path: string,
  folder: Pick<FolderConfig, 'inbox' | 'outbox' | 'followLinks'>,
  stateDir: string | undefined,
  fs: Pick<OutboxFs, 'lstat' | 'realpath' | 'readlink'>,
): Promise<LinkCheck | undefined> {
  const st = await fs.lstat(path).catch(() => undefined);
  if (!st?.isSymbolicLink()) return undefined;
  const text = await fs.readlink(path).catch(() => '');
  const target = await fs.realpath(path).then(
    (real) => ({ real }),
    (err: unknown) => ({ errno: (err as NodeJS.ErrnoException).code ?? 'ENOENT' }),
  );
  const real = (p: string) => fs.realpath(p).catch(() => p);
  const never: LinkPolicy['never'] = [{ real: await real(folder.outbox), what: 'outbox' }];
  if (stateDir) never.push({ real: await real(stateDir), what: 'state dir' });
  const policy: LinkPolicy = { followLinks: folder.followLinks === true, never };
  return { text, target, verdict: linkVerdict(await real(folder.inbox), target, policy) };
}
