/** One `key=value` line of ffmpeg's `-progress` output, or undefined for anything else. */
export function parseProgressLine(line: string): { key: string; value: string } | undefined {
  const eq = line.indexOf('=');
  if (eq <= 0) return undefined;
  return { key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() };
}

/**
 * Microseconds of output written, from whichever key this ffmpeg prints. `out_time_ms` is in
 * microseconds too (a long-standing ffmpeg misnomer); `N/A` appears before the first frame.
 */
export function outTimeMicros(key: string, value: string): number | undefined {
  if (key === 'out_time_us' || key === 'out_time_ms') {
    const n = Number(value);
    return value !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
  }
  if (key === 'out_time') {
    // Audio priming makes the first blocks negative ("-00:00:00.023220"): not progress yet.
    const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
    if (!m) return undefined;
    return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1e6);
  }
  return undefined;
}

/** Whole percent done, clamped to 0–99 until ffmpeg says it has ended; undefined without a duration. */
export function progressPercent(outMicros: number, durationSec: number | undefined): number | undefined {
  if (durationSec === undefined || !Number.isFinite(durationSec) || durationSec <= 0) return undefined;
  const percent = Math.floor((outMicros / (durationSec * 1e6)) * 100);
  return Math.min(99, Math.max(0, percent));
}

/**
 * Reads ffmpeg's progress stream chunk by chunk and reports each new whole percent once, at the end
 * of each block. Never 100: that is for the engine to say once the file is verified and in place.
 */
export function createProgressReader(
  durationSec: number | undefined,
  onPercent: (percent: number) => void,
): { push(chunk: string): void } {
  let pending = '';
  let outMicros: number | undefined;
  // out_time is rounded for display; once the microsecond keys are seen, they win.
  let haveMicroKeys = false;
  let last = -1;
  const emit = (percent: number | undefined): void => {
    if (percent === undefined || percent <= last) return;
    last = percent;
    onPercent(percent);
  };
  return {
    push(chunk) {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      // A stream that never sends a newline must not grow without bound.
      if (pending.length > 4096) pending = '';
      for (const line of lines) {
        const kv = parseProgressLine(line);
        if (!kv) continue;
        const isMicroKey = kv.key === 'out_time_us' || kv.key === 'out_time_ms';
        haveMicroKeys ||= isMicroKey;
        const micros = outTimeMicros(kv.key, kv.value);
        if (micros !== undefined && (isMicroKey || !haveMicroKeys)) outMicros = micros;
        if (kv.key === 'progress' && outMicros !== undefined) {
          emit(progressPercent(outMicros, durationSec));
        }
      }
    },
  };
}
