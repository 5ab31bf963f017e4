import { describe, expect, it } from "vitest";
import { assembleTraces, strategySpans } from "../../src/traces/documents.ts";
import { figuresOf } from "../../src/traces/figures.ts";
import { segmentDocumentOf, xrayTraceId } from "../../src/traces/otlp.ts";
import { createOtelTracer, type OtlpSpan } from "../../src/tracing/otel.ts";

describe("segmentDocumentOf", () => {
  it("reads OpenTelemetry spans back as the X-Ray tree the comparison tools read", async () => {
    // Prepare: a run of two feeds, one of which fails with a 404 and one a 503
    const spans: OtlpSpan[] = [];
    const tracer = createOtelTracer({ traceId: "6b06f0000123456789abcdef01234567", parentSpanId: undefined, sampled: true }, spans);
    const failing = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });
    await tracer.span("strategy:pipelined", async (span) => {
      span.annotate("strategy", "pipelined");
      span.metadata("window", { from: "a" });
      await tracer.span("fetch:a", () => Promise.reject(failing(404))).catch(() => undefined);
      await tracer.span("fetch:b", () => Promise.reject(failing(503))).catch(() => undefined);
      await tracer.span("notify:team", () => "ok");
    });

    // Act
    const [run] = strategySpans(assembleTraces(spans.map(segmentDocumentOf)));

    // Assess
    expect(run).toMatchObject({
      name: "strategy:pipelined",
      traceId: xrayTraceId("6b06f0000123456789abcdef01234567"),
      annotations: { strategy: "pipelined" },
      metadata: { window: { from: "a" } },
    });
    expect(run?.children.map((c) => [c.name, c.error, c.fault])).toEqual([
      ["fetch:a", true, false],
      ["fetch:b", false, true],
      ["notify:team", false, false],
    ]);
    expect(figuresOf(run!)).toMatchObject({ strategy: "pipelined" });
  });
});
