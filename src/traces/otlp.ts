// OTLP/JSON spans read back as X-Ray segment documents, so the comparison tools
// (./documents.ts, figures.ts, the waterfall) read either backend the same way; and a
// loopback OTLP/HTTP receiver, the OpenTelemetry counterpart of daemon.ts.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type OtlpSpan, XRAY_ANNOTATIONS } from "../tracing/otel.ts";
import { arrivals } from "./arrivals.ts";
import type { SegmentDocument } from "./documents.ts";

type Attribute = OtlpSpan["attributes"][number];

function plain(attribute: Attribute): string | number | boolean {
  const value = attribute.value as Record<string, unknown>;
  if ("stringValue" in value) return String(value.stringValue);
  if ("boolValue" in value) return Boolean(value.boolValue);
  if ("intValue" in value) return Number(value.intValue);
  return Number(value.doubleValue);
}

/** An OpenTelemetry trace id (32 hex digits) in X-Ray's form, `1-<8>-<24>`. */
export function xrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/**
 * The segment document X-Ray would hold for `span`, as the collector's `awsxray` exporter makes it:
 * annotations from the attributes `aws.xray.annotations` names, metadata from the others (the
 * `metadata.` prefix dropped), and the error flags X-Ray uses (throttle for 429, error for other
 * 4xx, fault for any other failure).
 */
export function segmentDocumentOf(span: OtlpSpan): SegmentDocument {
  const annotations: Record<string, string | number | boolean> = {};
  const metadata: Record<string, unknown> = {};
  let status: number | undefined;
  const listed = span.attributes.find((attribute) => attribute.key === XRAY_ANNOTATIONS)?.value as
    | { arrayValue?: { values: { stringValue?: string }[] } }
    | undefined;
  const annotationKeys = new Set((listed?.arrayValue?.values ?? []).map((value) => value.stringValue));
  for (const attribute of span.attributes) {
    if (attribute.key === XRAY_ANNOTATIONS) continue;
    if (attribute.key.startsWith("metadata.") || !annotationKeys.has(attribute.key)) {
      const value = plain(attribute);
      let parsed: unknown = value;
      if (typeof value === "string") {
        try {
          parsed = JSON.parse(value);
        } catch {
          parsed = value;
        }
      }
      if (attribute.key === "http.response.status_code") status = Number(value);
      else metadata[attribute.key.replace(/^metadata\./, "")] = parsed;
    } else annotations[attribute.key] = plain(attribute);
  }
  const failed = span.status?.code === 2;
  const clientError = failed && status !== undefined && status >= 400 && status < 500;
  return {
    id: span.spanId,
    name: span.name,
    trace_id: xrayTraceId(span.traceId),
    ...(span.parentSpanId ? { parent_id: span.parentSpanId, type: "subsegment" } : {}),
    start_time: Number(BigInt(span.startTimeUnixNano) / 1000n) / 1e6,
    end_time: Number(BigInt(span.endTimeUnixNano) / 1000n) / 1e6,
    ...(failed && !clientError ? { fault: true } : {}),
    ...(clientError ? { error: true } : {}),
    ...(status === 429 ? { throttle: true } : {}),
    annotations,
    metadata: { default: metadata },
    ...(failed ? { cause: { exceptions: [{ message: span.status?.message ?? "" }] } } : {}),
  };
}

/** A loopback OTLP/HTTP receiver keeping every span it is sent. */
export interface LocalOtlpReceiver {
  /** `http://127.0.0.1:<port>`, the value for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  endpoint: string;
  spans: OtlpSpan[];
  /** Export requests received. */
  requests: number;
  /** Resolves once `predicate` holds for the spans received (checked on each request). */
  until(predicate: (spans: readonly OtlpSpan[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 for `POST /v1/traces` with OTLP/JSON bodies, as a collector does. */
export async function startOtlpReceiver(): Promise<LocalOtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const arriving = arrivals(spans, "spans");
  const receiver: LocalOtlpReceiver = {
    endpoint: "",
    spans,
    requests: 0,
    until: arriving.until,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/v1/traces") {
        response.writeHead(404).end();
        return;
      }
      receiver.requests += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
      };
      for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
      arriving.arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  receiver.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
