import { scaleBytes } from '../core/byte-size.js';
import type { ConfigIssue } from '../core/errors.js';
import { SettingsFileTooLarge } from './read-settings-file.js';

/** A file that could not be read, as an issue a person can act on. */
export function readIssue(file: string, err: unknown): ConfigIssue {
  if (err instanceof SettingsFileTooLarge) {
    return {
      file,
      line: 1,
      column: 1,
      message: `The file is ${size(err.bytes)}; a settings file may be at most ${size(err.limit)} (config and rule files are a few KB). Check that this is the right file, or shorten it`,
    };
  }
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

function size(bytes: number): string {
  const { value, unit } = scaleBytes(bytes);
  return `${unit === 'B' ? value : value.toFixed(1)} ${unit}`;
}
