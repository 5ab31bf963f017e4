import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { selectTracing } from "../../src/tracing/select.ts";
import { noTracer } from "../../src/tracing/tracer.ts";
import { openLocalSegment } from "../../src/tracing/xray.ts";

/** Whether a CommonJS module whose path contains `part` has been loaded (imported from ESM or required). */
const loaded = (part: string) => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes(part));
const sdkLoaded = () => loaded("/aws-xray-sdk-core/");
/** cls-hooked registers its namespaces here; its async hook then runs on every promise of the process. */
const clsNamespaces = () => (process as { namespaces?: Record<string, unknown> }).namespaces;

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
    // The SDK's context module, and so cls-hooked's async hook, stays unloaded.
    expect(loaded("/cls-hooked/")).toBe(false);
    expect(clsNamespaces()?.AWSXRay).toBeUndefined();
  });
});
