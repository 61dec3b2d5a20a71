/**
 * How long a node waits before reconnecting to Redis after `attempt` failures: quick at first, then
 * every few seconds, never giving up (a NAS reboot takes minutes; files stay where they are meanwhile).
 * Pure, so the table test is the whole story.
 */
export function redisReconnectDelayMs(attempt: number, maxMs = 5000): number {
  if (attempt <= 1) return 200;
  return Math.min(maxMs, 200 * 2 ** (attempt - 1));
}

/** Delay before a file that could not be queued (Redis away) is offered again. */
export function intakeRetryDelayMs(attempt: number, maxMs = 30_000): number {
  return Math.min(maxMs, 1000 * 2 ** Math.max(0, attempt - 1));
}
