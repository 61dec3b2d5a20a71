import type { ConfigIssue } from '../core/errors.js';

/** A file that could not be read, as an issue a person can act on. */
export function readIssue(file: string, err: unknown): ConfigIssue {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message =
    code === 'ENOENT'
      ? 'File not found'
      : code === 'EACCES'
        ? 'Permission denied while reading the file'
        : code === 'EISDIR'
          ? 'Expected a file, found a folder'
          : `Cannot read the file: ${err instanceof Error ? err.message : String(err)}`;
  return { file, message };
}
