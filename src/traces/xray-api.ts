import { BatchGetTracesCommand, paginateGetTraceSummaries, type XRayClient } from "@aws-sdk/client-xray";
import { assembleTraces, type SegmentDocument, strategySpans, type TraceNode } from "./documents.ts";

/** Runs traced by `strategy:<name>` spans: the filter that finds them among all traces. */
export const RUNS_FILTER = 'annotation.strategy = "serial" OR annotation.strategy = "pipelined"';

/** GetTraceSummaries answers for at most this long a time range per request. */
const WINDOW_MS = 6 * 3_600_000;
/** BatchGetTraces takes at most five trace ids per request. */
const BATCH = 5;

/**
 * Reads the runs traced between `from` and `to` from the X-Ray API: trace ids from
 * GetTraceSummaries filtered on the `strategy` annotation, then the traces' segment documents from
 * BatchGetTraces, assembled into span trees. Returns each run's `strategy:<name>` span, oldest first.
 *
 * @throws the AWS SDK's errors (credentials, permissions: xray:GetTraceSummaries, xray:BatchGetTraces).
 */
export async function readRuns(client: XRayClient, from: Date, to: Date): Promise<TraceNode[]> {
  const ids = new Set<string>();
  for (let start = from.getTime(); start < to.getTime(); start += WINDOW_MS) {
    const end = Math.min(start + WINDOW_MS, to.getTime());
    const pages = paginateGetTraceSummaries(
      { client },
      { StartTime: new Date(start), EndTime: new Date(end), FilterExpression: RUNS_FILTER, TimeRangeType: "TraceId" },
    );
    for await (const page of pages) {
      for (const summary of page.TraceSummaries ?? []) if (summary.Id) ids.add(summary.Id);
    }
  }
  const documents: SegmentDocument[] = [];
  const all = [...ids];
  for (let i = 0; i < all.length; i += BATCH) {
    let next: string | undefined;
    do {
      const page = await client.send(
        new BatchGetTracesCommand({ TraceIds: all.slice(i, i + BATCH), ...(next ? { NextToken: next } : {}) }),
      );
      for (const trace of page.Traces ?? []) {
        for (const segment of trace.Segments ?? []) {
          if (segment.Document) documents.push(JSON.parse(segment.Document) as SegmentDocument);
        }
      }
      next = page.NextToken;
    } while (next);
  }
  return strategySpans(assembleTraces(documents)).sort((a, b) => a.start - b.start);
}
