import { spawnSync } from 'node:child_process';
import { VideoInboxError } from '../../core/errors.js';

export interface ToolPaths {
  ffmpeg: string;
  ffprobe: string;
}

const INSTALL_HINT =
  'Install ffmpeg (Debian/Ubuntu: `sudo apt install ffmpeg`; macOS: `brew install ffmpeg`), ' +
  'or set ffmpegPath and ffprobePath in the config.';

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
  if (res.error || res.status !== 0) {
    throw new VideoInboxError(
      'FFMPEG_MISSING',
      `${name} was not found${configured ? ` at ${configured}` : ' on PATH'}`,
      {
        hint: INSTALL_HINT,
        context: { tool: name, configured },
      },
    );
  }
  return candidate;
}
