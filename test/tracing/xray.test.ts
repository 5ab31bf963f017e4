import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReminders } from "../../src/run/run.ts";
import { type LocalDaemon, startLocalDaemon } from "../../src/traces/daemon.ts";
import { assembleTraces, type SegmentDocument, type TraceNode } from "../../src/traces/documents.ts";
import { createXRayTracer, leanFormat, loadXRay, openLocalSegment, xrayTracer } from "../../src/tracing/xray.ts";
import { controlledFetcher, driveToEnd, fakeEdges, planFor, recordingPoster, serverError, settle } from "../support/run-fakes.ts";

const rootArrived = (traceId: string) => (documents: readonly SegmentDocument[]) =>
  documents.some((d) => d.trace_id === traceId && d.type !== "subsegment" && d.in_progress !== true);

function rootOf(daemon: LocalDaemon, traceId: string): TraceNode {
  const root = assembleTraces(daemon.documents).find((node) => node.traceId === traceId && node.parentId === undefined);
  if (!root) throw new Error(`no root segment for trace ${traceId}`);
  return root;
}

describe("X-Ray tracer", () => {
  let daemon: LocalDaemon;

  beforeAll(async () => {
    daemon = await startLocalDaemon();
  });

  afterAll(async () => {
    await daemon.close();
  });

  it("sends the strategy span with its annotations and one span per unit of work, each under the right parent, for 200 concurrent feeds", async () => {
    // Prepare: 200 feeds over 20 webhooks; f3 and f77 fail to download, f5 is not a calendar,
    // webhook hook9 was revoked. Bodies arrive in a shuffled order.
    const local = await openLocalSegment("ical-slack-reminder", { daemonAddress: daemon.address });
    const control = controlledFetcher((id) => (id === "f5" ? "<html>sign in</html>" : calendarFor(id)), {
      f3: serverError("f3"),
      f77: serverError("f77"),
    });
    const slack = recordingPoster(["hook9"]);
    const plan = planFor(200, { strategy: "pipelined", webhooks: 20, concurrency: 64 });

    // Act
    const result = await driveToEnd(
      runReminders(plan, fakeEdges({ fetcher: control.fetcher, poster: slack.poster, tracer: await xrayTracer(false) })),
      control,
    );
    local.close();
    await daemon.until(rootArrived(local.traceId));

    // Assess: the tree
    const root = rootOf(daemon, local.traceId);
    expect(root.name).toBe("ical-slack-reminder");
    expect(root.children.map((c) => c.name)).toEqual(["strategy:pipelined"]);
    const strategy = root.children[0] as TraceNode;
    expect(strategy.annotations).toEqual({ strategy: "pipelined", feeds: 200, reminders: 197 });
    const byName = new Map(strategy.children.map((c) => [c.name, c]));
    for (let i = 0; i < 200; i += 1) expect(byName.has(`fetch:f${i}`)).toBe(true);
    expect(strategy.children.filter((c) => c.name.startsWith("parse:"))).toHaveLength(198);
    expect(new Set(strategy.children.filter((c) => c.name.startsWith("notify:")).map((c) => c.name)).size).toBe(20);
    expect(strategy.children.every((c) => /^(fetch|parse|notify):/.test(c.name) && c.children.length === 0)).toBe(true);
    expect(strategy.children.every((c) => c.parentId === strategy.id && c.traceId === local.traceId)).toBe(true);
    // Each feed's parse starts after its own download ended.
    for (let i = 0; i < 200; i += 1) {
      const parse = byName.get(`parse:f${i}`);
      if (parse) expect(parse.start).toBeGreaterThanOrEqual((byName.get(`fetch:f${i}`) as TraceNode).end);
    }

    // Assess: metadata and errors flagged where they happened, and nowhere else
    expect(byName.get("fetch:f0")?.metadata).toEqual({ bytes: calendarFor("f0").length, status: 200 });
    expect(byName.get("parse:f0")?.metadata).toEqual({ unchanged: false, occurrences: 1, reminders: 1 });
    const failed = [...new Set(strategy.children.filter((c) => c.fault || c.error).map((c) => c.name))].sort();
    expect(failed).toEqual(["fetch:f3", "fetch:f77", "notify:hook9", "parse:f5"]);
    expect(byName.get("fetch:f3")?.messages).toEqual(["HTTP 503 from 127.0.0.1:9 after 3 attempts"]);
    expect(byName.get("notify:hook9")?.error).toBe(true);
    expect(strategy.fault || strategy.error).toBe(false);
    expect(result.feeds).toEqual({ total: 200, ok: 197, failed: 3, unchanged: 0, skipped: 0 });

    // Assess: nothing secret in the documents
    expect(JSON.stringify(daemon.documents)).not.toMatch(/private\/token|B\d+\/secret/);
  });

  it("nests each span under the span that started it when hundreds of branches interleave", async () => {
    // Prepare
    const local = await openLocalSegment("nesting", { daemonAddress: daemon.address });
    const tracer = await xrayTracer(false);
    const gates: (() => void)[] = [];
    const gate = () => new Promise<void>((resolve) => gates.push(resolve));

    // Act: 300 branches, each outer → (wait) → inner → (wait), released in a scrambled order
    const branches = Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        tracer.span(`outer:${i}`, async () => {
          await gate();
          await tracer.span(`inner:${i}`, () => gate());
        }),
      ),
    );
    let done = false;
    void branches.then(() => {
      done = true;
    });
    for (let step = 0; !done; step += 1) {
      await settle();
      gates.splice((step * 7919) % Math.max(gates.length, 1), 1)[0]?.();
    }
    local.close();
    await daemon.until(rootArrived(local.traceId));

    // Assess
    const root = rootOf(daemon, local.traceId);
    expect(root.children).toHaveLength(300);
    for (const outer of root.children) {
      const i = outer.name.slice("outer:".length);
      expect(outer.children.map((c) => c.name)).toEqual([`inner:${i}`]);
    }
  });

  it("runs the work untraced, and never fails it, when there is no segment to attach to", async () => {
    // Prepare: a root that cannot be found, and one whose SDK throws
    const missing = createXRayTracer(() => undefined);
    const broken = createXRayTracer(() => {
      throw new Error("context missing");
    });

    // Act
    const values = [await missing.span("fetch:a", () => 1), await broken.span("fetch:b", async () => 2)];

    // Assess
    expect(values).toEqual([1, 2]);
    await expect(broken.span("fetch:c", () => Promise.reject(new Error("feed down")))).rejects.toThrow("feed down");
  });

  it("writes each subsegment's document as the SDK's own format does, and leaves what it cannot write to the SDK", async () => {
    // Prepare: subsegments of every kind a run writes (annotations, metadata, errors of each flag,
    // an open child still held by its parent) and one with a BigInt, which only the SDK can write
    const xray = await loadXRay();
    const segment = new xray.Segment("formats");
    const plain = segment.addNewSubsegment("fetch:a");
    plain.addAnnotation("feed", "a");
    plain.addMetadata("bytes", 26_000);
    plain.close();
    const failed = segment.addNewSubsegment("notify:hook");
    failed.addError(Object.assign(new Error("HTTP 429 from hooks.slack.com"), { status: 429 }), true);
    failed.addThrottleFlag();
    failed.close();
    const parent = segment.addNewSubsegment("strategy:pipelined");
    parent.addNewSubsegment("parse:b");
    const big = segment.addNewSubsegment("parse:c");
    big.addMetadata("huge", 2n ** 70n);
    big.close();

    // Act / Assess
    for (const subsegment of [plain, failed, parent]) expect(leanFormat(subsegment)).toBe(subsegment.format());
    expect(JSON.parse(leanFormat(parent)).subsegments).toHaveLength(1);
    expect(() => leanFormat(big)).toThrow(TypeError);
    const local = await openLocalSegment("bigint", { daemonAddress: daemon.address });
    const tracer = await xrayTracer(false);
    // Closed while its parent is open, the inner span is sent as a document of its own.
    await tracer.span("strategy:serial", () => tracer.span("parse:d", (span) => span.metadata("huge", 2n ** 70n)));
    local.close();
    await daemon.until(rootArrived(local.traceId));
    const sent = daemon.documents.find((d) => d.trace_id === local.traceId && d.name === "parse:d");
    expect(sent?.type).toBe("subsegment");
    expect(sent?.metadata).toEqual({ default: { huge: String(2n ** 70n) } });
  });

  it("never throws when nothing listens at the daemon address", async () => {
    // Prepare: a closed port
    const closed = await startLocalDaemon();
    await closed.close();
    const local = await openLocalSegment("nobody-listens", { daemonAddress: daemon.address });
    const tracer = createXRayTracer(() => undefined);

    // Act / Assess
    await expect(tracer.span("fetch:x", () => "done")).resolves.toBe("done");
    expect(() => local.close()).not.toThrow();
  });
});

function calendarFor(id: string): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//test//xray//EN",
    "BEGIN:VEVENT",
    `UID:${id}@test`,
    "DTSTAMP:20260301T000000Z",
    "DTSTART:20260312T150000Z",
    "DTEND:20260312T153000Z",
    `SUMMARY:Meeting of ${id}`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}
