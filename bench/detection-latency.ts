/**
 * Detect promptly: from the moment a file in the inbox is complete (its last byte written and the
 * handle closed) to the watcher handing it over (debug log "File is complete"), and from there to
 * the daemon's "File taken" (content hash, ffprobe, journal record), with the default settle window of 2 s. Goal:
 * within the window + 0.3 s. Each file is copied in four chunks 300 ms apart (a copy in progress),
 * so the figure also shows it is never taken mid-copy (the take comes after the last chunk).
 *
 * Rerun: npx tsc -p tsconfig.bench.json && node dist/bench/detection-latency.js [files]
 */
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeBenchSandbox, median, startDaemon } from './daemon-sandbox.js';

export const RERUN = 'npx tsc -p tsconfig.bench.json && node dist/bench/detection-latency.js 6';

export interface DetectionFigures {
  settleMs: number;
  /** Per file: complete → handed over by the watcher ("File is complete"), ms. */
  latenciesMs: number[];
  medianMs: number;
  maxMs: number;
  /** Median of (latency − settle window), ms: the goal is ≤ 300. */
  medianOverSettleMs: number;
  /** Files taken before their copy finished (must be 0). */
  takenMidCopy: number;
  /** Median of handed over → "File taken" (content hash, ffprobe, journal record), ms. */
  intakeMedianMs: number;
}

export async function run(opts: { files?: number } = {}): Promise<DetectionFigures> {
  const files = opts.files ?? 6;
  const settleMs = 2000;
  const sb = await makeBenchSandbox({ settleSeconds: settleMs / 1000 });
  const daemon = startDaemon(sb);
  try {
    await daemon.waitForLog('Watching inboxes');
    const latencies: number[] = [];
    let takenMidCopy = 0;
    const intake: number[] = [];
    for (let i = 0; i < files; i++) {
      // A small real video, different each time (the daemon converts a content once).
      const clip = join(sb.dir, `clip-${i}.mkv`);
      execFileSync('ffmpeg', [
        ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=1`],
        ...['-vf', `drawtext=text=${i}:fontcolor=white:x=10:y=10,hue=h=${i * 40}`],
        ...['-c:v', 'libx264', '-y', clip],
      ]);
      const bytes = (await import('node:fs')).readFileSync(clip);
      const target = join(sb.inbox, `clip-${i}.mkv`);
      const out = await open(target, 'w');
      const chunk = Math.ceil(bytes.length / 4);
      for (let c = 0; c < 4; c++) {
        await out.write(bytes, c * chunk, Math.min(chunk, bytes.length - c * chunk));
        if (c < 3) await new Promise((r) => setTimeout(r, 300));
      }
      await out.close();
      const complete = Date.now();
      const seen = await daemon.waitForLog('File is complete', i);
      const taken = await daemon.waitForLog('File taken', i);
      const at = Number(seen.time);
      if (at < complete || Number(seen.size) !== bytes.length) takenMidCopy++;
      latencies.push(at - complete);
      intake.push(Number(taken.time) - at);
      console.log(
        `file ${i + 1}: handed over ${at - complete} ms after it was complete; ` +
          `"File taken" (hash, probe, journal) ${Number(taken.time) - at} ms later`,
      );
    }
    const figures: DetectionFigures = {
      settleMs,
      latenciesMs: latencies,
      medianMs: median(latencies),
      maxMs: Math.max(...latencies),
      medianOverSettleMs: median(latencies) - settleMs,
      takenMidCopy,
      intakeMedianMs: median(intake),
    };
    console.log(
      `detection latency (settle ${settleMs} ms, ${files} files): median ${figures.medianMs} ms ` +
        `(window + ${figures.medianOverSettleMs} ms), max ${figures.maxMs} ms, taken mid-copy: ${takenMidCopy}; ` +
        `then intake median ${figures.intakeMedianMs} ms`,
    );
    console.log(`Rerun: ${RERUN}`);
    return figures;
  } finally {
    await daemon.stop();
    await sb.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2]);
  await run({ files: n > 0 ? n : undefined });
}
