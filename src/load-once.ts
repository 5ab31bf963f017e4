/**
 * `load`, run on the first call and its promise handed to every later one, so that what it loads
 * (a module, a client made from it) is loaded once. A load that fails is forgotten: the next call
 * tries again.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
