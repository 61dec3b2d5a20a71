import { availableParallelism, homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../core/errors.js';
import { defaultStateDir, expandHome } from '../core/paths.js';
import { registerSecret } from '../core/secrets.js';
import { resolveClusterConfig } from './cluster-config.js';
import type { Config } from './config.js';
import { ConfigFileSchema, type ConfigFile } from './config-schema.js';
import { findOverlaps, overlapMessage, realFolderPlaces, type Overlap } from './folder-overlap.js';
import { readIssue } from '../yaml/read-issue.js';
import { readSettingsFile } from '../yaml/read-settings-file.js';
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
    text = await readSettingsFile(file);
  } catch (err) {
    throw new ConfigError([readIssue(file, err)], {
      cause: err,
      hint: 'Create one with `video-inbox init`, or point --config (or $VIDEO_INBOX_CONFIG) at an existing file.',
    });
  }
  const result = parseConfig(text, file, env, options);
  if (!result.ok) throw new ConfigError(result.issues);
  const overlaps = await realOverlapIssues(result.config, result.source);
  if (overlaps.length > 0) throw new ConfigError(overlaps);
  return result.config;
}

export type ParseConfigResult =
  { ok: true; config: Config; source: YamlSource } | { ok: false; issues: ConfigIssue[]; source: YamlSource };

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
  const cluster = config.cluster;
  if (cluster?.passwordEnv && !cluster.password) {
    issues.push({
      file,
      ...source.locate(['cluster', 'passwordEnv']),
      path: 'cluster.passwordEnv',
      message: `$${cluster.passwordEnv} is not set; put the Redis password there (or in the --env-file)`,
    });
  }
  if (issues.length > 0) return { ok: false, issues, source };
  return { ok: true, config, source };
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
    retrySeconds: raw.retrySeconds,
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
      ...(f.followLinks ? { followLinks: true } : {}),
      ...(f.notify ? { channels: f.notify } : {}),
      ...(f.schedule ? { schedule: f.schedule } : {}),
    })),
    ...(raw.cluster ? { cluster: resolveClusterConfig(raw.cluster, env) } : {}),
  };
}

/** Overlaps judged on the configured paths alone (see `realOverlapIssues` for links and mounts). */
function overlapIssues(config: Config, source: YamlSource): ConfigIssue[] {
  return findOverlaps(config.folders).map((o) => issueAt(config, source, o));
}

/**
 * Overlaps judged on the real folders: symlinks resolved and device:inode compared, so an outbox
 * that is a link (or a bind mount) into an inbox is refused like one written inside it. Checked at
 * every load, so a live reload keeps the last good config.
 */
export async function realOverlapIssues(config: Config, source: YamlSource): Promise<ConfigIssue[]> {
  const places = await realFolderPlaces(config.folders);
  return findOverlaps(places).map((o) => {
    const place = places[o.index]!;
    const real = o.key === 'inbox' ? place.inbox : place.outbox;
    const configured = config.folders[o.index]![o.key];
    return issueAt(config, source, o, real !== configured ? real : undefined);
  });
}

function issueAt(config: Config, source: YamlSource, o: Overlap, really?: string): ConfigIssue {
  return {
    file: config.file,
    ...source.locate(['folders', o.index, o.key]),
    path: `folders[${o.index}].${o.key}`,
    message: overlapMessage(o, really),
  };
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
