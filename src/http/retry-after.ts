/**
 * Milliseconds a `Retry-After` header asks the client to wait (RFC 9110 §10.2.3): delay-seconds, or
 * an HTTP date measured from `now`; never negative. `undefined` when there is no header or it says
 * neither. Pure: the current time comes in as an argument.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  // delay-seconds is digits only: `-5`, `0x10` or `1e3` is no delay the server asked for.
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^[\d.+\-eExX]+$/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
