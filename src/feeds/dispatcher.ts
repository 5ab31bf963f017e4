import { rootCertificates } from "node:tls";
import type { Dispatcher } from "undici";
import type { guardedLookup } from "./addresses.ts";
import { Agent, decompress } from "./undici.ts";

/** How the shared connection pool behaves. */
export interface DispatcherOptions {
  /** Longest wait to connect, for response headers, and between two chunks of a body. */
  timeoutMs: number;
  /** Connections kept open per origin: many feeds often live on one host (Google, Outlook). */
  connectionsPerOrigin?: number;
  /** Extra certificate authority to trust (PEM), for a private PKI; the system's are kept. */
  ca?: string;
  /** Replaces node's DNS lookup at connect time (the redirect guard of `addresses.ts`). */
  lookup?: ReturnType<typeof guardedLookup>;
}

/**
 * The one undici dispatcher every feed of a run, and of later warm runs, goes through: keep-alive
 * connections bounded per origin, connect, header and body timeouts, and gzip/deflate/br bodies
 * decompressed on the way in. Redirects and retries are not delegated to undici's interceptors:
 * `fetchFeed` follows them itself, because undici's redirect interceptor cannot refuse an
 * https→http downgrade and its retry interceptor shortens a long Retry-After instead of giving up.
 */
export function createFeedDispatcher(options: DispatcherOptions): Dispatcher {
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 8,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: {
      timeout: options.timeoutMs,
      // Added to node's default list, so a private authority extends the system's trust.
      ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    },
  });
  return agent.compose(decompress());
}
