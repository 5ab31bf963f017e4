import { afterEach, describe, expect, it } from "vitest";
import { invocationTraceHeader, parseTraceHeader } from "../../src/tracing/trace-header.ts";

describe("parseTraceHeader", () => {
  it("reads the root, the parent and the sampling decision of Lambda's header", () => {
    expect(parseTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")).toEqual({
      root: "1-5759e988-bd862e3fe1be46a994272793",
      parent: "53995c3f42cd8ad8",
      sampled: true,
    });
    expect(parseTraceHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0")).toEqual({
      root: "1-5759e988-bd862e3fe1be46a994272793",
      parent: undefined,
      sampled: false,
    });
  });

  it("leaves out a malformed root or parent and reads no header as nothing", () => {
    expect(parseTraceHeader("Root=1-5759e988-xyz;Parent=53995c3f;Sampled=1")).toEqual({
      root: undefined,
      parent: undefined,
      sampled: true,
    });
    expect(parseTraceHeader(undefined)).toEqual({ root: undefined, parent: undefined, sampled: true });
  });
});

describe("invocationTraceHeader", () => {
  const runtime = globalThis as { awslambda?: unknown };
  afterEach(() => {
    delete runtime.awslambda;
  });

  it("takes the runtime's invoke store over _X_AMZN_TRACE_ID, where the runtime has one", () => {
    const env = { _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793" };
    expect(invocationTraceHeader(env)).toBe(env._X_AMZN_TRACE_ID);
    runtime.awslambda = { InvokeStore: { getXRayTraceId: () => "Root=1-6b06f000-0123456789abcdef01234567" } };
    expect(invocationTraceHeader(env)).toBe("Root=1-6b06f000-0123456789abcdef01234567");
    // Outside an invocation the store has none, and a store that throws is no store.
    runtime.awslambda = { InvokeStore: { getXRayTraceId: () => undefined } };
    expect(invocationTraceHeader(env)).toBe(env._X_AMZN_TRACE_ID);
    runtime.awslambda = {
      InvokeStore: {
        getXRayTraceId: () => {
          throw new Error("no context");
        },
      },
    };
    expect(invocationTraceHeader(env)).toBe(env._X_AMZN_TRACE_ID);
  });
});
