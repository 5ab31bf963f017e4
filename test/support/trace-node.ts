import type { TraceNode } from "../../src/traces/documents.ts";

/** A span of a trace as the analysis tools read it: `start`/`end` in seconds, nothing failed unless `extra` says so. */
export function traceNode(name: string, start: number, end: number, children: TraceNode[] = [], extra: Partial<TraceNode> = {}): TraceNode {
  return {
    id: name,
    name,
    traceId: "1-6b06f000-0123456789abcdef01234567",
    parentId: undefined,
    start,
    end,
    error: false,
    fault: false,
    throttle: false,
    annotations: {},
    metadata: {},
    messages: [],
    children,
    ...extra,
  };
}
