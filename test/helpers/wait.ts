/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * A pause. In a test it proves that something did NOT happen, and comes after a wait for the thing
 * that did: never use it to wait for a result.
 */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
