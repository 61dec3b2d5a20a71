import { execFile, spawnSync } from 'node:child_process';
import { VideoInboxError } from '../../core/errors.js';
import { askFfmpegFeatures, type FfmpegFeatures } from './ffmpeg-version.js';

export interface ToolPaths {
  ffmpeg: string;
  ffprobe: string;
}

const INSTALL_HINT =
  'Install ffmpeg (Debian/Ubuntu: `sudo apt install ffmpeg`; macOS: `brew install ffmpeg`), ' +
  'or set ffmpegPath and ffprobePath in the config.';

/** The binaries `resolveTools` checks: the configured paths, else the names, looked up on PATH. */
export function toolCandidates(configured: Partial<ToolPaths> = {}): ToolPaths {
  return { ffmpeg: configured.ffmpeg ?? 'ffmpeg', ffprobe: configured.ffprobe ?? 'ffprobe' };
}

/**
 * Finds ffmpeg/ffprobe: the configured path if given, else PATH. Runs `-version` so a broken or
 * wrong binary is caught at start, not in the middle of someone's file.
 */
export function resolveTools(configured: Partial<ToolPaths> = {}): ToolPaths {
  return {
    ffmpeg: resolveTool('ffmpeg', configured.ffmpeg),
    ffprobe: resolveTool('ffprobe', configured.ffprobe),
  };
}

export function resolveTool(name: 'ffmpeg' | 'ffprobe', configured?: string): string {
  const candidate = configured ?? name;
  const res = spawnSync(candidate, ['-version'], { stdio: 'ignore', timeout: 10_000 });
  if (res.error || res.status !== 0) throw missing(name, configured);
  return candidate;
}

/** resolveTools with both checks side by side, without blocking the event loop. */
export async function resolveToolsAsync(configured: Partial<ToolPaths> = {}): Promise<ToolPaths> {
  const [ffmpeg, ffprobe] = await Promise.all([
    checkTool('ffmpeg', configured.ffmpeg),
    checkTool('ffprobe', configured.ffprobe),
  ]);
  return { ffmpeg, ffprobe };
}

/**
 * The tools of a one-off run that uses both at once (`convert --engine local`), checked by their
 * first use instead of by `-version` beforehand, which costs two processes before the first file:
 * ffmpeg by the engine's first question (`ffmpeg -filters`, what the binary can do), ffprobe by the
 * first probe. Only when a probe fails is `ffprobe -version` asked, to tell a broken or missing tool
 * (FFMPEG_MISSING) from a damaged file.
 */
export interface ToolsByUse {
  paths: ToolPaths;
  /** ffmpeg's features, asked at once; rejects FFMPEG_MISSING when ffmpeg cannot run. */
  features: Promise<FfmpegFeatures>;
  /** After a failed probe: rejects FFMPEG_MISSING when ffprobe itself cannot run (asked once). */
  ffprobeWorks(): Promise<void>;
}

export function toolsByUse(configured: Partial<ToolPaths> = {}): ToolsByUse {
  const paths = toolCandidates(configured);
  const features = askFfmpegFeatures(paths.ffmpeg).then((found) => {
    if (!found) throw missing('ffmpeg', configured.ffmpeg);
    return found;
  });
  // Awaited when the first file is planned; no unhandled rejection before that.
  features.catch(() => undefined);
  let ffprobeCheck: Promise<string> | undefined;
  return {
    paths,
    features,
    async ffprobeWorks() {
      await (ffprobeCheck ??= checkTool('ffprobe', configured.ffprobe));
    },
  };
}

function checkTool(name: 'ffmpeg' | 'ffprobe', configured?: string): Promise<string> {
  const candidate = configured ?? name;
  return new Promise((resolve, reject) => {
    execFile(candidate, ['-version'], { timeout: 10_000 }, (err) =>
      err ? reject(missing(name, configured)) : resolve(candidate),
    );
  });
}

function missing(name: 'ffmpeg' | 'ffprobe', configured?: string): VideoInboxError {
  return new VideoInboxError(
    'FFMPEG_MISSING',
    `${name} was not found${configured ? ` at ${configured}` : ' on PATH'}`,
    {
      hint: INSTALL_HINT,
      context: { tool: name, configured },
    },
  );
}
