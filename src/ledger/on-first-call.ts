import { loadOnce } from "../load-once.ts";

/**
 * An object whose methods, all asynchronous, wait for `load` on their first call and then call the
 * loaded object's: a store whose SDK is imported only when a run first uses it. `methods` names
 * every method (`{ load: true, save: true }`), so the compiler checks that none is left out. A load
 * that fails is tried again by the next call.
 */
export function onFirstCall<T extends object>(load: () => Promise<T>, methods: Record<keyof T, true>): T {
  const loaded = loadOnce(load);
  const wrapper: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    wrapper[name] = async (...args) => {
      const target = (await loaded()) as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return (target[name] as (...args: unknown[]) => Promise<unknown>).apply(target, args);
    };
  }
  return wrapper as T;
}
