import { rootCertificates } from "node:tls";
import type { Dispatcher } from "undici";
import type { guardedLookup } from "./addresses.ts";
import { Agent, decompress } from "./undici.ts";

/** How the shared connection pool behaves. */
export interface DispatcherOptions {
  /** Longest wait to connect, for response headers, and between two chunks of a body. */
  timeoutMs: number;
  /**
   * Connections kept open per origin: many feeds often live on one host (Google, Outlook). With 1,
   * each origin has one undici Client rather than a Pool.
   */
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

/** The dispatcher one download goes through, held until the download ends. */
export interface Lease {
  readonly dispatcher: Dispatcher;
  release(): void;
}

/** Hands each download the dispatcher for its origin. */
export interface FeedConnections {
  lease(origin: string): Lease;
}

/**
 * Feeds on a host of their own take one keep-alive connection; a host many feeds share (Google,
 * Outlook) gets a pool of them. A download goes through one connection of its origin when no other
 * download of that origin is under way, and through the pool when one is, so a second connection
 * opens only for a second feed on the same host at the same time. An undici Pool is not free: its
 * queue alone holds 2,048 slots, and a run of a thousand feeds on a thousand hosts spent more CPU
 * on a thousand pools than on reading its calendars.
 */
export function createFeedConnections(options: DispatcherOptions): FeedConnections {
  return sharedOrigins(createFeedDispatcher({ ...options, connectionsPerOrigin: 1 }), createFeedDispatcher(options));
}

/** `single` for a download whose origin has no other under way, `pooled` for the others. */
export function sharedOrigins(single: Dispatcher, pooled: Dispatcher): FeedConnections {
  const underWay = new Map<string, number>();
  return {
    lease(origin) {
      const others = underWay.get(origin) ?? 0;
      underWay.set(origin, others + 1);
      let released = false;
      return {
        dispatcher: others === 0 ? single : pooled,
        release() {
          if (released) return;
          released = true;
          const left = (underWay.get(origin) ?? 1) - 1;
          if (left > 0) underWay.set(origin, left);
          else underWay.delete(origin);
        },
      };
    },
  };
}
