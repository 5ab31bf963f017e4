import { afterEach, describe, expect, it } from "vitest";
import { MAX_ANSWER_BYTES, webhookFetch } from "../../src/slack/fetch.ts";
import { type Loopback, type Route, startLoopback } from "../support/loopback.ts";

const post = { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"text":"x"}', redirect: "error" } as const;

/** What a promise rejected with (or `undefined` when it resolved). */
const rejection = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("webhookFetch", () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(route: Route): Promise<string> {
    server = await startLoopback(route);
    return `${server.url}/services/T0/B0/secret`;
  }

  it("posts the body with the headers given, and answers with status, headers and text as fetch does", async () => {
    // Prepare
    let received: { method?: string | undefined; type?: string | undefined; body?: string } = {};
    const url = await serve((request, response, body) => {
      received = { method: request.method, type: request.headers["content-type"], body };
      response.writeHead(429, { "retry-after": "7", "content-type": "text/plain" }).end("rate_limited");
    });

    // Act
    const response = await webhookFetch(url, post);

    // Assess
    expect(received).toEqual({ method: "POST", type: "application/json", body: '{"text":"x"}' });
    expect(response).toMatchObject({ ok: false, status: 429, statusText: "Too Many Requests", url });
    expect(response.headers.get("Retry-After")).toBe("7");
    expect(response.headers.get("x-missing")).toBeNull();
    expect(await response.text()).toBe("rate_limited");
  });

  it("reads only the first 64 KB of an answer, and does not wait for an answer that never ends", async () => {
    // Prepare: a proxy's page of a megabyte, and an endpoint that streams forever
    let endless: NodeJS.Timeout | undefined;
    const url = await serve((request, response) => {
      if (request.url?.includes("endless")) {
        response.writeHead(502, { "content-type": "text/html" });
        endless = setInterval(() => response.write("<p>".repeat(10_000)), 5);
      } else {
        response.writeHead(502, { "content-type": "text/html" }).end("x".repeat(1024 * 1024));
      }
    });

    // Act
    const big = await (await webhookFetch(url, post)).text();
    const forever = await (await webhookFetch(`${url}/endless`, post)).text();
    clearInterval(endless);

    // Assess
    expect(big).toBe("x".repeat(MAX_ANSWER_BYTES));
    expect(forever.length).toBe(MAX_ANSWER_BYTES);
  });

  it("fails a redirect as fetch does with redirect: error, without following it", async () => {
    let requests = 0;
    const url = await serve((_request, response) => {
      requests += 1;
      response.writeHead(302, { location: "/elsewhere" }).end();
    });

    const error = await rejection(webhookFetch(url, post));

    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("fetch failed");
    expect(error.cause.message).toBe("unexpected redirect");
    expect(requests).toBe(1);
  });

  it("fails as fetch does when the connection closes before the answer: TypeError, the network error as cause", async () => {
    const url = await serve((request) => request.socket.destroy());

    const error = await rejection(webhookFetch(url, post));

    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("fetch failed");
    expect(error.cause.code).toBe("UND_ERR_SOCKET");
  });

  it("fails reading an answer whose body breaks off as fetch does: TypeError terminated", async () => {
    const url = await serve((_request, response) => {
      response.writeHead(404, { "content-length": "100" });
      response.write("no_");
      setImmediate(() => response.socket?.destroy());
    });

    const response = await webhookFetch(url, post);
    const error = await rejection(response.text());

    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("terminated");
    expect(error.cause.code).toBe("UND_ERR_SOCKET");
  });

  it("rejects with the signal's reason when it is aborted, before or during the answer", async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write("o");
    });
    const before = await rejection(webhookFetch(url, { ...post, signal: AbortSignal.abort() }));
    const response = await webhookFetch(url, { ...post, signal: AbortSignal.timeout(50) });
    const during = await rejection(response.text());

    expect(before.name).toBe("AbortError");
    expect(during.name).toBe("TimeoutError");
  });

  it("never connects to a port fetch refuses, nor sends a URL with credentials in it", async () => {
    const badPort = await rejection(webhookFetch("http://127.0.0.1:6000/services/T0/B0/secret", post));
    const credentials = await rejection(webhookFetch("http://user:pass@127.0.0.1:9/services", post));

    expect(badPort).toBeInstanceOf(TypeError);
    expect(badPort.cause.message).toBe("bad port");
    expect(credentials).toBeInstanceOf(TypeError);
  });
});
