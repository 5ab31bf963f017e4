import type { IncomingMessage, ServerResponse } from "node:http";
import { type Loopback, startLoopback } from "../../support/loopback.ts";

/** What the feed host answers on one path: a calendar (text or bytes), or a handler of its own. */
export type FeedRoute =
  | { body: string | Buffer; contentType?: string; headers?: Record<string, string> }
  | ((request: IncomingMessage, response: ServerResponse) => void);

/** The suite's one calendar server: every case adds the calendars it serves, under a path of its own. */
export interface SuiteFeeds extends Loopback {
  /** Serves `route` on `path` (`/scale/f1.ics`) and returns its URL. */
  serve(path: string, route: FeedRoute): string;
  /** Requests received on `path`. */
  requests(path: string): number;
}

export async function startSuiteFeeds(): Promise<SuiteFeeds> {
  const routes = new Map<string, FeedRoute>();
  const counts = new Map<string, number>();
  const server = await startLoopback((request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) return void response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    if (typeof route === "function") return route(request, response);
    response.writeHead(200, { "content-type": route.contentType ?? "text/calendar; charset=utf-8", ...route.headers }).end(route.body);
  });
  return {
    ...server,
    serve(path, route) {
      routes.set(path, route);
      return `${server.url}${path}`;
    },
    requests: (path) => counts.get(path) ?? 0,
  };
}
