import { describe, expect, it } from "vitest";
import { selectTracing } from "../../src/tracing/select.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { openLocalSegment } from "../../src/tracing/xray.ts";

/** cls-hooked registers its namespaces here when the X-Ray SDK loads. */
const sdkLoaded = () => (process as { namespaces?: Record<string, unknown> }).namespaces?.AWSXRay !== undefined;

describe("selectTracing", () => {
  it("traces nothing and never loads the X-Ray SDK outside Lambda when no runner opened a segment", async () => {
    // Prepare: an environment like `npm start`'s or a test's
    const tracing = selectTracing({ AWS_LAMBDA_FUNCTION_NAME: "ical-slack-reminder" });

    // Act
    const tracer = await tracing.forInvocation();

    // Assess
    expect(tracer).toBe(noTracer);
    expect(sdkLoaded()).toBe(false);
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
    expect(sdkLoaded()).toBe(true);
    await expect(tracer.span("fetch:a", () => "read")).resolves.toBe("read");
  });
});
