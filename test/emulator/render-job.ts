import { spawn } from 'node:child_process';
import { rename, stat } from 'node:fs/promises';
import type { EmulatorContext } from './context.js';
import { renderArgs } from './render-args.js';
import type { MediaFile, Render } from './store.js';

/** Runs the real ffmpeg render in the background, keeping `render.job` up to date. */
export function startRenderJob(ctx: EmulatorContext, render: Render, media: MediaFile | undefined): void {
  const job = render.job;
  if (!media?.path) {
    job.done = true;
    job.error = 'Render failed: the source media could not be read';
    return;
  }
  const part = `${render.outputPath}.part`;
  job.durationSec = media.duration;
  const child = spawn(
    ctx.ffmpeg,
    renderArgs(media.path, part, media.hasAudio, ctx.options.renderIndexAtEnd),
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  ctx.tasks.children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  child.stdout.on('data', (chunk: Buffer) => {
    const us = /out_time_us=(\d+)/.exec(chunk.toString())?.[1];
    if (us && media.duration) job.fraction = Math.min(1, Number(us) / 1e6 / media.duration);
  });
  child.on('error', (err) => finish(`Render failed: ${err.message}`));
  child.on('close', (code) => {
    if (code !== 0)
      return finish(`Render failed: ffmpeg exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`);
    rename(part, render.outputPath)
      .then(() => stat(render.outputPath))
      .then(
        (s) => {
          job.size = s.size;
          job.fraction = 1;
          finish();
        },
        (err: Error) => finish(`Render failed: ${err.message}`),
      );
  });
  function finish(error?: string): void {
    ctx.tasks.children.delete(child);
    if (job.done) return;
    job.done = true;
    if (error) job.error = error;
  }
}
