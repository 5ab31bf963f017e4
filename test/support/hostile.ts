import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { type Loopback, startLoopback } from "./loopback.ts";

/** The test-only certificate for 127.0.0.1 (self-signed, no other use), and its key. */
export const loopbackCertificate = readFileSync("test/fixtures/tls/loopback-test-only.crt", "utf8");
const loopbackKey = readFileSync("test/fixtures/tls/loopback-test-only.key", "utf8");

/** A loopback server and what it saw. */
export interface Hostile extends Loopback {
  /** Requests received. */
  requests: IncomingMessage[];
  /** Body bytes written so far. */
  bytesSent: () => number;
}

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

async function serve(handler: Handler): Promise<Hostile> {
  const requests: IncomingMessage[] = [];
  let sent = 0;
  const server = await startLoopback((request, response) => {
    requests.push(request);
    const write = response.write.bind(response);
    response.write = ((chunk: Buffer | string, ...rest: never[]) => {
      sent += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as typeof response.write;
    handler(request, response, requests.length - 1);
  });
  return { ...server, requests, bytesSent: () => sent };
}

/** Serves a calendar, compressed as `encoding` when the client accepts it. */
export function calendarServer(ics: string, encoding?: "gzip" | "br"): Promise<Hostile> {
  return serve((request, response) => {
    const accepts = String(request.headers["accept-encoding"] ?? "");
    if (encoding && accepts.includes(encoding)) {
      const body = encoding === "gzip" ? gzipSync(ics) : brotliCompressSync(ics);
      response.writeHead(200, { "content-type": "text/calendar", "content-encoding": encoding }).end(body);
    } else {
      response.writeHead(200, { "content-type": "text/calendar" }).end(ics);
    }
  });
}

/** A sign-in page served with 200, as calendar hosts do for a private calendar's web address. */
export function loginPageServer(): Promise<Hostile> {
  return serve((_request, response) => {
    response
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end("<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>…</form></body></html>");
  });
}

/** A calendar that never ends: `megabytes` of events, chunked, no Content-Length. */
export function hugeServer(megabytes: number): Promise<Hostile> {
  const chunk = Buffer.from(
    `BEGIN:VEVENT\r\nUID:filler@feeds.test\r\nDTSTART:20200101T000000Z\r\nSUMMARY:${"x".repeat(940)}\r\nEND:VEVENT\r\n`.repeat(64),
  );
  return serve((_request, response) => {
    response.writeHead(200, { "content-type": "text/calendar" });
    response.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    let left = megabytes * 1024 * 1024;
    const pump = () => {
      while (left > 0 && !response.destroyed) {
        left -= chunk.length;
        if (!response.write(chunk)) return void response.once("drain", pump);
      }
      if (!response.destroyed) response.end("END:VCALENDAR\r\n");
    };
    response.on("close", () => (left = 0));
    pump();
  });
}

/** Accepts the request and never answers. */
export function silentServer(): Promise<Hostile> {
  return serve(() => {});
}

/** Sends headers, then one short line every `everyMs`, forever: never idle long enough to time out. */
export function tricklingServer(everyMs: number): Promise<Hostile> {
  return serve((_request, response) => {
    response.writeHead(200, { "content-type": "text/calendar" });
    response.write("BEGIN:VCALENDAR\r\n");
    const timer = setInterval(() => response.write("X-PADDING:still here\r\n"), everyMs);
    response.on("close", () => clearInterval(timer));
  });
}

/** Redirects every request to itself. */
export function redirectLoopServer(): Promise<Hostile> {
  return serve((request, response) => {
    response.writeHead(302, { location: request.url ?? "/" }).end();
  });
}

/** Answers every request with `status`. */
export function statusServer(status: number): Promise<Hostile> {
  return serve((_request, response) => {
    response.writeHead(status, { "content-type": "text/plain" }).end(`HTTP ${status}`);
  });
}

/**
 * Answers the first requests with the given statuses (and headers), then serves `ics`:
 * `[[503], [429, { "retry-after": "1" }]]`.
 */
export function flakyServer(answers: [number, Record<string, string>?][], ics: string): Promise<Hostile> {
  return serve((_request, response, index) => {
    const answer = answers[index];
    if (answer) response.writeHead(answer[0], answer[1] ?? {}).end(`HTTP ${answer[0]}`);
    else response.writeHead(200, { "content-type": "text/calendar" }).end(ics);
  });
}

/**
 * Serves `ics` with an ETag and a Last-Modified, and answers a matching conditional request with
 * 304 Not Modified. `change()` gives the calendar a new version.
 */
export async function conditionalServer(ics: string): Promise<Hostile & { change(next: string): void }> {
  let body = ics;
  let version = 1;
  const lastModified = "Thu, 12 Mar 2026 08:00:00 GMT";
  const server = await serve((request, response) => {
    const etag = `"v${version}"`;
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, { etag, "last-modified": lastModified }).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/calendar", etag, "last-modified": lastModified }).end(body);
  });
  return {
    ...server,
    change(next) {
      body = next;
      version += 1;
    },
  };
}

/** An https server on 127.0.0.1 with the test-only certificate. */
export async function httpsServer(handler: Handler): Promise<Hostile> {
  const requests: IncomingMessage[] = [];
  const server = createHttpsServer({ key: loopbackKey, cert: loopbackCertificate }, (request, response) => {
    requests.push(request);
    handler(request, response, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    bytesSent: () => 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An https server that redirects every request to `location`. */
export function httpsRedirectServer(location: string): Promise<Hostile> {
  return httpsServer((_request, response) => {
    response.writeHead(302, { location }).end();
  });
}

/** Redirects every request to `location` (plain http). */
export function redirectServer(location: string): Promise<Hostile> {
  return serve((_request, response) => {
    response.writeHead(301, { location }).end();
  });
}
