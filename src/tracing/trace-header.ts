/** The fields of X-Ray's trace header, `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`. */
export interface TraceHeader {
  /** The trace id, `1-<8 hex digits of epoch seconds>-<24 hex digits>`, when the header has a valid one. */
  root: string | undefined;
  /** The id of the segment that called (in Lambda, the function's segment), when valid. */
  parent: string | undefined;
  /** False only when the header says `Sampled=0`. */
  sampled: boolean;
}

/** Reads a trace header; a missing or malformed field is left undefined. */
export function parseTraceHeader(header: string | undefined): TraceHeader {
  const fields = new Map(
    (header ?? "").split(";").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const root = fields.get("Root");
  const parent = fields.get("Parent");
  return {
    root: root && /^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(root) ? root : undefined,
    parent: parent && /^[0-9a-f]{16}$/.test(parent) ? parent : undefined,
    sampled: fields.get("Sampled") !== "0",
  };
}

/** What Lambda's Node.js runtime keeps of the invocation being run, where it runs several at once. */
interface InvokeStore {
  getXRayTraceId(): string | undefined;
}

/**
 * The trace header of the invocation being run: the runtime's invoke store where it has one (a
 * function running several invocations at once in one process), else `_X_AMZN_TRACE_ID`, which
 * Lambda sets afresh for each invocation.
 */
export function invocationTraceHeader(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: InvokeStore } }).awslambda?.InvokeStore;
  try {
    return store?.getXRayTraceId() ?? env._X_AMZN_TRACE_ID;
  } catch {
    return env._X_AMZN_TRACE_ID;
  }
}
