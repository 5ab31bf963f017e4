// OpenTelemetry tracing, the path AWS recommends now that the X-Ray SDKs are in maintenance mode:
// the same span tree as xray.ts, as OTLP/JSON spans sent over HTTP to OTEL_EXPORTER_OTLP_ENDPOINT
// (a collector, or the ADOT Lambda layer's on localhost:4318). Trace ids are X-Ray's, written as
// OpenTelemetry's 32 hex digits, and the parent comes from Lambda's `_X_AMZN_TRACE_ID`, so the spans
// land in the function's X-Ray trace.
//
// Hand-written rather than @opentelemetry/sdk-trace-base with exporter-trace-otlp-http: the SDK, its
// resources, context manager and exporter add hundreds of kilobytes to a bundle that every cold
// start imports, and what a run needs is one tree of spans posted once, before the handler returns.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { parseTraceHeader } from "./trace-header.ts";
import type { Span, Tracer } from "./tracer.ts";

/** An OTLP/JSON attribute value. */
type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValue[] } };

/**
 * The attribute naming which of a span's attributes are X-Ray annotations: the collector's
 * `awsxray` exporter makes only those annotations (the rest metadata), and `npm run traces`
 * finds runs by their `strategy` annotation.
 */
export const XRAY_ANNOTATIONS = "aws.xray.annotations";

/** A span in OTLP/JSON (the fields this exporter writes). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: AnyValue }[];
  events?: { name: string; timeUnixNano: string; attributes: { key: string; value: AnyValue }[] }[];
  /** code 2 is ERROR. */
  status?: { code: number; message?: string };
}

/** Where a trace hangs: its id (32 hex digits) and, in Lambda, the function's span. */
export interface TraceContext {
  traceId: string;
  parentSpanId: string | undefined;
  sampled: boolean;
}

/**
 * The trace named by Lambda's `_X_AMZN_TRACE_ID` (`Root=1-5759e988-bd862e3fe1be46a994272793;
 * Parent=53995c3f42cd8ad8;Sampled=1`): X-Ray's `1-<8 hex time>-<24 hex>` is OpenTelemetry's trace
 * id with the dashes dropped. Without a header (a local run), a new X-Ray-compatible id: the first
 * eight digits are the epoch seconds, as X-Ray requires to accept it.
 */
export function traceContextOf(header: string | undefined, now: () => number = Date.now): TraceContext {
  const { root, parent, sampled } = parseTraceHeader(header);
  if (root) return { traceId: root.slice(2).replace("-", ""), parentSpanId: parent, sampled };
  const seconds = Math.floor(now() / 1000)
    .toString(16)
    .padStart(8, "0");
  return { traceId: `${seconds}${randomBytes(12).toString("hex")}`, parentSpanId: undefined, sampled: true };
}

/** The OTLP/JSON form of a value; anything that is not a string, number or boolean goes as JSON. */
function valueOf(value: unknown): AnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return { stringValue: text };
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** performance.now() on the wall clock's scale, with sub-millisecond resolution. */
const wallMs = (): number => performance.timeOrigin + performance.now();

interface OpenSpan {
  record: OtlpSpan;
  failed: boolean;
}

function recordFailure(open: OpenSpan, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  // Anything may be thrown, null and undefined too.
  const status = (error as { status?: unknown } | null | undefined)?.status;
  open.failed = true;
  open.record.status = { code: 2, message: err.message };
  const attributes = [
    { key: "exception.type", value: valueOf(err.name) },
    { key: "exception.message", value: valueOf(err.message) },
  ];
  open.record.events = [...(open.record.events ?? []), { name: "exception", timeUnixNano: nanos(wallMs()), attributes }];
  if (typeof status === "number") open.record.attributes.push({ key: "http.response.status_code", value: valueOf(status) });
}

/**
 * A `Tracer` recording OpenTelemetry spans for one invocation, under `context`. Which span is
 * current is kept in AsyncLocalStorage, so concurrent feeds each land under the span that started
 * them. Finished spans wait in `finished` until `exporter.flush()`.
 */
