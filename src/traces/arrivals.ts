/**
 * What a loopback stand-in (the X-Ray daemon, an OTLP collector) has received, and a way to wait
 * until it holds something: `until` resolves once its predicate holds, checked again on each
 * `arrived()`, and rejects after `timeoutMs` naming `what` did not come.
 */
export interface Arrivals<T> {
  until(predicate: (items: readonly T[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Call after items were added: re-checks every pending `until`. */
  arrived(): void;
}

export function arrivals<T>(items: readonly T[], what: string): Arrivals<T> {
  const waiters = new Set<() => void>();
  return {
    until(predicate, timeoutMs = 10_000) {
      if (predicate(items)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the expected ${what} did not arrive within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(items)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    arrived() {
      for (const check of [...waiters]) check();
    },
  };
}
