import { z } from 'zod';
import { ClusterSchema } from './cluster-schema.js';
import { parseWindow } from '../schedule/schedule-policy.js';

/**
 * The config file, as written by hand. One schema gives the loader its checks, the code its types
 * (`ConfigFile`) and editors their JSON Schema (docs/schema/config.schema.json, `npm run schema`).
 * Strict objects everywhere: a misspelt key is an error, never silently ignored.
 */
const positiveSeconds = (description: string) => z.number().positive().describe(description);
const limit = (description: string) => z.number().int().min(1).optional().describe(description);
const path = (description: string) => z.string().min(1).describe(description);

export const PLATFORMS = ['clawhub', 'cursor', 'github', 'unknown'] as const;
export const DEFAULT_API_BASE = 'https://mega-api-prod.nemovideo.ai';

export const ApiSchema = z
  .strictObject({
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'Expected an http:// or https:// URL' })
      .default(DEFAULT_API_BASE)
      .describe('NemoVideo API base URL. $NEMO_API_BASE wins over this.'),
    token: z
      .string()
      .min(1)
      .optional()
      .describe(
        'NemoVideo token. Prefer $NEMO_TOKEN (which wins over this); without either an anonymous token is fetched and kept in the state dir.',
      ),
    language: z.string().min(2).default('en').describe('Session language unless a rule says otherwise.'),
    pollSeconds: positiveSeconds('Seconds between render status polls (backs off from here).').default(30),
    platform: z.enum(PLATFORMS).default('unknown').describe('Sent as X-Skill-Platform.'),
    creditsCheckSeconds: positiveSeconds(
      'While cloud jobs are held for lack of credits, seconds between balance checks.',
    ).default(300),
    requestTimeoutSeconds: positiveSeconds(
      'Seconds before an ordinary API request (not the instruction stream) is given up and retried.',
    ).default(60),
    transferIdleSeconds: positiveSeconds(
      "An upload or download (or the wait for the upload's answer) fails when nothing moves for this many seconds.",
    ).default(120),
  })
  .describe('NemoVideo API settings.');

export const LimitsSchema = z
  .strictObject({
    uploads: limit('Uploads at once (default 2).'),
    sse: limit('Instruction streams at once (default: concurrency).'),
    polls: limit('Render status polls at once (default 4).'),
    local: limit('Local ffmpeg conversions at once (default: CPU cores / 2, at least 1).'),
  })
  .describe(
    'Per-stage limits inside the global concurrency, so a long queue never means many open requests.',
  );

export const DEFAULT_HTTP_PORT = 8385;
export const NOTIFY_EVENTS = ['done', 'failed', 'held', 'paused'] as const;

export const HttpSchema = z
  .union([
    z.literal(false),
    z.strictObject({
      host: z
        .string()
        .min(1)
        .default('127.0.0.1')
        .describe('Address the page and API listen on. Anything but loopback also needs allowRemote.'),
      port: z
        .number()
        .int()
        .min(0)
        .max(65535)
        .default(DEFAULT_HTTP_PORT)
        .describe(`TCP port (default ${DEFAULT_HTTP_PORT}; 0 picks a free one, see <stateDir>/http.json).`),
      allowRemote: z
        .boolean()
        .default(false)
        .describe('Required to listen on a non-loopback address (prefer an SSH tunnel).'),
    }),
  ])
  .default({ host: '127.0.0.1', port: DEFAULT_HTTP_PORT, allowRemote: false })
  .describe('The status page, REST API and /metrics (false turns them off).');

const notifyEvents = z
  .array(z.enum(NOTIFY_EVENTS))
  .min(1)
  .default([...NOTIFY_EVENTS])
  .describe('Which events are sent.');

export const WebhookSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'Expected an http:// or https:// URL' })
      .describe('Receiver URL.'),
    secret: z
      .string()
      .min(16)
      .optional()
      .describe('Signs each body: X-Video-Inbox-Signature: sha256=<hex HMAC-SHA256 of the body>.'),
    events: notifyEvents,
  })
  .describe('POST a JSON body per event, retried with backoff.');

export const NtfySchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'Expected an http:// or https:// URL' })
      .describe('ntfy topic URL.'),
    events: notifyEvents,
  })
  .describe('Publish a short message per event to an ntfy topic.');

