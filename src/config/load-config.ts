import { readFile } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { defaultStateDir, expandHome } from '../core/paths.js';
import { registerSecret } from '../core/secrets.js';
import type { Config } from './config.js';
import { ConfigFileSchema, type ConfigFile } from './config-schema.js';
import { readIssue } from '../yaml/read-issue.js';
import { parseYamlSource, zodIssuesToConfigIssues, type YamlSource } from '../yaml/yaml-source.js';

type Env = Record<string, string | undefined>;

export interface LoadConfigOptions {
  /** CPU cores, for the default local limit. */
  cores?: number;
  home?: string;
  platform?: NodeJS.Platform;
}

/**
 * Reads, validates and resolves the config at `path`. Throws ConfigError whose issues point at
 * file:line:column. `NEMO_API_BASE`, `NEMO_TOKEN` and `VIDEO_INBOX_HTTP_PORT` in `env` win over the file; the token is
 * registered as a secret so it is redacted everywhere.
 */
export async function loadConfig(
  path: string,
  env: Env = process.env,
  options: LoadConfigOptions = {},
): Promise<Config> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([readIssue(file, err)], {
      cause: err,
      hint: 'Create one with `video-inbox init`, or point --config (or $VIDEO_INBOX_CONFIG) at an existing file.',
    });
  }
  const result = parseConfig(text, file, env, options);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

export type ParseConfigResult =
  { ok: true; config: Config } | { ok: false; issues: ConfigIssue[]; source: YamlSource };

/** The pure part of `loadConfig`: text in, resolved config or positioned issues out. */
export function parseConfig(
  text: string,
  file: string,
  env: Env = {},
  options: LoadConfigOptions = {},
): ParseConfigResult {
  const source = parseYamlSource(text, file);
  if (source.issues.length > 0) return { ok: false, issues: source.issues, source };
  // An empty file is a valid (if useless) config: every key has a default.
  const parsed = ConfigFileSchema.safeParse(source.data ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      issues: zodIssuesToConfigIssues(source, parsed.error.issues, ConfigFileSchema),
      source,
    };
  }
  const issues: ConfigIssue[] = [];
  const config = resolveConfig(parsed.data, file, env, options);
  const envBase = env.NEMO_API_BASE;
  if (envBase !== undefined && envBase !== '') {
    const ok = /^https?:\/\/[^\s]+$/.test(envBase) && URL.canParse(envBase);
    if (ok) config.api.baseUrl = envBase;
    else
      issues.push({
        file: '$NEMO_API_BASE',
        message: `Expected an http:// or https:// URL, got "${envBase}"`,
      });
  }
  issues.push(...httpPortFromEnv(config, env));
  issues.push(...overlapIssues(config, source));
  if (issues.length > 0) return { ok: false, issues, source };
  return { ok: true, config };
}

function resolveConfig(raw: ConfigFile, file: string, env: Env, options: LoadConfigOptions): Config {
  const home = options.home ?? homedir();
  const base = dirname(file);
  const toAbsolute = (p: string) => resolve(base, expandHome(p, home));
  // A bare command name ("ffmpeg") is looked up on PATH; only something path-like resolves here.
  const toCommand = (p: string | undefined) =>
    p === undefined ? undefined : p.includes('/') || p.startsWith('~') ? toAbsolute(p) : p;
  const token = env.NEMO_TOKEN || raw.api.token;
  registerSecret(token);
  const notifyObjects = [raw.notify, ...raw.folders.map((f) => f.notify)];
  for (const n of notifyObjects)
    if (n && typeof n !== 'string') for (const w of n.webhooks) registerSecret(w.secret);
  const cores = options.cores ?? availableParallelism();
  return {
    file,
    api: { ...raw.api, token },
    stateDir: raw.stateDir ? toAbsolute(raw.stateDir) : defaultStateDir(env, options.platform, home),
    concurrency: raw.concurrency,
    limits: {
      uploads: raw.limits.uploads ?? 2,
      sse: raw.limits.sse ?? raw.concurrency,
      polls: raw.limits.polls ?? 4,
      local: raw.limits.local ?? Math.max(1, Math.floor(cores / 2)),
    },
    notify: typeof raw.notify === 'string' ? raw.notify : raw.notify.desktop ? 'desktop' : 'none',
    channels:
      typeof raw.notify === 'string'
        ? { webhooks: [], ntfy: [] }
        : { webhooks: raw.notify.webhooks, ntfy: raw.notify.ntfy },
    http: raw.http,
    schedule: raw.schedule,
    settleSeconds: raw.settleSeconds,
    rescanSeconds: raw.rescanSeconds,
    poll: raw.poll,
    ffmpegPath: toCommand(raw.ffmpegPath),
    ffprobePath: toCommand(raw.ffprobePath),
    maxUploadMB: raw.maxUploadMB,
    folders: raw.folders.map((f) => ({
      name: f.name,
      inbox: toAbsolute(f.inbox),
      outbox: toAbsolute(f.outbox),
      rules: toAbsolute(f.rules),
      poll: f.poll ?? raw.poll,
      ...(f.notify ? { channels: f.notify } : {}),
      ...(f.schedule ? { schedule: f.schedule } : {}),
    })),
  };
}

/**
 * Folders that would feed each other: an outbox inside an inbox means every output is picked up
 * again as a new input (a loop other watch-folder tools shipped), and two folders on one inbox race.
 */
function overlapIssues(config: Config, source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (i: number, key: string, message: string) =>
    issues.push({
      file: config.file,
      ...source.locate(['folders', i, key]),
      path: `folders[${i}].${key}`,
      message,
    });
  config.folders.forEach((folder, i) => {
    config.folders.forEach((other, j) => {
      if (isInside(folder.outbox, other.inbox)) {
        at(
          i,
          'outbox',
          `The outbox is inside the inbox of "${other.name}"; outputs would be converted again`,
        );
      }
      if (j < i && folder.inbox === other.inbox) {
        at(i, 'inbox', `The inbox is already watched by "${other.name}"`);
      }
    });
  });
  return issues;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** `$VIDEO_INBOX_HTTP_PORT` wins over `http.port` (0 picks a free port); `http: false` stays off. */
function httpPortFromEnv(config: Config, env: Env): ConfigIssue[] {
  const raw = env.VIDEO_INBOX_HTTP_PORT;
  if (raw === undefined || raw === '' || config.http === false) return [];
  const port = Number(raw);
  if (/^\d+$/.test(raw) && port <= 65535) {
    config.http = { ...config.http, port };
    return [];
  }
  return [
    { file: '$VIDEO_INBOX_HTTP_PORT', message: `Expected a port number from 0 to 65535, got "${raw}"` },
  ];
}
