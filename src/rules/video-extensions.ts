import { extname } from 'node:path';
import { matchesGlobs } from './match.js';

/** The containers the NemoVideo API accepts as video: a rule's default `match`. */
export const CLOUD_VIDEO_EXTENSIONS = ['mp4', 'mov', 'avi', 'webm', 'mkv'] as const;

/**
 * Every video container ffmpeg reads that people still have on disks: camcorders (AVCHD .mts/.m2ts,
 * DV, .mod/.tod), DVDs (.vob, .mpg), broadcast (.ts, .mxf), Windows Media, Flash, old phones (.3gp),
 * Ogg, iTunes (.m4v), RealMedia and DivX. Intake treats these names as videos; a rule must take them.
 */
export const VIDEO_EXTENSIONS = [
  ...CLOUD_VIDEO_EXTENSIONS,
  'm4v',
  'mts',
  'm2ts',
  'ts',
  'mpg',
  'mpeg',
  'm2v',
  'vob',
  'mod',
  'tod',
  'wmv',
  'asf',
  'flv',
  'f4v',
  '3gp',
  '3g2',
  'dv',
  'mxf',
  'ogv',
  'divx',
  'rm',
  'rmvb',
] as const;

/** The extensions the cloud does not take: the local engine brings these into one it does first. */
export const LOCAL_ONLY_VIDEO_EXTENSIONS = VIDEO_EXTENSIONS.filter(
  (ext) => !(CLOUD_VIDEO_EXTENSIONS as readonly string[]).includes(ext),
);

/** The lowercased extension (no dot) when the name is a video container's, else undefined. */
export function videoExtensionOf(fileName: string): string | undefined {
  const ext = extname(fileName).slice(1).toLowerCase();
  return (VIDEO_EXTENSIONS as readonly string[]).includes(ext) ? ext : undefined;
}

/** Whether the cloud API takes this file as it is, by its extension. */
export function isCloudContainer(fileName: string): boolean {
  return (CLOUD_VIDEO_EXTENSIONS as readonly string[]).includes(extname(fileName).slice(1).toLowerCase());
}

/**
 * What to tell a person about a video that no rule of its folder takes ("no rule in folder X matches
 * *.wmv; add it to `match`"), or undefined when the file is not a video by its name or a rule takes it.
 */
export function unmatchedVideoMessage(input: {
  folder: string;
  fileName: string;
  /** The `match` globs of the folder's rule(s). */
  match: readonly string[];
  /** The rule file, to name where to add it. */
  ruleFile?: string;
}): string | undefined {
  const ext = videoExtensionOf(input.fileName);
  if (ext === undefined || matchesGlobs(input.match, input.fileName)) return undefined;
  const where = input.ruleFile ? ` in ${input.ruleFile}` : '';
  const takes = input.match.length > 0 ? ` (it takes ${input.match.join(', ')})` : '';
  return `No rule in folder "${input.folder}" matches *.${ext}${takes}; add '*.${ext}' to \`match\`${where}.`;
}
