import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../../src/aws-on-first-use.ts";
import { parseCalendar } from "../../src/calendar/expand.ts";
import { readSettings } from "../../src/config/settings.ts";
import { LedgerError } from "../../src/errors.ts";
import { createHandler } from "../../src/handler.ts";
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { createMemorySnapshotStore } from "../../src/ledger/snapshots.ts";
import { runMetrics } from "../../src/metrics.ts";
import type { Snapshot } from "../../src/notices/snapshot.ts";
import { runReminders } from "../../src/run/run.ts";
import type { Tracer } from "../../src/tracing/tracer.ts";
import { type Loopback, type SlackPost, startFeedHost, startSlack } from "../support/loopback.ts";
import { fakeEdges, planFor, recordingPoster } from "../support/run-fakes.ts";

const fixture = (name: string) => readFileSync(join("test/fixtures/notices", name), "utf8");

describe("change notices through the handler", () => {
  let calendars: Record<string, string>;
  let feeds: Loopback;
  let slack: Loopback & { posts: SlackPost[] };
  let dir: string;

  beforeEach(async () => {
    calendars = { "/team.ics": fixture("week-ahead.ics") };
    feeds = await startFeedHost(calendars);
    slack = await startSlack();
    dir = await mkdtemp(join(tmpdir(), "notices-handler-"));
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all([feeds.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  async function loadHandler(extra: Record<string, unknown>, env: Record<string, string> = {}) {
    const file = join(dir, "config.json");
    await writeFile(
      file,
      JSON.stringify({
        webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
        feeds: [{ id: "team", url: `${feeds.url}/team.ics`, webhook: "team" }],
        ...extra,
      }),
    );
    vi.stubEnv("CONFIG_FILE", file);
    vi.stubEnv("LOG_LEVEL", "silent");
    vi.stubEnv("LEDGER_TABLE", "");
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    return createHandler(readSettings(process.env), AWS_ON_FIRST_USE);
  }

  it("refuses notices without a ledger, saying how to fix it", async () => {
    // Prepare
    const handler = await loadHandler({ feeds: [{ id: "team", url: `${feeds.url}/team.ics`, webhook: "team", notices: {} }] });

    // Act
    const failure = await handler({ now: "2026-03-09T09:00:00Z" }).catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ name: "ConfigError", path: "feeds[0].notices" });
    expect((failure as Error).message).toMatch(
      /need the ledger.*set "ledger": \{ "table": "…" \} \(or LEDGER_TABLE\), or remove "notices"/,
    );
  });

  it("announces a change on the second read with the in-process ledger, and a dry run only shows it", async () => {
    // Prepare
    const handler = await loadHandler({ notices: { quietMinutes: 0 } }, { LEDGER_TABLE: "memory:" });
    const first = await handler({ now: "2026-03-09T09:00:00Z" });
    calendars["/team.ics"] = fixture("week-ahead-review-moved-to-thursday.ics");

    // Act
    const dry = await handler({ now: "2026-03-09T09:05:00Z", dryRun: true });
    const postedInDryRun = slack.posts.length;
    const real = await handler({ now: "2026-03-09T09:05:00Z" });

    // Assess
    expect(first.notices).toEqual({ sent: 0, failed: 0 });
    expect(dry.notices).toEqual({ sent: 0, failed: 0 });
    expect(postedInDryRun).toBe(0);
    expect(real.notices).toEqual({ sent: 1, failed: 0 });
    expect(slack.posts.map((p) => p.payload.text)).toEqual([expect.stringMatching(/^Calendar change: Design review moved from Tue/)]);
  });

  it("leaves notices out of the result when none is configured", async () => {
    // Prepare
    const handler = await loadHandler({});

    // Act
    const result = await handler({ now: "2026-03-09T09:00:00Z" });

    // Assess
    expect(result).not.toHaveProperty("notices");
  });
});

describe("change notices in traces and metrics", () => {
  it("traces each feed's comparison as notices:<feedId> and counts NoticesSent", async () => {
    // Prepare
    const names: string[] = [];
    const tracer: Tracer = { span: async (name, work) => (names.push(name), work({ annotate() {}, metadata() {}, fail() {} })) };
    const plan = planFor(2, {
      strategy: "serial",
      webhooks: 1,
      notices: { horizonDays: 7, added: true, moved: true, retitled: true, cancelled: true, quietMinutes: 0 },
    });
    let text = fixture("week-ahead.ics");
    const fetcher = { fetchFeed: async () => ({ text, bytes: text.length, status: 200 }) };
    const { poster, posts } = recordingPoster();
    const edges = fakeEdges({
      fetcher,
      poster,
      tracer,
      ledger: { store: createMemoryLedger(), catchUpMinutes: 0 },
      snapshots: createMemorySnapshotStore<Snapshot>(),
    });
    await runReminders({ ...plan, reference: new Date("2026-03-09T09:00:00Z") }, edges);
    text = fixture("week-ahead-review-removed.ics");

    // Act
    const result = await runReminders({ ...plan, reference: new Date("2026-03-09T09:05:00Z") }, edges);

    // Assess: both feeds' notices go to their one webhook in one message
    expect(names).toEqual(expect.arrayContaining(["notices:f0", "notices:f1", "notify:hook0"]));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.message.blocks.filter((b) => b.type === "section")).toHaveLength(2);
    expect(result.notices).toEqual({ sent: 2, failed: 0 });
    expect(runMetrics(result, 0)).toMatchObject({ NoticesSent: 2 });
  });

  it("neither compares nor writes a feed whose text has not changed, whether downloaded again or answered 304", async () => {
    // Prepare
    const names: string[] = [];
    const tracer: Tracer = {
      span: async (name, work) =>
        work({
          annotate() {},
          metadata: (key, value) => void (key === "unchanged" && name.startsWith("notices:") && names.push(`${name}=${value}`)),
          fail() {},
        }),
    };
    const plan = planFor(1, {
      strategy: "serial",
      webhooks: 1,
      notices: { horizonDays: 7, added: true, moved: true, retitled: true, cancelled: true, quietMinutes: 0 },
    });
    const text = fixture("week-ahead.ics");
    let notModified = false;
    const fetcher = {
      fetchFeed: async () =>
        notModified
          ? ({ unchanged: true, calendar: parseCalendar(text), bytes: 0, status: 304 } as const)
          : { text, bytes: text.length, status: 200 },
    };
    const snapshots = createMemorySnapshotStore<Snapshot>();
    const edges = fakeEdges({
      fetcher,
      poster: recordingPoster().poster,
      tracer,
      ledger: { store: createMemoryLedger(), catchUpMinutes: 0 },
      snapshots,
    });
    await runReminders({ ...plan, reference: new Date("2026-03-09T09:00:00Z") }, edges);
    const savesAfterBaseline = snapshots.saves;

    // Act
    await runReminders({ ...plan, reference: new Date("2026-03-09T09:05:00Z") }, edges);
    notModified = true;
    const unchanged = await runReminders({ ...plan, reference: new Date("2026-03-09T09:10:00Z") }, edges);

    // Assess
    expect(savesAfterBaseline).toBe(1);
    expect(snapshots.saves).toBe(1);
    expect(names).toEqual(["notices:f0=false", "notices:f0=true", "notices:f0=true"]);
    expect(unchanged.notices).toEqual({ sent: 0, failed: 0 });
  });

  it("keeps notices for the next run when the function's time is nearly up", async () => {
    // Prepare
    const plan = planFor(1, {
      strategy: "serial",
      webhooks: 1,
      notices: { horizonDays: 7, added: true, moved: true, retitled: true, cancelled: true, quietMinutes: 0 },
    });
    let text = fixture("week-ahead.ics");
    const fetcher = { fetchFeed: async () => ({ text, bytes: text.length, status: 200 }) };
    const { poster, posts } = recordingPoster();
    let left = 60_000;
    const base = {
      fetcher,
      poster,
      ledger: { store: createMemoryLedger(), catchUpMinutes: 0 },
      snapshots: createMemorySnapshotStore<Snapshot>(),
    };
    const edges = fakeEdges({ ...base, delivery: { remainingMs: () => left } });
    await runReminders({ ...plan, reference: new Date("2026-03-09T09:00:00Z") }, edges);
    text = fixture("week-ahead-review-removed.ics");

    // Act
    left = 1_500;
    const late = await runReminders({ ...plan, reference: new Date("2026-03-09T09:05:00Z") }, edges);
    left = 60_000;
    const next = await runReminders({ ...plan, reference: new Date("2026-03-09T09:10:00Z") }, edges);

    // Assess
    expect(late.notices).toEqual({ sent: 0, failed: 1 });
    expect(late.errors).toEqual([
      { webhook: "hook0", message: expect.stringMatching(/not posted: 1500 ms of the function's time left; the next run posts them/) },
    ]);
    expect(next.notices).toEqual({ sent: 1, failed: 0 });
    expect(posts).toHaveLength(1);
  });

  it("posts nothing twice when a run posted its notices but could not store the snapshot", async () => {
    // Prepare
    const plan = planFor(1, {
      strategy: "serial",
      webhooks: 1,
      notices: { horizonDays: 7, added: true, moved: true, retitled: true, cancelled: true, quietMinutes: 0 },
    });
    let text = fixture("week-ahead.ics");
    const fetcher = { fetchFeed: async () => ({ text, bytes: text.length, status: 200 }) };
    const { poster, posts } = recordingPoster();
    const memory = createMemorySnapshotStore<Snapshot>();
    let refuse = false;
    const snapshots = {
      load: memory.load,
      save: async (feedId: string, snapshot: Parameters<typeof memory.save>[1]) => {
        if (refuse) throw new LedgerError("ledger", 'could not write the change-notice snapshot of feed "f0"');
        await memory.save(feedId, snapshot);
      },
    };
    const edges = fakeEdges({ fetcher, poster, ledger: { store: createMemoryLedger(), catchUpMinutes: 0 }, snapshots });
    await runReminders({ ...plan, reference: new Date("2026-03-09T09:00:00Z") }, edges);
    text = fixture("week-ahead-review-removed.ics");

    // Act
    refuse = true;
    const unsaved = await runReminders({ ...plan, reference: new Date("2026-03-09T09:05:00Z") }, edges);
    refuse = false;
    const retried = await runReminders({ ...plan, reference: new Date("2026-03-09T09:05:00Z") }, edges);
    const next = await runReminders({ ...plan, reference: new Date("2026-03-09T09:10:00Z") }, edges);

    // Assess
    expect(unsaved.notices).toEqual({ sent: 1, failed: 0 });
    expect(unsaved.errors).toEqual([{ feed: "f0", message: expect.stringMatching(/could not write the change-notice snapshot/) }]);
    expect(retried.notices).toEqual({ sent: 0, failed: 0 });
    expect(next.notices).toEqual({ sent: 0, failed: 0 });
    expect(posts).toHaveLength(1);
  });
});
