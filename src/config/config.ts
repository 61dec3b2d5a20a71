import type { ClusterConfig } from './cluster-config.js';
import type { ConfigFile, NOTIFY_EVENTS } from './config-schema.js';

/** A folder with every path absolute, as the daemon uses it. */
export interface FolderConfig {
  name: string;
  inbox: string;
  outbox: string;
  /** Absolute path of the folder's rule YAML (load it with `loadRuleFile`). */
  rules: string;
  /** Poll instead of OS events: the folder's own `poll`, else the top-level one. */
  poll: boolean;
  /**
   * Follow symbolic links whose target lies outside the inbox (default: set them aside). Links into
   * the outbox or state dir, loops and dangling links are set aside whatever this says.
   */
  followLinks?: boolean;
  /** Webhook and ntfy channels for this folder's events, beside the top-level ones. */
  channels?: NotifyChannels;
  /** This folder's start windows (raw config strings); else the top-level schedule. */
  schedule?: string[];
}

export interface NotifyChannels {
  webhooks: { url: string; secret?: string; events: NotifyEvent[] }[];
  ntfy: { url: string; events: NotifyEvent[] }[];
}

export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export type HttpConfig = false | { host: string; port: number; allowRemote: boolean };

/** The loaded config: defaults applied, environment applied, paths absolute. */
export interface Config {
  /** Absolute path of the file it came from. */
  file: string;
  api: ConfigFile['api'];
  stateDir: string;
  concurrency: number;
  limits: { uploads: number; sse: number; polls: number; local: number };
  notify: 'desktop' | 'none';
  /** Webhook and ntfy channels for every folder. */
  channels: NotifyChannels;
  http: HttpConfig;
  /** Start windows for new jobs (raw config strings); undefined: any time. */
  schedule: string[] | undefined;
  settleSeconds: number;
  rescanSeconds: number;
  poll: boolean;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  /** First whole-job retry delay; later ones scale with it. */
  retrySeconds: number;
  maxUploadMB: number;
  folders: FolderConfig[];
  /** Cluster mode (see docs/SCALING.md); undefined on a single host. */
  cluster?: ClusterConfig;
}
