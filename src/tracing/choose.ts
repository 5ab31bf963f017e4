import { noTracer, type Tracer } from "./tracer.ts";
import { hasLocalSegment, xrayTracer } from "./xray.ts";

/**
 * The tracer of one invocation. X-Ray when Lambda runs the function with active tracing (Lambda then
 * sets `AWS_XRAY_DAEMON_ADDRESS`) or when a local runner opened a root segment; otherwise none, at
 * no cost: the X-Ray SDK is then not even loaded. Never throws: tracing that cannot start is off.
 */
export async function chooseTracer(env: Readonly<Record<string, string | undefined>>): Promise<Tracer> {
  const inLambda = Boolean(env.LAMBDA_TASK_ROOT && env.AWS_XRAY_DAEMON_ADDRESS);
  if (!inLambda && !hasLocalSegment()) return noTracer;
  try {
    return await xrayTracer(inLambda);
  } catch {
    return noTracer;
  }
}
