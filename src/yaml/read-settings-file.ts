import { open } from 'node:fs/promises';

/** Config and rule files are a few KB; anything past this is a wrong file or an attack. */
export const SETTINGS_MAX_BYTES = 1024 * 1024;

/** Thrown (with `code` 'ETOOBIG') for a settings file over the limit; `readIssue` words it. */
export class SettingsFileTooLarge extends Error {
  readonly code = 'ETOOBIG';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`The file is larger than ${limit} bytes`);
  }
}

/**
 * Reads a settings file as UTF-8, refusing one over `limit` bytes before reading it whole (also
 * when it grows while read, or is a device that never ends), so a huge file costs neither memory
 * nor parsing time.
 */
export async function readSettingsFile(file: string, limit = SETTINGS_MAX_BYTES): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw Object.assign(new Error('Is a directory'), { code: 'EISDIR' });
    if (st.size > limit) throw new SettingsFileTooLarge(st.size, limit);
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limit) throw new SettingsFileTooLarge(Math.max(length, st.size), limit);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
