// Everything that knows about AWS X-Ray lives in this folder. The documents are X-Ray's segment
// documents, written here and sent to the daemon over UDP (`xray-daemon.ts`): AWS put its X-Ray
// SDKs in maintenance mode in February 2026 (end of support February 2027) and recommends
// OpenTelemetry, which `otel.ts` implements behind the same `Tracer`.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomFillSync } from "node:crypto";
import { parseTraceHeader } from "./trace-header.ts";
import { noSpan, type Span, type Tracer } from "./tracer.ts";
import { DaemonSocket, daemonAddress } from "./xray-daemon.ts";

/** What subsegments hang under: the function's segment in Lambda, a local runner's root segment. */
export interface TraceParent {
  readonly traceId: string;
  readonly id: string;
  /** Where the trace's documents go. */
  readonly daemon: DaemonSocket;
}

/** Random bytes for ids, drawn a few hundred ids at a time: one subsegment costs no system call. */
const pool = Buffer.alloc(4096);
let pooled = pool.length;

/** `bytes` random bytes as hex digits: 8 for a segment's id, 12 for a trace id's random part. */
function randomHex(bytes: number): string {
  if (pooled + bytes > pool.length) {
    randomFillSync(pool);
    pooled = 0;
  }
  const hex = pool.toString("hex", pooled, pooled + bytes);
  pooled += bytes;
  return hex;
}

/** A new trace id, `1-<epoch seconds, 8 hex digits>-<24 random hex digits>`, as X-Ray requires. */
function newTraceId(nowMs = Date.now()): string {
  return `1-${Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, "0")}-${randomHex(12)}`;
}

/** X-Ray's times: seconds since the epoch, with a fraction. */
const now = () => Date.now() / 1000;

/** One frame of an exception's stack, as X-Ray shows it. */
interface StackFrame {
  path: string;
  line: number;
  label: string;
}

/** An exception recorded on a subsegment (`cause.exceptions`). */
interface ExceptionDocument {
  id: string;
  message: string;
  type: string;
  remote: boolean;
  stack: StackFrame[];
}

/**
 * The frames of an Error's stack (`    at label (path:line:column)`, or `    at path:line:column`),
 * an `async ` before either form dropped.
 */
function stackFrames(stack: string | undefined): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of (stack ?? "").split("\n")) {
    const frame = /^\s+at (?:async )?(?:(.*?) \()?(.*?):(\d+)(?::\d+)?\)?$/.exec(line);
    if (frame) frames.push({ path: frame[2] as string, line: Number(frame[3]), label: frame[1] || "anonymous" });
  }
  return frames;
}

/**
 * A subsegment while its work runs. Its document is written when it closes, and sent on its own
 * with its parent's id, as X-Ray's API reassembles a tree: a run of a thousand feeds would not
 * fit one UDP datagram (64 KB).
 */
class Subsegment {
  readonly id = randomHex(8);
  readonly start = now();
  readonly name: string;
  readonly parent: TraceParent;
  annotations: Record<string, string | number | boolean> | undefined;
  metadata: Record<string, unknown> | undefined;
  fault = false;
  error = false;
  throttle = false;
  exceptions: ExceptionDocument[] | undefined;

  constructor(name: string, parent: TraceParent) {
    this.name = name;
    this.parent = parent;
  }

  get traceId(): string {
    return this.parent.traceId;
  }

  get daemon(): DaemonSocket {
    return this.parent.daemon;
  }

  annotate(key: string, value: string | number | boolean): void {
    // X-Ray indexes strings, booleans and finite numbers only.
    if (typeof value === "number" && !Number.isFinite(value)) return;
    this.annotations ??= {};
    this.annotations[key] = value;
  }

  addMetadata(key: string, value: unknown): void {
    this.metadata ??= {};
    this.metadata[key] = value ?? "";
  }

  /**
   * Records a failure with its exception, coloured as X-Ray's segment documents say: `error` for a
   * client error (an HTTP 4xx the error carries), with `throttle` for a 429; `fault` for anything
   * else (a 5xx, or no status: the failure is ours or the server's).
   */
  fail(failure: unknown): void {
    const status = (failure as { status?: unknown } | null)?.status;
    const error = failure instanceof Error ? failure : undefined;
    const clientError = typeof status === "number" && status >= 400 && status < 500;
    if (clientError) this.error = true;
    else this.fault = true;
    this.exceptions ??= [];
    this.exceptions.unshift({
      id: randomHex(8),
      message: error ? error.message : String(failure),
      type: error ? error.name : "",
      remote: typeof status === "number",
      stack: stackFrames(error?.stack),
    });
    if (status === 429) this.throttle = true;
  }

  /** Ends the subsegment and sends its document. */
  close(): void {
    this.daemon.send(subsegmentDocument(this, now()));
  }
}

