import { isUtf8 } from 'node:buffer';
import { link, lstat, rename, unlink } from 'node:fs/promises';
import { extname } from 'node:path';

type Piece = { char: string } | { byte: number };

/** The bytes of a name as UTF-8 characters where they are valid, and single bytes where not. */
function pieces(raw: Buffer): Piece[] {
  const out: Piece[] = [];
  for (let i = 0; i < raw.length;) {
    const b = raw[i]!;
    const n =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const seq = raw.subarray(i, i + n);
    if (n > 0 && seq.length === n && isUtf8(seq)) {
      out.push({ char: seq.toString('utf8') });
      i += n;
    } else {
      out.push({ byte: b });
      i += 1;
    }
  }
  return out;
}

/** Whether a name read as bytes is not valid UTF-8 (Node would show it with U+FFFD and lose it). */
export function isUndecodable(raw: Buffer): boolean {
  return !isUtf8(raw);
}

/**
 * A valid UTF-8 name for raw bytes: valid sequences kept, each other byte read as Latin-1 (the usual
 * origin: `café` from an old Windows share or zip) or `_` for control bytes and the no-break space. Pure.
 */
export function readableName(raw: Buffer): string {
  return pieces(raw)
    .map((p) => ('char' in p ? p.char : p.byte > 0xa0 ? String.fromCharCode(p.byte) : '_'))
    .join('');
}

/** The raw name for a log line: valid characters as they are, other bytes as `\xNN`. Pure. */
export function escapedName(raw: Buffer): string {
  return pieces(raw)
    .map((p) => ('char' in p ? p.char : `\\x${p.byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/**
 * Gives the entry `rawName` in `dir` its readable name (numbered ` (1)` when taken), never replacing
 * anything: files are hard-linked then unlinked; folders, and disks without links, are renamed once
 * the name is seen to be free. Returns the new path, or the error code that stopped it.
 */
export async function renameReadable(
  dir: string,
  rawName: Buffer,
): Promise<{ ok: true; path: string } | { ok: false; code: string }> {
  const from = Buffer.concat([Buffer.from(`${dir}/`), rawName]);
  const name = readableName(rawName);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  try {
    const isDir = (await lstat(from)).isDirectory();
    for (let n = 0; n < 100; n++) {
      const to = `${dir}/${n === 0 ? name : `${stem} (${n})${ext}`}`;
      if (!isDir) {
        try {
          await link(from, to);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') continue;
          if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
          if (await taken(to)) continue;
          await rename(from, to);
          return { ok: true, path: to };
        }
        await unlink(from);
        return { ok: true, path: to };
      }
      if (await taken(to)) continue;
      await rename(from, to);
      return { ok: true, path: to };
    }
    return { ok: false, code: 'EEXIST' };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code ?? 'UNKNOWN' };
  }
}

async function taken(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
