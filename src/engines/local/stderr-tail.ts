/** Keeps the last `max` lines of a stream in bounded memory; ffmpeg's reason is at the end. */
export function createLineTail(
  max = 20,
  maxLineLength = 1000,
): { push(chunk: string): void; text(): string } {
  const lines: string[] = [];
  let partial = '';
  const keep = (line: string): void => {
    const trimmed = line.trimEnd();
    if (trimmed === '') return;
    lines.push(trimmed.length > maxLineLength ? `${trimmed.slice(0, maxLineLength)}…` : trimmed);
    if (lines.length > max) lines.shift();
  };
  return {
    push(chunk) {
      const parts = (partial + chunk).split(/\r\n|\r|\n/);
      partial = parts.pop() ?? '';
      if (partial.length > maxLineLength) {
        keep(partial);
        partial = '';
      }
      parts.forEach(keep);
    },
    text() {
      return [...lines, ...(partial.trim() ? [partial.trimEnd()] : [])].slice(-max).join('\n');
    },
  };
}
