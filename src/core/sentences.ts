/**
 * Two sentences of a message as one text: a period between them unless the first already ends in
 * one (or in `!`, `?`, `:`), so "…mov-to-mp4.yaml." and its hint never read "yaml.. Add".
 */
export function joinSentences(first: string, second: string | undefined): string {
  const a = first.trimEnd();
  if (second === undefined || second.trim() === '') return a;
  return /[.!?:]$/.test(a) ? `${a} ${second.trim()}` : `${a}. ${second.trim()}`;
}
