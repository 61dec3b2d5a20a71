/** The box every render fits in, never upscaling: 1920×1080 landscape (a portrait clip fits its height). */
export const MAX_WIDTH = 1920;
export const MAX_HEIGHT = 1080;

/**
 * ffmpeg arguments for the service's export: H.264 (yuv420p) and AAC in an MP4 with the index up
 * front, fitted within 1920×1080 without upscaling. A silent track stands in for missing audio.
 */
export function renderArgs(input: string, output: string, hasAudio: boolean, indexAtEnd = false): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', input];
  if (!hasAudio) args.push('-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo');
  args.push('-map', '0:v:0', '-map', hasAudio ? '0:a:0' : '1:a:0');
  args.push(
    '-vf',
    `scale='min(${MAX_WIDTH},iw)':'min(${MAX_HEIGHT},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2,format=yuv420p`,
  );
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'high');
  args.push('-c:a', 'aac', '-b:a', '128k', '-ac', '2');
  args.push('-shortest', ...(indexAtEnd ? [] : ['-movflags', '+faststart']));
  args.push('-progress', 'pipe:1', '-f', 'mp4', output);
  return args;
}