/** A subsegment's document, as X-Ray's segment documents define it. */
function subsegmentDocument(subsegment: Subsegment, end: number): string {
  const document = {
    name: subsegment.name,
    id: subsegment.id,
    start_time: subsegment.start,
    end_time: end,
    type: "subsegment",
    parent_id: subsegment.parent.id,
    trace_id: subsegment.traceId,
    annotations: subsegment.annotations,
    metadata: subsegment.metadata && { default: subsegment.metadata },
    fault: subsegment.fault || undefined,
    error: subsegment.error || undefined,
    throttle: subsegment.throttle || undefined,
    cause: subsegment.exceptions && { working_directory: process.cwd(), exceptions: subsegment.exceptions },
  };
  try {
    return JSON.stringify(document);
  } catch {
    // A value JSON cannot write as it is (a BigInt) is written as text.
    return JSON.stringify(document, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
  }
}

function spanOf(subsegment: Subsegment): Span {
  return {
    annotate: (key, value) => attempt(() => subsegment.annotate(key, value)),
    metadata: (key, value) => attempt(() => subsegment.addMetadata(key, value)),
    fail: (error) => attempt(() => subsegment.fail(error)),
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
 * A `Tracer` writing X-Ray subsegments under `root()` — the Lambda function's segment, or the local
 * runner's root segment. Which span is current is kept in an AsyncLocalStorage, and each subsegment
 * names that parent explicitly, so hundreds of concurrent feeds each land under the span that
 * started them. With no root, work runs untraced.
 */
export function createXRayTracer(root: () => TraceParent | undefined): Tracer {
  const current = new AsyncLocalStorage<Subsegment>();
  return {
    async span(name, work) {
      const subsegment = attempt(() => {
        const parent = current.getStore() ?? root();
        return parent && new Subsegment(name, parent);
      });
      if (!subsegment) return work(noSpan);
      return current.run(subsegment, async () => {
        try {
          const value = await work(spanOf(subsegment));
          attempt(() => subsegment.close());
          return value;
        } catch (error) {
          attempt(() => subsegment.fail(error));
          // Closed whatever happened above: an open subsegment would hold back its whole trace.
          attempt(() => subsegment.close());
          throw error;
        }
      });
    },
  };
}

/** Sockets to the daemon, by its address: one per address a process sends to. */
const daemons = new Map<string, DaemonSocket>();

/** The socket to the daemon at `raw` (`AWS_XRAY_DAEMON_ADDRESS`'s form); undefined when it is malformed. */
function daemonAt(raw: string | undefined): DaemonSocket | undefined {
  const address = daemonAddress(raw);
  if (!address) return undefined;
  const key = `${address.host}:${address.port}`;
  let daemon = daemons.get(key);
  if (!daemon) {
    daemon = new DaemonSocket(address);
    daemons.set(key, daemon);
  }
  return daemon;
}

/**
 * Waits for every document on its way to the daemon and closes the sockets: in Lambda, before the
 * handler returns, as the process may be frozen right after. Never throws.
 */
export async function flushDocuments(): Promise<void> {
  await Promise.all([...daemons.values()].map((daemon) => daemon.close().catch(() => undefined)));
}

/** A root segment opened by a local runner, standing in for the segment Lambda writes. */
export interface LocalSegment {
  readonly traceId: string;
  /** Ends the segment and sends it to the daemon; with the error the invocation failed with, flagged as a fault. */
  close(error?: unknown): void;
}

/** The local runner's root segment, while it is open. */
let localRoot: TraceParent | undefined;

/**
 * Opens the root segment of a local run and makes it the parent of the next runs' spans, as the
 * function's segment is in Lambda. Its documents go to `AWS_XRAY_DAEMON_ADDRESS` (default
 * 127.0.0.1:2000), else to `daemonAddress`, over UDP, exactly as X-Ray's daemon receives them. No
 * segment (and no tracing) when the address is malformed.
 */
export async function openLocalSegment(name: string, options: { daemonAddress?: string } = {}): Promise<LocalSegment> {
  const daemon = daemonAt(process.env.AWS_XRAY_DAEMON_ADDRESS ?? options.daemonAddress);
  const segment = { name, id: randomHex(8), trace_id: newTraceId(), start_time: now(), origin: "AWS::Lambda::Function" };
  const root = daemon && { traceId: segment.trace_id, id: segment.id, daemon };
  localRoot = root;
  return {
    traceId: segment.trace_id,
    close(error?: unknown) {
      if (!root || localRoot !== root) return;
      localRoot = undefined;
      // A failed invocation's segment is flagged with its error, as Lambda flags the function's own.
      const failure =
        error === undefined
          ? {}
          : {
              fault: true,
              cause: {
                exceptions: [
                  {
                    id: randomHex(8),
                    message: error instanceof Error ? error.message : String(error),
                    type: error instanceof Error ? error.name : "",
                  },
                ],
              },
            };
      attempt(() => root.daemon.send(JSON.stringify({ ...segment, end_time: now(), ...failure })));
    },
  };
}

/** Whether a local runner has a root segment open. */
export function hasLocalSegment(): boolean {
  return localRoot !== undefined;
}

/**
 * The function's segment of one invocation, as its trace header names it: the subsegments name it
 * as their parent, and Lambda writes it, so it is never sent here. None when the header is missing,
 * malformed or says `Sampled=0`, or the daemon's address is malformed: the invocation is then not
 * traced.
 */
function invocationSegment(header: string | undefined, address: string | undefined): TraceParent | undefined {
  const { root, parent, sampled } = parseTraceHeader(header);
  const daemon = daemonAt(address);
  if (!root || !parent || !sampled || !daemon) return undefined;
  return { traceId: root, id: parent, daemon };
}

/**
 * The tracer for one invocation: under the local runner's segment when one is open, else, in
 * Lambda, under the function's segment that `lambdaTraceHeader` (the invocation's trace header)
 * names, its documents sent to the daemon at `daemonAddress` (`AWS_XRAY_DAEMON_ADDRESS`).
 */
export async function xrayTracer(
  inLambda: boolean,
  lambdaTraceHeader?: string,
  daemonAddress = process.env.AWS_XRAY_DAEMON_ADDRESS,
): Promise<Tracer> {
  const lambdaSegment = inLambda && !localRoot ? attempt(() => invocationSegment(lambdaTraceHeader, daemonAddress)) : undefined;
  return createXRayTracer(() => localRoot ?? lambdaSegment);
}
