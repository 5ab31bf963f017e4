import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A server listening on an ephemeral loopback port. */
export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** Starts `server` on an ephemeral port of 127.0.0.1; `close` also ends kept-alive connections. */
export async function listen(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves calendars (file name → .ics text) as `text/calendar` on loopback. */
export function serveCalendars(calendars: Record<string, string>): Promise<LoopbackServer> {
  return listen(
    createServer((request, response) => {
      const name = decodeURIComponent((request.url ?? "/").split("?")[0]?.slice(1) ?? "");
      const body = calendars[name];
      if (body === undefined) {
        response.writeHead(404).end("not found");
        return;
      }
      response.writeHead(200, { "content-type": "text/calendar; charset=utf-8" }).end(body);
    }),
  );
}

/** A stand-in for Slack's incoming webhooks: answers `ok` and hands each payload to `onMessage`. */
export function fakeSlack(onMessage: (payload: unknown, path: string) => void): Promise<LoopbackServer> {
  return listen(
    createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        try {
          onMessage(JSON.parse(Buffer.concat(chunks).toString("utf8")), request.url ?? "/");
          response.writeHead(200, { "content-type": "text/plain" }).end("ok");
        } catch {
          response.writeHead(400, { "content-type": "text/plain" }).end("invalid_payload");
        }
      });
    }),
  );
}
