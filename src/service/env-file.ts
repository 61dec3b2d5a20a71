import { parseEnv } from 'node:util';
import { VideoInboxError } from '../core/errors.js';

/**
 * Variables the service needs from the installing shell. They go to an env file readable only by the
 * user, never inline in the unit or plist (those are world-readable and end up in `systemctl show`).
 * XDG_STATE_HOME is here because the daemon derives its default state dir from it: without it, the
 * service would use another state dir than the one install made writable.
 */
export const SERVICE_ENV_KEYS = ['NEMO_TOKEN', 'NEMO_API_BASE', 'XDG_STATE_HOME'] as const;

/** Keys whose values are secrets: never printed, not even by `--dry-run`. */
export const SECRET_ENV_KEYS: ReadonlySet<string> = new Set(['NEMO_TOKEN']);

export type EnvVars = Record<string, string>;

const SAFE_VALUE = /^[A-Za-z0-9_./:@+=,~-]*$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `KEY=value` lines in the subset both systemd's EnvironmentFile and Node's `process.loadEnvFile` /
 * `util.parseEnv` read the same way: plain values bare, others in double quotes; backslashes, double
 * quotes and line breaks are refused because the two parsers treat them differently.
 */
export function renderEnvFile(vars: EnvVars): string {
  const lines = [
    '# Environment for the video-inbox service (mode 0600: only you can read it).',
    '# Written by `video-inbox service install`; edit it, then restart the service.',
  ];
  for (const [key, value] of Object.entries(vars)) {
    if (!KEY.test(key)) throw envError(`Not a valid variable name: ${JSON.stringify(key)}`);
    if (/["\\\n\r]/.test(value)) throw envError(`${key} holds a quote, backslash or line break`);
    lines.push(`${key}=${SAFE_VALUE.test(value) ? value : `"${value}"`}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads what `renderEnvFile` writes (and hand edits: comments, blanks, `export`, quotes) with Node's
 * own parser, the one `process.loadEnvFile` uses; lines that name no valid variable are skipped.
 */
export function parseEnvFile(text: string): EnvVars {
  const vars: EnvVars = {};
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (KEY.test(key) && value !== undefined) vars[key] = value;
  }
  return vars;
}

/**
 * The env file after an install: what it held, with values from the installing environment winning,
 * so a token added by hand survives a reinstall from a shell that lacks it.
 */
export function mergeServiceEnv(existing: EnvVars, env: Record<string, string | undefined>): EnvVars {
  const merged: EnvVars = { ...existing };
  for (const key of SERVICE_ENV_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  return merged;
}

function envError(message: string): VideoInboxError {
  return new VideoInboxError('CONFIG_INVALID', message, {
    hint: 'Set the variable to a value without quotes, backslashes or line breaks, then install again.',
  });
}
