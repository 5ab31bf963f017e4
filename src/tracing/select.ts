import { ConfigError } from "../errors.ts";
import type { OtlpSpan } from "./otel.ts";
import { invocationTraceHeader } from "./trace-header.ts";
import { noTracer, type Tracer } from "./tracer.ts";

/** Which backend traces the runs: `TRACING`, X-Ray unless set. */
export type TracingMode = "xray" | "otel" | "off";

/** Picks each invocation's tracer. */
export interface Tracing {
  readonly mode: TracingMode;
  /** The tracer of one invocation. Never throws: tracing that cannot start is off. */
  forInvocation(): Promise<Tracer>;
  /** Sends what the invocation recorded and has not sent yet; before the handler returns. Never throws. */
  flush(): Promise<void>;
}

/**
 * `TRACING` (`xray`, `otel` or `off`; `xray` when unset).
 *
 * @throws ConfigError naming the variable for any other value.
 */
export function tracingMode(env: Readonly<Record<string, string | undefined>>): TracingMode {
  const mode = env.TRACING?.trim().toLowerCase() || "xray";
  if (mode !== "xray" && mode !== "otel" && mode !== "off") {
    throw new ConfigError("TRACING", `is "${mode}"; set it to "xray", "otel" or "off", or unset it`);
  }
  return mode;
}

const nothingToFlush = async () => {};

/**
 * The tracing `env` asks for. Nothing is loaded that the mode does not use: with `off` neither the
 * X-Ray tracer nor the OpenTelemetry exporter is even imported.
 *
 * X-Ray: when Lambda runs the function with active tracing (Lambda then sets `LAMBDA_TASK_ROOT`
 * and `AWS_XRAY_DAEMON_ADDRESS`) or when a local runner opened a root segment; otherwise no
 * tracing. Each invocation's subsegments hang under the function's segment its trace header names
 * (read afresh each time; not traced when it says `Sampled=0`), and `flush()` waits for the last of
 * their datagrams and closes the socket they went through.
 *
 * OpenTelemetry: every invocation, in the trace `_X_AMZN_TRACE_ID` names (read afresh each time:
 * Lambda sets it per invocation), not at all when that header says `Sampled=0`; spans are posted
 * to `OTEL_EXPORTER_OTLP_ENDPOINT` by `flush()`.
 *
 * @throws ConfigError when `TRACING` holds a value it does not know.
 */
export function selectTracing(env: Readonly<Record<string, string | undefined>>): Tracing {
  const mode = tracingMode(env);
  if (mode === "off") return { mode, forInvocation: async () => noTracer, flush: nothingToFlush };
  if (mode === "otel") return otelTracing(env);
  return xrayTracing(env);
}

function xrayTracing(env: Readonly<Record<string, string | undefined>>): Tracing {
  const inLambda = Boolean(env.LAMBDA_TASK_ROOT && env.AWS_XRAY_DAEMON_ADDRESS);
  const xray = import("./xray.ts");
  xray.catch(() => undefined);
  return {
    mode: "xray",
    async forInvocation() {
      try {
        const { hasLocalSegment, xrayTracer } = await xray;
        if (!inLambda && !hasLocalSegment()) return noTracer;
        return await xrayTracer(inLambda, invocationTraceHeader(env), env.AWS_XRAY_DAEMON_ADDRESS);
      } catch {
        return noTracer;
      }
    },
    // Subsegments stream to the daemon as they close: what is left is to wait for the last datagrams.
    async flush() {
      try {
        await (await xray).flushDocuments();
      } catch {
        // Tracing never fails a run.
      }
    },
  };
}

function otelTracing(env: Readonly<Record<string, string | undefined>>): Tracing {
  const otel = import("./otel.ts");
  otel.catch(() => undefined);
  const pending: OtlpSpan[] = [];
  let exporter: import("./otel.ts").OtlpExporter | undefined;
  return {
    mode: "otel",
    async forInvocation() {
      try {
        const { createOtelTracer, createOtlpExporter, traceContextOf, tracesUrl } = await otel;
        exporter ??= createOtlpExporter(tracesUrl(env), {
          "service.name": env.AWS_LAMBDA_FUNCTION_NAME ?? "ical-slack-reminder",
          "cloud.provider": "aws",
          "cloud.platform": "aws_lambda",
        });
        const context = traceContextOf(invocationTraceHeader(env));
        return context.sampled ? createOtelTracer(context, pending) : noTracer;
      } catch {
        return noTracer;
      }
    },
    async flush() {
      try {
        if (exporter && pending.length) await exporter.flush(pending);
      } catch {
        // Tracing never fails a run.
      }
    },
  };
}
