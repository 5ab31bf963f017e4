// Everything that knows about AWS X-Ray lives in this folder. AWS put the X-Ray SDKs in maintenance
// mode in February 2026 (end of support February 2027) and recommends OpenTelemetry: replacing this
// file with an OpenTelemetry exporter of the same `Tracer` leaves the strategies untouched.
import { AsyncLocalStorage } from "node:async_hooks";
import type * as XRay from "aws-xray-sdk-core";
import { parseTraceHeader } from "./trace-header.ts";
import { noSpan, type Span, type Tracer } from "./tracer.ts";

type Sdk = typeof import("./xray-sdk.ts")["xray"];
/** A segment or subsegment that subsegments can be added to. */
export type TraceParent = XRay.Segment | XRay.Subsegment;

let sdk: Promise<Sdk> | undefined;

/**
 * Loads aws-xray-sdk-core on first use only: a run without tracing must cost nothing, so the SDK is
 * never imported unless a trace is wanted.
 */
export function loadXRay(): Promise<Sdk> {
  sdk ??= import("./xray-sdk.ts").then(({ xray }) => {
    // Send each subsegment as soon as it closes, as the SDK does in Lambda: a run of a thousand feeds
    // would not fit one UDP datagram (64 KB), and the X-Ray API reassembles the tree by parent id.
    xray.setStreamingThreshold(0);
    return xray;
  });
  return sdk;
}

function flagFailure(subsegment: XRay.Subsegment, error: unknown): void {
  const status = (error as { status?: unknown }).status;
  subsegment.addError(error instanceof Error || typeof error === "string" ? error : String(error), typeof status === "number");
  // X-Ray's colours: throttle for 429, error for other 4xx, fault (set by addError) for the rest.
  if (status === 429) subsegment.addThrottleFlag();
  else if (typeof status === "number" && status >= 400 && status < 500) subsegment.addErrorFlag();
}

function spanOf(subsegment: XRay.Subsegment): Span {
  return {
    annotate: (key, value) => attempt(() => subsegment.addAnnotation(key, value)),
    metadata: (key, value) => attempt(() => subsegment.addMetadata(key, value)),
    fail: (error) => attempt(() => flagFailure(subsegment, error)),
  };
}

/** Tracing must never fail a run: a problem of the tracer itself is swallowed. */
function attempt<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}

/**
 * The SDK's emitter writes a debug line of `"UDP message sent: " + subsegment` for every document it
 * sends, and builds it whether debug logging is on or not: with the SDK's `toString`, a second
 * serialisation of the whole subsegment each time. Its trace and own id say which one it was.
 */
function shortlyNamed(subsegment: XRay.Subsegment): XRay.Subsegment {
  subsegment.toString = () => `{"trace_id":"${subsegment.segment?.trace_id}","id":"${subsegment.id}"}`;
  const sdkFormat = subsegment.format;
  subsegment.format = () => attempt(() => leanFormat(subsegment)) ?? sdkFormat.call(subsegment);
  return subsegment;
}

/** What the SDK's `toJSON` leaves out of a subsegment's document. */
const LINKS = new Set(["segment", "parent", "counter"]);

/**
 * The document the SDK's `format` writes for a subsegment, made with less work: the SDK copies it
 * with a `for…in` that walks every method of its prototype too, and serialises the copy through a
 * replacer function (for BigInts, which no span here records: should one, `JSON.stringify` throws
 * and the SDK's own `format` writes the document). A thousand-feed run sends 3,000 of them.
 */
export function leanFormat(subsegment: XRay.Subsegment): string {
  const own = subsegment as unknown as Record<string, unknown> & { subsegments?: unknown[] };
  own.type = "subsegment";
  if (subsegment.parent) own.parent_id = subsegment.parent.id;
  if (subsegment.segment) own.trace_id = subsegment.segment.trace_id;
  const document: Record<string, unknown> = {};
  for (const key of Object.keys(own)) {
    if (LINKS.has(key) || (key === "subsegments" && !own.subsegments?.length)) continue;
    document[key] = own[key];
  }
  return JSON.stringify(document);
}