export const ChannelsSchema = z
  .strictObject({
    webhooks: z.array(WebhookSchema).default([]),
    ntfy: z.array(NtfySchema).default([]),
  })
  .describe('Notification channels beyond the desktop.');

export const ScheduleSchema = z
  .array(
    z
      .string()
      .min(1)
      .superRefine((text, ctx) => {
        const parsed = parseWindow(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
      })
      .describe(
        'A window: "[days] HH:MM-HH:MM", e.g. "weekdays 22:00-07:00", "sat,sun", "daily 01:00-05:00".',
      ),
  )
  .min(1)
  .optional()
  .describe('When new jobs may start (local time); outside every window files queue. Running jobs finish.');

export const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;

export const FolderSchema = z
  .strictObject({
    name: z
      .string()
      .regex(FOLDER_NAME, 'Use letters, digits, spaces, dots, dashes or underscores (no slashes)')
      .max(64)
      .describe('A short unique name; shown in logs and usable as {folder} in output names.'),
    inbox: path('Folder to watch. Relative paths resolve against this config file; ~ is your home.'),
    outbox: path('Folder the MP4s go to. Relative paths resolve against this config file; ~ is your home.'),
    rules: path('The rule YAML for this folder. Relative paths resolve against this config file.'),
    poll: z
      .boolean()
      .optional()
      .describe(
        'Poll this inbox instead of using OS events (network shares). Default: the top-level `poll`.',
      ),
    followLinks: z
      .boolean()
      .optional()
      .describe(
        'Convert symbolic links in the inbox whose target lies outside it (default false: they are set aside in _failed/). Links into the outbox or the state dir, loops and dangling links are set aside either way.',
      ),
    notify: ChannelsSchema.optional().describe('Channels for this folder, beside the top-level ones.'),
    schedule: ScheduleSchema,
  })
  .describe('A watched inbox, its outbox and its rules.');

export const ConfigFileSchema = z
  .strictObject({
    api: ApiSchema.prefault({}),
    stateDir: path(
      'Where the journal, lock and token live. Default $XDG_STATE_HOME/video-inbox (~/.local/state/video-inbox; macOS ~/Library/Application Support/video-inbox).',
    ).optional(),
    concurrency: z.number().int().min(1).default(3).describe('Jobs in flight across all folders.'),
    limits: LimitsSchema.prefault({}),
    notify: z
      .union(
        [
          z.enum(['desktop', 'none']),
          ChannelsSchema.extend({
            desktop: z.boolean().default(true).describe('Desktop notifications too.'),
          }),
        ],
        { error: 'Expected "desktop", "none", or channels: { desktop, webhooks: [...], ntfy: [...] }' },
      )
      .default('desktop')
      .describe('`desktop`, `none`, or channels: { desktop, webhooks: [...], ntfy: [...] }.'),
    http: HttpSchema,
    schedule: ScheduleSchema,
    settleSeconds: positiveSeconds(
      'A file is taken once its size, mtime and inode have not changed for this many seconds.',
    ).default(2),
    rescanSeconds: positiveSeconds(
      'Seconds between full rescans of every inbox (catches dropped OS events).',
    ).default(60),
    poll: z.boolean().default(false).describe('Poll every inbox instead of using OS events.'),
    ffmpegPath: path('ffmpeg to run. Default: ffmpeg on PATH.').optional(),
    ffprobePath: path('ffprobe to run. Default: ffprobe on PATH.').optional(),
    retrySeconds: positiveSeconds(
      'Wait before the first whole-job retry after a transient failure; later retries wait longer, in proportion (30 s, 60 s, 2 min … 2 h by default).',
    ).default(30),
    maxUploadMB: z
      .number()
      .positive()
      .default(500)
      .describe('Larger files fail before upload (1 MB = 1,048,576 bytes).'),
    folders: z.array(FolderSchema).default([]).describe('The watched folders.'),
    cluster: ClusterSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.folders.forEach((folder, i) => {
      const first = seen.get(folder.name.toLowerCase());
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['folders', i, 'name'],
          message: `Folder name "${folder.name}" is already used by folders[${first}]`,
        });
      } else {
        seen.set(folder.name.toLowerCase(), i);
      }
    });
  })
  .meta({ title: 'video-inbox config', description: 'video-inbox configuration (config.yaml).' });

export type ConfigFile = z.output<typeof ConfigFileSchema>;
export type FolderEntry = z.output<typeof FolderSchema>;
