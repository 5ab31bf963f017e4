// X-Ray segment documents, as the daemon receives them over UDP and as BatchGetTraces returns them,
// read back into one tree per trace. Pure: no I/O.

import { IcalSlackReminderError } from "../errors.ts";

/** A segment or subsegment document (the fields this project reads). */
export interface SegmentDocument {
  id: string;
  name: string;
  trace_id?: string;
  parent_id?: string;
  type?: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  annotations?: Record<string, string | number | boolean>;
  metadata?: Record<string, Record<string, unknown>>;
  cause?: { exceptions?: { message?: string; type?: string }[] };
  subsegments?: SegmentDocument[];
}

/** One span of a trace, with its children in start order. */
export interface TraceNode {
  id: string;
  name: string;
  traceId: string | undefined;
  parentId: string | undefined;
  /** Seconds since the epoch, as X-Ray writes them. */
  start: number;
  end: number;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  annotations: Record<string, string | number | boolean>;
  /** The `default` namespace of the metadata. */
  metadata: Record<string, unknown>;
  messages: string[];
  children: TraceNode[];
}

const HEADER = '{"format":"json","version":1}';

/** Thrown for a datagram that does not follow the X-Ray daemon protocol. */
export class DaemonProtocolError extends IcalSlackReminderError {
  static override readonly errorName = "DaemonProtocolError";
}

/**
 * Reads one datagram of the X-Ray daemon protocol: the header line `{"format":"json","version":1}`,
 * a newline, then one segment document.
 *
 * @throws DaemonProtocolError when the header is missing or the document is not JSON.
 */
export function parseDatagram(datagram: Buffer | string): SegmentDocument {
  const text = typeof datagram === "string" ? datagram : datagram.toString("utf8");
  const newline = text.indexOf("\n");
  if (newline < 0 || JSON.stringify(JSON.parse(text.slice(0, newline))) !== HEADER) {
    throw new DaemonProtocolError(`datagram does not start with the header ${HEADER}`);
  }
  try {
    return JSON.parse(text.slice(newline + 1)) as SegmentDocument;
  } catch (error) {
    throw new DaemonProtocolError("datagram carries no JSON segment document", { cause: error });
  }
}

function toNode(doc: SegmentDocument, parentId: string | undefined, traceId: string | undefined): TraceNode {
  return {
    id: doc.id,
    name: doc.name,
    traceId: doc.trace_id ?? traceId,
    parentId: doc.parent_id ?? parentId,
    start: doc.start_time,
    end: doc.end_time ?? doc.start_time,
    error: doc.error === true,
    fault: doc.fault === true,
    throttle: doc.throttle === true,
    annotations: { ...doc.annotations },
    metadata: { ...doc.metadata?.default },
    messages: (doc.cause?.exceptions ?? []).map((e) => e.message ?? "").filter(Boolean),
    children: [],
  };
}

/**
 * Builds the span trees from documents in any order: whole segments with nested subsegments, and
 * subsegments streamed on their own that name their parent by `parent_id`. Returns the roots (spans
 * whose parent is not among the documents), each tree sorted by start time. A span seen twice is
 * kept once.
 */
export function assembleTraces(documents: Iterable<SegmentDocument>): TraceNode[] {
  const nodes = new Map<string, TraceNode>();
  const visit = (doc: SegmentDocument, parentId: string | undefined, traceId: string | undefined) => {
    const node = toNode(doc, parentId, traceId);
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    for (const child of doc.subsegments ?? []) visit(child, node.id, node.traceId);
  };
  for (const doc of documents) visit(doc, undefined, undefined);
  const roots: TraceNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === undefined ? undefined : nodes.get(node.parentId);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const sort = (list: TraceNode[]) => {
    list.sort((a, b) => a.start - b.start);
    for (const node of list) sort(node.children);
  };
  sort(roots);
  return roots;
}

/** Every span named `strategy:<name>` in the trees, depth first. */
export function strategySpans(roots: readonly TraceNode[]): TraceNode[] {
  const found: TraceNode[] = [];
  const walk = (node: TraceNode) => {
    if (node.name.startsWith("strategy:")) found.push(node);
    else node.children.forEach(walk);
  };
  roots.forEach(walk);
  return found;
}
