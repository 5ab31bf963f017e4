/**
 * An object of asynchronous methods that builds the real one on first call, then hands every call
 * to it. The DynamoDB stores are built this way: the AWS SDK and Powertools cost a tenth of a
 * second of CPU to load, which a run without a ledger table (or before its first claim) never pays.
 * A load that fails is tried again by the next call. `methods` names every member of `T` (a
 * record, so the compiler says when one is missing).
 */
export function builtOnFirstCall<T extends object>(build: () => Promise<T>, methods: Record<keyof T & string, true>): T {
  let built: Promise<T> | undefined;
  const target = () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
  const facade: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods) as (keyof T & string)[]) {
    facade[name] = async (...args) => {
      const real = await target();
      return (real[name] as (...args: unknown[]) => Promise<unknown>).apply(real, args);
    };
  }
  return facade as T;
}
