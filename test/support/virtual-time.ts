/**
 * Time that passes only when someone sleeps: `sleep(ms)` moves the clock on at once and records
 * the wait, so pacing and backoff are tested without waiting for them.
 */
export function virtualTime(start = 0) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    async sleep(ms: number): Promise<void> {
      sleeps.push(ms);
      now += ms;
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
