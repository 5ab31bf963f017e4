import { noTracer, type Tracer } from "./tracer.ts";
import { hasLocalSegment, loadXRay, xrayTracer } from "./xray.ts";

/** Picks each invocation's tracer. */
export interface Tracing {
  /** The tracer of one invocation. Never throws: tracing that cannot start is off. */
  forInvocation(): Promise<Tracer>;
}

/**
 * X-Ray when Lambda runs the function with active tracing (Lambda then sets `LAMBDA_TASK_ROOT` and
 * `AWS_XRAY_DAEMON_ADDRESS`) or when a local runner opened a root segment; otherwise no tracing, at
 * no cost: the X-Ray SDK is then not even loaded. In Lambda the SDK is loaded at once, during the
 * function's initialisation, where it sets up the function's segment for every invocation to come.
 */
export function prepareTracing(env: Readonly<Record<string, string | undefined>>): Tracing {
  const inLambda = Boolean(env.LAMBDA_TASK_ROOT && env.AWS_XRAY_DAEMON_ADDRESS);
  if (inLambda) loadXRay().catch(() => undefined);
  return {
    async forInvocation() {
      if (!inLambda && !hasLocalSegment()) return noTracer;
      try {
        return await xrayTracer(inLambda);
      } catch {
        return noTracer;
      }
    },
  };
}
