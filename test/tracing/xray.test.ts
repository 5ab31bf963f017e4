import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReminders } from "../../src/run/run.ts";
import { type LocalDaemon, startLocalDaemon } from "../../src/traces/daemon.ts";
import { assembleTraces, type SegmentDocument, type TraceNode } from "../../src/traces/documents.ts";
import { createXRayTracer, openLocalSegment, xrayTracer } from "../../src/tracing/xray.ts";
import { type DaemonAddress, DaemonSocket, daemonAddress } from "../../src/tracing/xray-daemon.ts";
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

  it("flags the local root segment of an invocation that failed as a fault, with its error", async () => {
    // Prepare
    const local = await openLocalSegment("failing", { daemonAddress: daemon.address });

    // Act
    local.close(new Error("CONFIG_FILE: cannot read configuration file"));
    await daemon.until(rootArrived(local.traceId));

    // Assess
    const root = daemon.documents.find((d) => d.trace_id === local.traceId && d.parent_id === undefined);
    expect(root).toMatchObject({
      fault: true,
      cause: { exceptions: [{ message: "CONFIG_FILE: cannot read configuration file", type: "Error" }] },
    });
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

  it("writes each subsegment as an X-Ray segment document: ids, times, parent, annotations, metadata and each kind of failure", async () => {
    // Prepare: spans of every kind a run writes, and one with a BigInt, which JSON cannot write as it is
    const local = await openLocalSegment("documents", { daemonAddress: daemon.address });
    const tracer = await xrayTracer(false);
    const httpError = (message: string, status: number) => Object.assign(new Error(message), { status });

    // Act
    await tracer.span("strategy:pipelined", async (strategy) => {
      strategy.annotate("feeds", 3);
      strategy.annotate("broken", Number.NaN);
      await tracer.span("fetch:a", (span) => {
        span.annotate("feed", "a");
        span.metadata("bytes", 26_000);
        span.metadata("etag", undefined);
      });
      await tracer.span("notify:slow", (span) => span.fail(httpError("HTTP 429 from hooks.slack.com", 429)));
      await tracer.span("fetch:gone", (span) => span.fail(httpError("HTTP 404 from example.com", 404)));
      await tracer.span("parse:b", (span) => span.fail("not a calendar"));
      await tracer.span("parse:c", () => Promise.reject(new TypeError("bad RRULE"))).catch(() => undefined);
      await tracer.span("parse:d", (span) => span.metadata("huge", 2n ** 70n));
      await tracer.span("fetch:down", (span) => span.fail(httpError("HTTP 503 from example.com", 503)));
      const deep = async () => {
        await Promise.resolve();
        throw new Error("deep");
      };
      const outer = async () => {
        await deep();
      };
      await tracer.span("parse:e", () => outer()).catch(() => undefined);
    });
    local.close();
    await daemon.until(rootArrived(local.traceId));

    // Assess: every document
    const documents = daemon.documents.filter((d) => d.trace_id === local.traceId);
    const byName = new Map(documents.map((d) => [d.name, d]));
    const root = byName.get("documents") as SegmentDocument;
    const strategy = byName.get("strategy:pipelined") as SegmentDocument;
    expect(root).toMatchObject({ origin: "AWS::Lambda::Function" });
    expect(root.parent_id).toBeUndefined();
    expect(local.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Math.abs(Number.parseInt(local.traceId.slice(2, 10), 16) - Date.now() / 1000)).toBeLessThan(60);
    expect(new Set(documents.map((d) => d.id)).size).toBe(documents.length);
    for (const document of documents) {
      expect(document.id).toMatch(/^[0-9a-f]{16}$/);
      expect(document.end_time).toBeGreaterThanOrEqual(document.start_time);
      expect(document.in_progress).toBeUndefined();
      if (document !== root) expect(document).toMatchObject({ type: "subsegment", trace_id: local.traceId });
    }

    // Assess: the tree, annotations and metadata
    expect(strategy).toMatchObject({ parent_id: root.id, annotations: { feeds: 3 } });
    expect(strategy.fault).toBeUndefined();
    for (const name of ["fetch:a", "notify:slow", "fetch:gone", "parse:b", "parse:c", "parse:d"]) {
      expect(byName.get(name)?.parent_id).toBe(strategy.id);
    }
    expect(byName.get("fetch:a")).toMatchObject({ annotations: { feed: "a" }, metadata: { default: { bytes: 26_000, etag: "" } } });
    expect(byName.get("fetch:a")?.cause).toBeUndefined();
    expect(byName.get("parse:d")?.metadata).toEqual({ default: { huge: String(2n ** 70n) } });

    // Assess: failures, X-Ray's colours by status, and the exception
    const flags = (name: string) => {
      const { fault, error, throttle } = byName.get(name) as SegmentDocument;
      return { fault, error, throttle };
    };
    expect(flags("notify:slow")).toEqual({ fault: undefined, error: true, throttle: true });
    expect(flags("fetch:gone")).toEqual({ fault: undefined, error: true, throttle: undefined });
    expect(flags("parse:c")).toEqual({ fault: true, error: undefined, throttle: undefined });
    expect(flags("fetch:down")).toEqual({ fault: true, error: undefined, throttle: undefined });
    const exception = (name: string) => (byName.get(name)?.cause?.exceptions ?? [])[0] as Record<string, unknown>;
    expect(exception("notify:slow")).toMatchObject({ message: "HTTP 429 from hooks.slack.com", type: "Error", remote: true });
    expect(exception("parse:b")).toMatchObject({ message: "not a calendar", type: "", remote: false, stack: [] });
    expect(exception("parse:c")).toMatchObject({ message: "bad RRULE", type: "TypeError", remote: false });
    expect(exception("parse:c").id).toMatch(/^[0-9a-f]{16}$/);
    expect(exception("parse:c").stack).toContainEqual(
      expect.objectContaining({ path: expect.stringContaining("xray.test.ts"), line: expect.any(Number), label: expect.any(String) }),
    );
    // An async frame (`at async outer (…)`) is read as the frame of `outer`
    const frames = exception("parse:e").stack as { path: string; label: string }[];
    expect(frames).toContainEqual(expect.objectContaining({ label: "outer", path: expect.stringMatching(/xray\.test\.ts$/) }));
    expect(frames.filter((frame) => frame.path.startsWith("async ") || frame.label.startsWith("async "))).toEqual([]);
  });

  it("reads the daemon's address in both of AWS_XRAY_DAEMON_ADDRESS's forms, and refuses a malformed one", () => {
    expect(daemonAddress(undefined)).toEqual({ host: "127.0.0.1", port: 2000 });
    expect(daemonAddress("169.254.79.129:2000")).toEqual({ host: "169.254.79.129", port: 2000 });
    expect(daemonAddress("tcp:127.0.0.1:2000 udp:127.0.0.2:2001")).toEqual({ host: "127.0.0.2", port: 2001 });
    expect(daemonAddress("[::1]:2000")).toEqual({ host: "::1", port: 2000 });
    for (const bad of ["localhost", "127.0.0.1:0", "127.0.0.1:70000", ":2000", "tcp:127.0.0.1:2000"]) {
      expect(daemonAddress(bad)).toBeUndefined();
    }
  });

  it("waits for the datagrams on their way before its socket closes, and opens another for later documents", async () => {
    // Prepare
    const socket = new DaemonSocket(daemonAddress(daemon.address) as DaemonAddress);
    const document = (name: string, i: number) => JSON.stringify({ name, id: i.toString(16).padStart(16, "0"), start_time: 1 });

    // Act: 200 documents, then close; then one more, and close again
    for (let i = 0; i < 200; i += 1) socket.send(document(`flush:${i}`, i));
    const closing = socket.close();
    await closing;
    socket.send(document("flush:after", 200));
    await socket.close();
    await daemon.until((documents) => documents.some((d) => d.name === "flush:after"));

    // Assess
    expect(daemon.documents.filter((d) => d.name.startsWith("flush:"))).toHaveLength(201);
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