export function createOtelTracer(context: TraceContext, finished: OtlpSpan[]): Tracer {
  const current = new AsyncLocalStorage<OtlpSpan>();
  return {
    async span(name, work) {
      const parentSpanId = current.getStore()?.spanId ?? context.parentSpanId;
      const record: OtlpSpan = {
        traceId: context.traceId,
        spanId: randomBytes(8).toString("hex"),
        ...(parentSpanId ? { parentSpanId } : {}),
        name,
        kind: 1,
        startTimeUnixNano: nanos(wallMs()),
        endTimeUnixNano: "0",
        attributes: [],
      };
      const open: OpenSpan = { record, failed: false };
      const annotated = new Set<string>();
      const span: Span = {
        annotate: (key, value) => {
          record.attributes.push({ key, value: valueOf(value) });
          annotated.add(key);
        },
        metadata: (key, value) => void record.attributes.push({ key: `metadata.${key}`, value: valueOf(value) }),
        fail: (error) => recordFailure(open, error),
      };
      const end = () => {
        if (annotated.size > 0) {
          record.attributes.push({
            key: XRAY_ANNOTATIONS,
            value: { arrayValue: { values: [...annotated].map((key) => ({ stringValue: key })) } },
          });
        }
        record.endTimeUnixNano = nanos(wallMs());
        finished.push(record);
      };
      return current.run(record, async () => {
        try {
          const value = await work(span);
          end();
          return value;
        } catch (error) {
          recordFailure(open, error);
          end();
          throw error;
        }
      });
    },
  };
}

/** Sends finished spans to an OTLP/HTTP endpoint as JSON, in batches. */
export interface OtlpExporter {
  /** Where `/v1/traces` is posted. */
  readonly url: string;
  /** Posts every span waiting in `spans` and empties it. Never throws: a lost trace is not a failed run. */
  flush(spans: OtlpSpan[]): Promise<void>;
}

/** The traces URL of `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`). */
export function tracesUrl(env: Readonly<Record<string, string | undefined>>): string {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || "http://localhost:4318";
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}

/** Spans per request: OTLP receivers commonly refuse bodies over 4 MB, and a span is under 1 KB. */
const BATCH = 512;

function post(target: URL, body: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    // Taken when a batch is posted, not imported: the bundle's imports of Node.js modules all run at
    // start-up, whatever the tracing, and an ESM import of node:http also loads Node.js's own undici
    // (its lazy WebSocket export), about 30 ms.
    const { request: send } = process.getBuiltinModule(target.protocol === "https:" ? "node:https" : "node:http");
    // `timeoutMs` bounds the whole exchange, not only a silence: a collector that answers a trickle
    // without end is left after it too.
    const deadline = setTimeout(() => req.destroy(), timeoutMs);
    const done = () => {
      clearTimeout(deadline);
      resolve();
    };
    const req = send(
      target,
      { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: timeoutMs },
      // The answer is not read; the request closes once it is over, broken off or destroyed.
      (response) => response.resume(),
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => undefined);
    req.on("close", done);
    req.end(body);
  });
}

/** An exporter posting OTLP/JSON to `url`, each batch given `timeoutMs`. */
export function createOtlpExporter(url: string, resource: Record<string, string>, timeoutMs = 2000): OtlpExporter {
  const target = URL.parse(url);
  // Refused when it is made, so a mistyped endpoint turns tracing off rather than failing the run.
  if (!target || (target.protocol !== "http:" && target.protocol !== "https:")) {
    throw new Error(`the OTLP traces endpoint "${url}" is not an http(s) URL, e.g. http://localhost:4318`);
  }
  const attributes = Object.entries(resource).map(([key, value]) => ({ key, value: valueOf(value) }));
  return {
    url,
    async flush(spans) {
      const batches: OtlpSpan[][] = [];
      while (spans.length) batches.push(spans.splice(0, BATCH));
      await Promise.all(
        batches.map((batch) =>
          post(
            target,
            JSON.stringify({
              resourceSpans: [{ resource: { attributes }, scopeSpans: [{ scope: { name: "ical-slack-reminder" }, spans: batch }] }],
            }),
            timeoutMs,
          ),
        ),
      );
    },
  };
}