/**
 * A `Tracer` writing X-Ray subsegments under `root()` — the Lambda function's segment, or the local
 * runner's root segment. Which span is current is kept in our own AsyncLocalStorage rather than in
 * the SDK's context (which would load cls-hooked), and each subsegment is added to that parent
 * explicitly, so hundreds of concurrent feeds each land under the span that started them. With no root, work runs untraced.
 */
export function createXRayTracer(root: () => TraceParent | undefined): Tracer {
  const current = new AsyncLocalStorage<XRay.Subsegment>();
  return {
    async span(name, work) {
      const subsegment = attempt(() => {
        const parent = current.getStore() ?? root();
        return parent && shortlyNamed(parent.addNewSubsegment(name));
      });
      if (!subsegment) return work(noSpan);
      return current.run(subsegment, async () => {
        try {
          const value = await work(spanOf(subsegment));
          attempt(() => subsegment.close());
          return value;
        } catch (error) {
          attempt(() => flagFailure(subsegment, error));
          // Closed whatever happened above: an open subsegment would hold back its whole trace.
          attempt(() => subsegment.close());
          throw error;
        }
      });
    },
  };
}

/** A root segment opened by a local runner, standing in for the segment Lambda writes. */
export interface LocalSegment {
  readonly traceId: string;
  /** Ends the segment and sends it to the daemon. */
  close(): void;
}

let localRoot: XRay.Segment | undefined;

/**
 * Opens the root segment of a local run and makes it the parent of the next runs' spans, as the
 * function's segment is in Lambda. Its documents go to `AWS_XRAY_DAEMON_ADDRESS` (default
 * 127.0.0.1:2000) over UDP, exactly as X-Ray's daemon receives them.
 */
export async function openLocalSegment(name: string, options: { daemonAddress?: string } = {}): Promise<LocalSegment> {
  const xray = await loadXRay();
  // The SDK lets AWS_XRAY_DAEMON_ADDRESS win over this, as it should.
  if (options.daemonAddress) xray.setDaemonAddress(options.daemonAddress);
  const segment = new xray.Segment(name);
  segment.origin = "AWS::Lambda::Function";
  localRoot = segment;
  return {
    traceId: segment.trace_id,
    close() {
      if (localRoot === segment) localRoot = undefined;
      attempt(() => segment.close());
    },
  };
}

/** Whether a local runner has a root segment open. */
export function hasLocalSegment(): boolean {
  return localRoot !== undefined;
}

/**
 * The function's segment of one invocation, made from its trace header as the SDK's Lambda facade
 * makes it: the subsegments name it as their parent, and Lambda writes it, so it is never closed or
 * sent here. It counts itself as open, so that each subsegment is sent as soon as it closes. None
 * when the header is missing, malformed or says `Sampled=0`: the invocation is then not traced.
 */
function invocationSegment(xray: Sdk, header: string | undefined): XRay.Segment | undefined {
  const { root, parent, sampled } = parseTraceHeader(header);
  if (!root || !parent || !sampled) return undefined;
  const segment = new xray.Segment("facade", root);
  segment.id = parent;
  segment.incrementCounter();
  return segment;
}

/**
 * The tracer for one invocation: under the local runner's segment when one is open, else, in
 * Lambda, under the function's segment that `lambdaTraceHeader` (the invocation's trace header)
 * names.
 */
export async function xrayTracer(inLambda: boolean, lambdaTraceHeader?: string): Promise<Tracer> {
  const xray = await loadXRay();
  let lambdaSegment: XRay.Segment | undefined;
  if (inLambda && !localRoot) lambdaSegment = attempt(() => invocationSegment(xray, lambdaTraceHeader));
  return createXRayTracer(() => localRoot ?? lambdaSegment);
}
