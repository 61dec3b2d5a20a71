import { crc32 } from 'node:zlib';
import { JOB_STATES, type JobRecord } from './job.js';

/**
 * One journal line: `<crc32 as 8 hex digits> <job as JSON>\n`. The checksum makes a torn or damaged
 * line detectable on its own, so one bad line never costs any other job.
 */
export function encodeLine(job: JobRecord): Buffer {
  const json = JSON.stringify(job);
  return Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
}

export type DecodedLine = { ok: true; job: JobRecord } | { ok: false; reason: string };

/** Decodes a line without its trailing newline. */
export function decodeLine(line: string): DecodedLine {
  const space = line.indexOf(' ');
  if (space !== 8) return { ok: false, reason: 'no checksum' };
  const json = line.slice(9);
  if (checksum(json) !== line.slice(0, 8)) return { ok: false, reason: 'checksum mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!looksLikeJob(value)) return { ok: false, reason: 'not a job record' };
  return { ok: true, job: value };
}

function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

function looksLikeJob(value: unknown): value is JobRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<JobRecord>;
  return (
    typeof v.id === 'string' &&
    typeof v.source === 'string' &&
    typeof v.contentHash === 'string' &&
    typeof v.ruleVersion === 'string' &&
    typeof v.state === 'string' &&
    JOB_STATES.includes(v.state) &&
    typeof v.remote === 'object' &&
    v.remote !== null
  );
}
