import type { FetchFunction } from "@slack/webhook";
import { fetchBadPorts, fetchRedirectStatuses, globalDispatcher, request } from "../feeds/undici.ts";

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * The `fetch` @slack/webhook is handed: undici's `request` on undici's global dispatcher (the one
 * undici's `fetch` uses), answering and failing as `fetch` does for what `IncomingWebhook.send`
 * asks (a POST of a string, `redirect: "error"`, a timeout signal). undici's `fetch` brings its
 * Request, Response, Headers, WebIDL and CORS machinery (46 KB of the bundle, and about 25 ms of
 * every cold start, to compile, set up and take its first request) for one POST a message.
 *
 * As `fetch`: a request that fails before an answer rejects with `TypeError("fetch failed")`, its
 * `cause` the network error (`code` ECONNREFUSED, UND_ERR_SOCKET…); an answer whose body breaks off
 * rejects `text()` with `TypeError("terminated")`, `cause` likewise; an aborted signal rejects
 * with the signal's reason (a `TimeoutError` for `AbortSignal.timeout`); a redirect is not
 * followed but fails as `TypeError("fetch failed")` with `cause` "unexpected redirect", and so
 * does a port `fetch` never connects to, with `cause` "bad port"; a URL with credentials in it
 * throws a `TypeError` at once.
 */
export const webhookFetch: FetchFunction = async (url, init = {}) => {
  const signal = init.signal;
  const target = new URL(url);
  if (target.username || target.password) {
    // As fetch refuses it, but without the URL in the message: a webhook URL is a secret.
    throw new TypeError("Request cannot be constructed from a URL that includes credentials", { cause: new Error("credentials") });
  }
  if (fetchBadPorts.has(target.port)) throw new TypeError("fetch failed", { cause: new Error("bad port") });
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(target, {
      dispatcher: globalDispatcher(),
      method: (init.method ?? "GET") as "POST",
      headers: init.headers ?? {},
      body: typeof init.body === "string" ? init.body : null,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    throw signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: error });
  }
  const { statusCode, statusText, headers, body } = answer;
  if (fetchRedirectStatuses.has(statusCode) && (init.redirect ?? "follow") === "error") {
    // As `fetch` does, the connection is dropped rather than the redirect's body read.
    body.on("error", () => undefined).destroy();
    throw new TypeError("fetch failed", { cause: new Error("unexpected redirect") });
  }
  const read = async <T>(consume: () => Promise<T>): Promise<T> => {
    try {
      return await consume();
    } catch (error) {
      throw signal?.aborted ? signal.reason : new TypeError("terminated", { cause: error });
    }
  };
  const text = () => read(async () => new TextDecoder().decode(await boundedBytes(body)));
  const header = (name: string): string | null => {
    const value = headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
  const response: FetchResponse = {
    ok: statusCode >= 200 && statusCode <= 299,
    status: statusCode,
    statusText: statusText ?? "",
    url: String(url),
    headers: {
      get: header,
      entries: () => Object.keys(headers).map((name): [string, string] => [name, header(name) ?? ""]),
    },
    text,
    json: async () => JSON.parse(await text()),
    arrayBuffer: () => read(async () => (await boundedBytes(body)).slice().buffer),
  };
  return response;
};

/**
 * What Slack answers a post with is a word (`ok`, `invalid_blocks`, `channel_not_found`): an
 * answer's first 64 KB are read, and the rest is not waited for. A proxy's HTML page or an
 * endpoint that streams without end costs no more memory or time than that.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

async function boundedBytes(body: Awaited<ReturnType<typeof request>>["body"]): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) {
      body.on("error", () => undefined).destroy();
      break;
    }
  }
  return Buffer.concat(chunks, Math.min(size, MAX_ANSWER_BYTES));
}
