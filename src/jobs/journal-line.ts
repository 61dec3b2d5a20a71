import { crc32 } from 'node:zlib';
import { JOB_STATES, type JobRecord } from '../domain/job.js';

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

/**
 * The first line of a compacted log: `<crc32> {"snapshot":"<token>"}`. The token names the keys file
 * written with this log; a keys file with another token belongs to another log and is ignored.
 */
export function encodeMarker(token: string): Buffer {
  const json = JSON.stringify({ snapshot: token });
  return Buffer.from(`${checksum(json)} ${json}\n`, 'utf8');
}

/** The token of a marker line (without its newline), or undefined when the line is not one. */
export function decodeMarker(line: string): string | undefined {
  if (line.indexOf(' ') !== 8 || !line.includes('"snapshot"')) return undefined;
  const json = line.slice(9);
  if (checksum(json) !== line.slice(0, 8)) return undefined;
  try {
    const value = JSON.parse(json) as { snapshot?: unknown };
    return typeof value.snapshot === 'string' ? value.snapshot : undefined;
  } catch {
    return undefined;
  }
}
