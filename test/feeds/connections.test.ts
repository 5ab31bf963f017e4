import { createServer } from "node:http";
import type { Dispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoopbackServer, listen } from "../../src/demo/servers.ts";
import { sharedOrigins } from "../../src/feeds/dispatcher.ts";
import { createFeedFetcher } from "../../src/feeds/fetch.ts";

const CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";

describe("sharedOrigins", () => {
  const single = { name: "single" } as unknown as Dispatcher;
  const pooled = { name: "pooled" } as unknown as Dispatcher;

  it("gives a download the single connection of its origin unless another of that origin is under way", () => {
    // Prepare
    const connections = sharedOrigins(single, pooled);

    // Act
    const first = connections.lease("https://calendar.example");
    const second = connections.lease("https://calendar.example");
    const elsewhere = connections.lease("https://other.example");
    first.release();
    first.release();
    const third = connections.lease("https://calendar.example");
    second.release();
    third.release();
    const fourth = connections.lease("https://calendar.example");

    // Assess: a second release of one lease frees nothing more
    expect([first, second, elsewhere, third, fourth].map((lease) => lease.dispatcher)).toEqual([single, pooled, single, pooled, single]);
  });
});

describe("feed connections", () => {
  let server: LoopbackServer;
  let connections = 0;
  const answers: (() => void)[] = [];

  beforeAll(async () => {
    const http = createServer((request, response) => {
      const answer = () => response.writeHead(200, { "content-type": "text/calendar" }).end(CALENDAR);
      // `/held` answers only when the test says so, so that two downloads are under way at once.
      if (request.url === "/held") answers.push(answer);
      else answer();
    });
    http.on("connection", () => (connections += 1));
    server = await listen(http);
  });

  afterAll(() => server.close());

  it("reuses one kept-alive connection for feeds of one host read one after another, and opens a second only for a second feed read at the same time", async () => {
    // Prepare
    const fetcher = createFeedFetcher({ timeoutMs: 5_000, maxBytes: 1_000_000, attempts: 1 });
    const feed = (path: string) => ({ id: path.slice(1), url: `${server.url}${path}` });
    connections = 0;

    // Act: three feeds in turn, then two at once
    for (const path of ["/a", "/b", "/c"]) await fetcher.fetchFeed(feed(path));
    const afterSequence = connections;
    const held = fetcher.fetchFeed(feed("/held"));
    while (answers.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await fetcher.fetchFeed(feed("/d"));
    answers.shift()?.();
    await held;
    await fetcher.fetchFeed(feed("/e"));

    // Assess
    expect(afterSequence).toBe(1);
    expect(connections).toBe(2);
  });
});
