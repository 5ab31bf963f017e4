import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type LoopbackServer, listen } from "../../src/demo/servers.ts";

/** A real HTTP server on 127.0.0.1, on a port of its own. */
export type Loopback = LoopbackServer;

export type Route = (request: IncomingMessage, response: ServerResponse, body: string) => void;

/** Starts a loopback server that hands each request (with its body read) to `route`. */
export async function startLoopback(route: Route): Promise<Loopback> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => route(request, response, Buffer.concat(chunks).toString("utf8")));
  });
  return listen(server);
}

/** Serves calendars by path (`/team.ics` → text) as text/calendar; 404 for anything else. */
export function startFeedHost(calendars: Record<string, string>): Promise<Loopback> {
  return startLoopback((request, response) => {
    const body = calendars[(request.url ?? "").split("?")[0] ?? ""];
    if (body === undefined) response.writeHead(404).end("not found");
    else response.writeHead(200, { "content-type": "text/calendar" }).end(body);
  });
}

/** A post Slack received. */
export interface SlackPost {
  path: string;
  payload: { text: string; blocks?: unknown[] };
  at: number;
}

/** A scripted answer: status, body and headers. */
export interface SlackReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A stand-in for Slack's incoming webhooks that records every post. `reply` scripts the answers
 * (default: 200 "ok").
 */
export async function startSlack(
  reply: (post: SlackPost, index: number) => SlackReply = () => ({ status: 200, body: "ok" }),
): Promise<Loopback & { posts: SlackPost[] }> {
  const posts: SlackPost[] = [];
  const server = await startLoopback((request, response, body) => {
    const post = { path: request.url ?? "/", payload: JSON.parse(body), at: Date.now() };
    posts.push(post);
    const answer = reply(post, posts.length - 1);
    response.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers }).end(answer.body ?? "");
  });
  return { ...server, posts };
}
