import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../../src/aws-on-first-use.ts";
import { readSettings } from "../../src/config/settings.ts";
import { createHandler } from "../../src/handler.ts";
import { type LocalDaemon, startLocalDaemon } from "../../src/traces/daemon.ts";
import { assembleTraces } from "../../src/traces/documents.ts";
import { type Loopback, startFeedHost, startSlack } from "../support/loopback.ts";

describe("tracing in Lambda", () => {
  let daemon: LocalDaemon;
  let feeds: Loopback;
  let slack: Loopback;
  let dir: string;

  beforeAll(async () => {
    daemon = await startLocalDaemon();
    feeds = await startFeedHost({ "/private/s3cr3t/team.ics": await readFile("test/fixtures/team-week.ics", "utf8") });
    slack = await startSlack();
    dir = await mkdtemp(join(tmpdir(), "lambda-trace-test-"));
  });

  afterAll(async () => {
    await Promise.all([daemon.close(), feeds.close(), slack.close(), rm(dir, { recursive: true, force: true })]);
  });

  it("hangs each invocation's subsegments under the function segment named by that invocation's trace header", async () => {
    // Prepare: Lambda's environment with active tracing, as the runtime sets it
    const config = join(dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        webhooks: { team: `${slack.url}/services/T0/B0/hooksecret` },
        feeds: [
          { id: "team", url: `${feeds.url}/private/s3cr3t/team.ics`, webhook: "team" },
          { id: "gone", url: `${feeds.url}/private/s3cr3t/gone.ics`, webhook: "team" },
        ],
      }),
    );
    vi.stubEnv("CONFIG_FILE", config);
    vi.stubEnv("LOG_LEVEL", "silent");
    vi.stubEnv("LAMBDA_TASK_ROOT", "/var/task");
    vi.stubEnv("AWS_XRAY_DAEMON_ADDRESS", daemon.address);
    vi.stubEnv("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR");
    const handler = createHandler(readSettings(process.env), AWS_ON_FIRST_USE, process.env);
    const invoke = (root: string, parent: string, strategy: string, sampled = 1) => {
      vi.stubEnv("_X_AMZN_TRACE_ID", `Root=${root};Parent=${parent};Sampled=${sampled}`);
      return handler({ now: "2026-03-12T14:50:00Z", strategy }, { awsRequestId: root });
    };

    // Act: three invocations of one warm container, the first one not sampled
    await invoke("1-6b06eff0-0123456789abcdef01234566", "43995c3f42cd8ad7", "pipelined", 0);
    await invoke("1-6b06f000-0123456789abcdef01234567", "53995c3f42cd8ad8", "pipelined");
    await invoke("1-6b06f001-0123456789abcdef01234568", "63995c3f42cd8ad9", "serial");
    await daemon.until((docs) => docs.filter((d) => d.name.startsWith("strategy:")).length === 2);

    // Assess
    const runs = assembleTraces(daemon.documents).filter((node) => node.name.startsWith("strategy:"));
    expect(runs.map((r) => [r.name, r.traceId, r.parentId, r.annotations])).toEqual([
      ["strategy:pipelined", "1-6b06f000-0123456789abcdef01234567", "53995c3f42cd8ad8", { strategy: "pipelined", feeds: 2, reminders: 2 }],
      ["strategy:serial", "1-6b06f001-0123456789abcdef01234568", "63995c3f42cd8ad9", { strategy: "serial", feeds: 2, reminders: 2 }],
    ]);
    for (const run of runs) {
      expect(run.children.map((c) => c.name).sort()).toEqual(["fetch:gone", "fetch:team", "notify:team", "parse:team"]);
      expect(run.children.filter((c) => c.fault || c.error).map((c) => c.name)).toEqual(["fetch:gone"]);
    }
    expect(daemon.documents.filter((d) => d.trace_id === "1-6b06eff0-0123456789abcdef01234566")).toEqual([]);
    expect(JSON.stringify(daemon.documents)).not.toMatch(/s3cr3t|hooksecret/);
  });
});
