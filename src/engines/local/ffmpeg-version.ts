import { execFile } from 'node:child_process';

/** The flag that keeps frame timestamps as they are: renamed in 5.1, the old one removed in 8. */
export type VfrFlag = '-fps_mode' | '-vsync';

export interface FfmpegFeatures {
  vfrFlag: VfrFlag;
  /**
   * zscale (libzimg) and tonemap are both there: HDR becomes SDR with a real tone map. Debian and
   * Homebrew builds have them; minimal builds do not, and then HDR is converted without one.
   */
  toneMap?: boolean;
}

/** Major and minor from `ffmpeg -version`; undefined for git builds ("N-125875-g5d4d3bdc61"). */
export function parseFfmpegVersion(text: string): { major: number; minor: number } | undefined {
  const m = /ffmpeg version n?(\d+)\.(\d+)/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Unknown versions are git builds, which are newer than any release: they take `-fps_mode`. */
export function featuresFor(version: { major: number; minor: number } | undefined): FfmpegFeatures {
  const old = version !== undefined && (version.major < 5 || (version.major === 5 && version.minor < 1));
  return { vfrFlag: old ? '-vsync' : '-fps_mode' };
}

/** Whether `ffmpeg -filters` lists both filters a tone map needs. */
export function hasToneMapFilters(filtersText: string): boolean {
  const has = (name: string) => new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(filtersText);
  return has('zscale') && has('tonemap');
}

/**
 * Asks the binary once, in one process: `ffmpeg -filters` lists the filters on stdout and prints its
 * banner, with the version, on stderr. A failure here is reported later by the real run, with its reason.
 */
export async function detectFfmpegFeatures(ffmpeg: string): Promise<FfmpegFeatures> {
  return (await askFfmpegFeatures(ffmpeg)) ?? { ...featuresFor(undefined), toneMap: false };
}

/** detectFfmpegFeatures, or undefined when the binary cannot run or fails (not there, broken). */
export function askFfmpegFeatures(ffmpeg: string): Promise<FfmpegFeatures | undefined> {
  return new Promise((resolve) => {
    execFile(ffmpeg, ['-filters'], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) resolve(undefined);
      else resolve({ ...featuresFor(parseFfmpegVersion(stderr)), toneMap: hasToneMapFilters(stdout) });
    });
  });
}
