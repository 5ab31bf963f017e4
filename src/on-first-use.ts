/** The methods of `T` that answer with a promise: what can wait for a module to load. */
type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? T[K] : never };

/**
 * An object whose methods `load` it the first time one is called, then hand every call to it. For
 * a store behind a heavy module (the AWS SDK: about 100 ms of CPU and 40 MB to load), so a run
 * that never uses the store never loads it. A failed load fails each call, as using it would.
 */
export function onFirstUse<T extends AsyncMethods<T>>(load: () => Promise<T>, methods: readonly (keyof T)[]): T {
  let loaded: Promise<T> | undefined;
  const deferred: Partial<Record<keyof T, unknown>> = {};
  for (const method of methods) {
    deferred[method] = async (...args: unknown[]) => {
      loaded ??= load();
      const target = await loaded;
      return (target[method] as (...args: unknown[]) => Promise<unknown>).apply(target, args);
    };
  }
  return deferred as T;
}
