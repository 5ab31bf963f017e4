import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalDaemon, startLocalDaemon } from "../../src/traces/daemon.ts";
import { createOtelTracer, type OtlpSpan, traceContextOf } from "../../src/tracing/otel.ts";
import { selectTracing } from "../../src/tracing/select.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { openLocalSegment } from "../../src/tracing/xray.ts";

const TRACE_HEADER = "Root=1-6b06f000-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";

describe("selectTracing", () => {
  let daemon: LocalDaemon;

  beforeAll(async () => {
    daemon = await startLocalDaemon();
  });

  afterAll(async () => {
    await daemon.close();
  });

  it("traces nothing outside Lambda when no runner opened a segment", async () => {
    // Prepare: an environment like `npm start`'s or a test's
    const tracing = selectTracing({ AWS_LAMBDA_FUNCTION_NAME: "ical-slack-reminder" });

    // Act
    const tracer = await tracing.forInvocation();

    // Assess
    expect(tracer).toBe(noTracer);
  });

  it("traces with X-Ray once a local runner has opened a root segment", async () => {
    // Prepare
    const tracing = selectTracing({});
    const segment = await openLocalSegment("runner", { daemonAddress: "127.0.0.1:9" });

    // Act
    const tracer = await tracing.forInvocation();
    segment.close();

    // Assess
    expect(tracer).not.toBe(noTracer);
    await expect(tracer.span("fetch:a", () => "read")).resolves.toBe("read");
  });

  it("in Lambda, has every document of the invocation sent by the time flush resolves", async () => {
    // Prepare
    const tracing = selectTracing({
      LAMBDA_TASK_ROOT: "/var/task",
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      _X_AMZN_TRACE_ID: TRACE_HEADER,
    });
    const tracer = await tracing.forInvocation();

    // Act
    await tracer.span("strategy:serial", () => Promise.all(Array.from({ length: 50 }, (_, i) => tracer.span(`fetch:f${i}`, () => i))));
    await tracing.flush();
    // Datagrams on loopback have all been sent once flush resolves; give the receiving socket a moment to read them.
    await daemon.until((documents) => documents.filter((d) => d.trace_id === "1-6b06f000-0123456789abcdef01234567").length === 51);

    // Assess
    const strategy = daemon.documents.find((d) => d.name === "strategy:serial");
    expect(strategy?.parent_id).toBe("53995c3f42cd8ad8");
  });

  it("in Lambda, runs the work untraced when the daemon's address is malformed", async () => {
    // Prepare
    const tracing = selectTracing({ LAMBDA_TASK_ROOT: "/var/task", AWS_XRAY_DAEMON_ADDRESS: "no-port", _X_AMZN_TRACE_ID: TRACE_HEADER });

    // Act
    const tracer = await tracing.forInvocation();

    // Assess
    await expect(tracer.span("fetch:a", () => "read")).resolves.toBe("read");
    await expect(tracing.flush()).resolves.toBeUndefined();
  });

  it.each(["localhost:4318", "not a url", "ftp://collector:21"])(
    "with OpenTelemetry, runs the work untraced when the endpoint %j is not an http(s) URL, and flush never fails",
    async (endpoint) => {
      // Prepare
      const tracing = selectTracing({ TRACING: "otel", OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, _X_AMZN_TRACE_ID: TRACE_HEADER });

      // Act
      const tracer = await tracing.forInvocation();

      // Assess
      expect(tracer).toBe(noTracer);
      await expect(tracer.span("fetch:a", () => "read")).resolves.toBe("read");
      await expect(tracing.flush()).resolves.toBeUndefined();
    },
  );

  it("with OpenTelemetry, records a span whose work threw null or undefined as failed, and throws what it threw", async () => {
    // Prepare
    const finished: OtlpSpan[] = [];
    const tracer = createOtelTracer(traceContextOf(TRACE_HEADER), finished);

    // Act
    const thrown = await tracer
      .span("fetch:a", () => {
        throw null;
      })
      .catch((error: unknown) => ({ error }));
    await tracer.span("fetch:b", (span) => span.fail(undefined));

    // Assess
    expect(thrown).toEqual({ error: null });
    expect(finished.map((span) => [span.name, span.status?.code])).toEqual([
      ["fetch:a", 2],
      ["fetch:b", 2],
    ]);
  });
});
