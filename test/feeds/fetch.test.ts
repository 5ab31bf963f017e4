import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { FeedFetchError } from "../../src/errors.ts";
import { createFeedFetcher, type DownloadedFeed, type FeedFetcherOptions } from "../../src/feeds/fetch.ts";
import { feedText } from "../support/calendar.ts";
import {
  calendarServer,
  flakyServer,
  type Hostile,
  httpsServer,
  loopbackCertificate,
  redirectServer,
  statusServer,
} from "../support/hostile.ts";
import { startLoopback } from "../support/loopback.ts";

const ics = readFileSync("test/fixtures/standup-at-1500z.ics", "utf8");

describe("fetchFeed", () => {
  const servers: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(server: T): T => (servers.push(server), server);
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  function fetcher(overrides: Partial<FeedFetcherOptions> = {}) {
    const waits: number[] = [];
    const instance = createFeedFetcher({
      timeoutMs: 1000,
      maxBytes: 1024 * 1024,
      attempts: 3,
      retryDelayMs: 0,
      wait: async (ms) => void waits.push(ms),
      ca: loopbackCertificate,
      ...overrides,
    });
    return { instance, waits };
  }

  async function failure(promise: Promise<unknown>): Promise<FeedFetchError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FeedFetchError);
    return error as FeedFetchError;
  }

  it.each(["gzip", "br"] as const)("reads a %s-compressed calendar and counts its inflated bytes", async (encoding) => {
    // Prepare
    const server = track(await calendarServer(ics, encoding));

    // Act
    const body = await fetcher().instance.fetchFeed({ id: "team", url: `${server.url}/team.ics` });

    // Assess
    expect(body).toMatchObject({ bytes: Buffer.byteLength(ics), status: 200 });
    expect(feedText((body as DownloadedFeed).text)).toBe(ics);
    expect(server.requests[0]?.headers["accept-encoding"]).toContain(encoding);
  });

  it("follows a redirect from http to https", async () => {
    // Prepare
    const secure = track(await httpsServer((_request, response) => response.writeHead(200).end(ics)));
    const plain = track(await redirectServer(`${secure.url}/team.ics`));

    // Act
    const body = await fetcher().instance.fetchFeed({ id: "team", url: `${plain.url}/team.ics` });

    // Assess
    expect(body).toMatchObject({ status: 200 });
    expect(feedText((body as DownloadedFeed).text)).toBe(ics);
    expect(secure.requests).toHaveLength(1);
  });

  it("refuses a declared Content-Length over the limit without reading the body", async () => {
    // Prepare: announces 30 MB, sends a little, then nothing
    const server = track(
      await startLoopback((_request, response) => {
        response.writeHead(200, { "content-length": String(30 * 1024 * 1024) }).write("BEGIN:VCALENDAR\r\n");
      }),
    );

    // Act
    const error = await failure(fetcher().instance.fetchFeed({ id: "huge", url: `${server.url}/huge.ics` }));

    // Assess
    expect(error.message).toMatch(/^calendar from 127\.0\.0\.1:\d+ is larger than the 1 MB limit/);
    expect(error.feedId).toBe("huge");
  });

  it("counts the limit after decompression, so a small gzip bomb is refused", async () => {
    // Prepare: 8 MB of calendar-looking text, a few kilobytes on the wire
    const bomb = gzipSync(`BEGIN:VCALENDAR\r\n${"X-PADDING:0000000000\r\n".repeat(400_000)}`);
    const server = track(
      await startLoopback((_request, response) => {
        response.writeHead(200, { "content-encoding": "gzip", "content-length": String(bomb.length) }).end(bomb);
      }),
    );

    // Act
    const error = await failure(fetcher().instance.fetchFeed({ id: "bomb", url: `${server.url}/bomb.ics` }));

    // Assess
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(error.message).toMatch(/is larger than the 1 MB limit/);
  });

  it.each(["gzip", "br"])(
    "names a body that is not %s-compressed as its Content-Encoding says, and does not retry it",
    async (encoding) => {
      // Prepare: plain text declared compressed, as a misconfigured proxy sends it
      const server = track(
        await startLoopback((_request, response) => {
          response
            .writeHead(200, { "content-encoding": encoding, "content-type": "text/calendar" })
            .end("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
        }),
      );

      // Act
      const error = await failure(fetcher().instance.fetchFeed({ id: "proxied", url: `${server.url}/team.ics` }));

      // Assess
      expect(error.message).toMatch(
        /sent a body that is not compressed as its Content-Encoding header says .*; the server is misconfigured/,
      );
      expect(error.transient).toBe(false);
    },
  );

  it("gives up on HTTP 503 after the configured attempts, backing off between them", async () => {
    // Prepare
    const server = track(await statusServer(503));
    const { instance, waits } = fetcher({ retryDelayMs: 100 });

    // Act
    const error = await failure(instance.fetchFeed({ id: "legacy", url: `${server.url}/x.ics` }));

    // Assess
    expect(error.message).toMatch(/^HTTP 503 from 127\.0\.0\.1:\d+ after 3 attempts/);
    expect(error).toMatchObject({ status: 503, transient: true });
    expect(server.requests).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it("gives up at once when Retry-After asks for longer than a feed may take", async () => {
    // Prepare
    const server = track(await flakyServer([[429, { "retry-after": "120" }]], ics));
    const { instance, waits } = fetcher({ deadlineMs: 20_000 });

    // Act
    const error = await failure(instance.fetchFeed({ id: "busy", url: `${server.url}/x.ics` }));

    // Assess
    expect(error.message).toMatch(
      /HTTP 429 .* asked to wait 120 s before trying again, longer than the 20 s left of the 20 s a feed may take/,
    );
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("tries again when the connection is refused, then names the refusal and the attempts", async () => {
    // Prepare: a port nobody listens on any more
    const gone = await startLoopback(() => {});
    await gone.close();
    const { instance, waits } = fetcher();

    // Act
    const error = await failure(instance.fetchFeed({ id: "down", url: `${gone.url}/x.ics` }));

    // Assess
    expect(error.message).toMatch(/^127\.0\.0\.1:\d+ refused the connection; .* \(after 3 attempts\)$/);
    expect(waits).toHaveLength(2);
  });

  it("names the host a redirect led to when that host cannot be reached", async () => {
    // Prepare: the feed's host redirects to a port nobody listens on
    const gone = await startLoopback(() => {});
    await gone.close();
    const hop = track(await startLoopback((_request, response) => response.writeHead(302, { location: `${gone.url}/moved.ics` }).end()));

    // Act
    const error = await failure(fetcher({ attempts: 1 }).instance.fetchFeed({ id: "moved", url: `${hop.url}/team.ics` }));

    // Assess
    expect(error.message).toBe(`${new URL(gone.url).host} refused the connection; the server is down or the port is wrong`);
  });

  it("states a small size limit in the unit it was given in", async () => {
    // Prepare: a 5 KB calendar against a 2 KB limit
    const big = ics.replace("END:VCALENDAR", `X-PADDING:${"x".repeat(5000)}\r\nEND:VCALENDAR`);
    const server = track(await startLoopback((_request, response) => response.writeHead(200).end(big)));

    // Act
    const error = await failure(fetcher({ maxBytes: 2048 }).instance.fetchFeed({ id: "team", url: `${server.url}/team.ics` }));

    // Assess
    expect(error.message).toMatch(/is larger than the 2 KB limit/);
  });

  it("stops when the run cancels it, and says so", async () => {
    // Prepare
    const server: Hostile = track(await flakyServer([], ics));
    const controller = new AbortController();
    controller.abort();

    // Act
    const error = await failure(fetcher().instance.fetchFeed({ id: "late", url: `${server.url}/x.ics` }, controller.signal));

    // Assess
    expect(error.message).toMatch(/stopped: the run ran out of time/);
  });

  it("keeps connections open between feeds and between runs", async () => {
    // Prepare
    const sockets = new Set<unknown>();
    const server = track(
      await startLoopback((request, response) => {
        sockets.add(request.socket);
        response.writeHead(200).end(ics);
      }),
    );
    const { instance } = fetcher();

    const ids = ["a", "b", "c", "d", "e", "f"];

    // Act: one warm container, six feeds of one host, one after the other
    for (const id of ids) await instance.fetchFeed({ id, url: `${server.url}/${id}.ics` });

    // Assess: connections were reused (undici may open a second one while the first settles)
    expect(sockets.size).toBeLessThanOrEqual(2);
  });
});
