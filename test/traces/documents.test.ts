import { describe, expect, it } from "vitest";
import { assembleTraces, DaemonProtocolError, parseDatagram, strategySpans } from "../../src/traces/documents.ts";

const HEADER = '{"format":"json","version":1}\n';

describe("segment documents", () => {
  it("reads a datagram of the X-Ray daemon protocol", () => {
    // Act
    const doc = parseDatagram(Buffer.from(`${HEADER}{"id":"a1","name":"fn","start_time":1,"end_time":2}`));

    // Assess
    expect(doc).toEqual({ id: "a1", name: "fn", start_time: 1, end_time: 2 });
  });

  it.each([
    ["no header", '{"id":"a1"}'],
    ["another format", '{"format":"xml","version":1}\n{}'],
    ["a broken document", `${HEADER}{"id":`],
  ])("refuses %s", (_, text) => {
    expect(() => parseDatagram(text)).toThrow(DaemonProtocolError);
  });

  it("puts streamed subsegments under the parent they name and nested ones under their enclosing span, in start order", () => {
    // Prepare: the root segment arrives last, its strategy span nested, the work streamed before
    const documents = [
      { id: "f2", name: "fetch:b", type: "subsegment", parent_id: "s1", trace_id: "T", start_time: 1.2, end_time: 1.5 },
      { id: "f1", name: "fetch:a", type: "subsegment", parent_id: "s1", trace_id: "T", start_time: 1.1, end_time: 1.4, fault: true },
      {
        id: "r1",
        name: "fn",
        trace_id: "T",
        start_time: 1,
        end_time: 2,
        subsegments: [{ id: "s1", name: "strategy:pipelined", start_time: 1, end_time: 1.9, annotations: { strategy: "pipelined" } }],
      },
      { id: "f1", name: "fetch:a", type: "subsegment", parent_id: "s1", trace_id: "T", start_time: 1.1, end_time: 1.4, fault: true },
    ];

    // Act
    const roots = assembleTraces(documents);
    const [run] = strategySpans(roots);

    // Assess
    expect(roots.map((r) => r.name)).toEqual(["fn"]);
    expect(run?.traceId).toBe("T");
    expect(run?.annotations).toEqual({ strategy: "pipelined" });
    expect(run?.children.map((c) => [c.name, c.parentId, c.fault])).toEqual([
      ["fetch:a", "s1", true],
      ["fetch:b", "s1", false],
    ]);
  });
});
