// undici's index loads all it offers — fetch, WebSocket, EventSource, the cache and mock agents —
// and the bundle would carry all of it. Feeds need an Agent, the decompress interceptor and
// `request`, Slack posts `request` on the global dispatcher: imported from their own modules, the
// rest stays out of the bundle.

import type { Dispatcher } from "undici";
import dispatchRequest from "undici/lib/api/api-request.js";
import Agent from "undici/lib/dispatcher/agent.js";
import globals from "undici/lib/global.js";
import decompress from "undici/lib/interceptor/decompress.js";
import fetchConstants from "undici/lib/web/fetch/constants.js";

export { Agent, decompress };

/** The ports undici's `fetch` refuses to connect to, and the statuses it takes for redirects. */
export const { badPortsSet: fetchBadPorts, redirectStatusSet: fetchRedirectStatuses } = fetchConstants;

/** undici's global dispatcher, the one its `fetch` uses when given none. */
export function globalDispatcher(): Dispatcher {
  return globals.getGlobalDispatcher();
}

/**
 * undici's `request(url, options)` on the given dispatcher, as undici's index builds it:
 * `dispatcher.request` with the URL split into origin and path.
 */
export function request(
  url: URL,
  options: Omit<Dispatcher.RequestOptions, "origin" | "path"> & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  return dispatchRequest.call(dispatcher, {
    ...rest,
    origin: url.origin,
    path: url.search ? `${url.pathname}${url.search}` : url.pathname,
  });
}
