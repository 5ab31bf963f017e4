import { SSMClient } from "@aws-sdk/client-ssm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../../src/aws-on-first-use.ts";
import { readSettings } from "../../src/config/settings.ts";
import { loadConfig } from "../../src/config/source.ts";
import { createParameterStore } from "../../src/config/ssm.ts";
import { ConfigError } from "../../src/errors.ts";
import { type FakeSsm, type SsmCall, startSsm, stubAwsEnvironment } from "../support/ssm.ts";

const hooks = Array.from({ length: 12 }, (_, i) => `team${i}`);
const webhookUrl = (name: string) => `https://hooks.slack.com/services/T0000/B0000/${name}-token-0123456789`;

/** A configuration with twelve webhooks, each an ssm: reference, and a feed per webhook. */
function parameters(): Map<string, string> {
  const config = {
    webhooks: Object.fromEntries(hooks.map((h) => [h, `ssm:/reminder/webhooks/${h}`])),
    feeds: hooks.map((h) => ({ id: `feed-${h}`, url: "ssm:/reminder/feeds/private", webhook: h })),
  };
  return new Map([
    ["/reminder/config", JSON.stringify(config)],
    ["/reminder/feeds/private", "https://calendar.example.com/private-0123456789abcdef/basic.ics"],
    ...hooks.map((h): [string, string] => [`/reminder/webhooks/${h}`, webhookUrl(h)]),
  ]);
}

const secretCalls = (calls: SsmCall[]) => calls.filter((c) => c.operation === "GetParameters");

describe("configuration from SSM Parameter Store", () => {
  let ssm: FakeSsm;

  beforeEach(async () => {
    ssm = await startSsm(parameters());
    stubAwsEnvironment(vi.stubEnv, ssm.url);
  });

  afterEach(async () => {
    vi.useRealTimers();
    await ssm.close();
  });

  const settings = () => readSettings({ CONFIG_PARAMETER: "/reminder/config" });

  it("resolves a configuration and its 12 webhook secrets, naming at most 10 parameters per GetParameters call", async () => {
    // Prepare
    const store = createParameterStore(AWS_ON_FIRST_USE.ssm);

    // Act
    const config = await loadConfig(settings(), store);

    // Assess
    expect(config.webhooks.team11).toBe(webhookUrl("team11"));
    expect(config.feeds[0]?.url).toBe("https://calendar.example.com/private-0123456789abcdef/basic.ics");
    expect(ssm.calls[0]).toEqual({ operation: "GetParameter", names: ["/reminder/config"], withDecryption: true });
    const batches = secretCalls(ssm.calls);
    expect(batches).toHaveLength(2);
    for (const batch of batches) {
      expect(batch.names.length).toBeLessThanOrEqual(10);
      expect(batch.withDecryption).toBe(true);
    }
    expect(batches.flatMap((b) => b.names).sort()).toEqual([...parameters().keys()].slice(1).sort());
  });

  it("sends its GetParameters batches at once rather than one after another", async () => {
    // Prepare: 25 names make three batches; SSM holds every answer until all three have arrived
    const names = Array.from({ length: 25 }, (_, i) => `/reminder/many/${i}`);
    for (const name of names) ssm.parameters.set(name, `value-${name}`);
    const held = ssm.hold("GetParameters");
    const store = createParameterStore(AWS_ON_FIRST_USE.ssm);

    // Act
    const resolving = store.resolveSecrets(names);
    await vi.waitFor(() => expect(held.count()).toBe(3), { timeout: 5_000 });
    held.release();
    const values = await resolving;

    // Assess
    expect(values.size).toBe(25);
    expect(
      secretCalls(ssm.calls)
        .map((c) => c.names.length)
        .sort(),
    ).toEqual([10, 10, 5]);
  });

  it("makes no SSM call when a warm invocation loads the configuration again within the cache's max age", async () => {
    // Prepare
    const store = createParameterStore(AWS_ON_FIRST_USE.ssm, { maxAgeSeconds: 300 });
    await loadConfig(settings(), store);
    const before = ssm.calls.length;

    // Act
    const again = await loadConfig(settings(), store);

    // Assess
    expect(ssm.calls.length).toBe(before);
    expect(again.webhooks.team0).toBe(webhookUrl("team0"));
  });

  it("picks up a changed parameter once the cache's max age has passed, and not before", async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-12T14:50:00Z"));
    const store = createParameterStore(AWS_ON_FIRST_USE.ssm, { maxAgeSeconds: 300 });
    await loadConfig(settings(), store);
    ssm.parameters.set("/reminder/webhooks/team3", webhookUrl("rotated"));

    // Act
    vi.setSystemTime(new Date("2026-03-12T14:54:59Z"));
    const stale = await loadConfig(settings(), store);
    vi.setSystemTime(new Date("2026-03-12T14:55:01Z"));
    const fresh = await loadConfig(settings(), store);

    // Assess
    expect(stale.webhooks.team3).toBe(webhookUrl("team3"));
    expect(fresh.webhooks.team3).toBe(webhookUrl("rotated"));
  });

  it("names the field whose ssm: reference does not exist", async () => {
    // Prepare
    ssm.parameters.delete("/reminder/webhooks/team7");

    // Act
    const error = await loadConfig(settings(), createParameterStore(AWS_ON_FIRST_USE.ssm)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe("webhooks.team7");
    expect((error as Error).message).toMatch(/SSM parameter \/reminder\/webhooks\/team7 was not found/);
  });

  it("names CONFIG_PARAMETER when the configuration parameter does not exist", async () => {
    // Act
    const error = await loadConfig(readSettings({ CONFIG_PARAMETER: "/reminder/nope" }), createParameterStore(AWS_ON_FIRST_USE.ssm)).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^CONFIG_PARAMETER: SSM parameter \/reminder\/nope does not exist/);
  });

  it("says which permission is missing when SSM refuses, without any secret value", async () => {
    // Prepare
    ssm.refuse("GetParameters", {
      __type: "AccessDeniedException",
      message:
        "User is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:0:parameter/reminder/webhooks/team0",
    });

    // Act
    const error = await loadConfig(
      settings(),
      createParameterStore(AWS_ON_FIRST_USE.ssm, { client: new SSMClient({ maxAttempts: 1 }) }),
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/AccessDeniedException.*allow ssm:GetParameter and ssm:GetParameters/);
    expect((error as Error).message).not.toMatch(/token-0123456789/);
  });
});

describe("SSM error text", () => {
  it("is quoted without URLs, tokens or account details, and briefly", async () => {
    const { redactSsmText } = await import("../../src/config/ssm.ts");
    const text = redactSsmText(
      `User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized; value https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx or xoxb-1234567890-abcdefghijklmnop ${"x".repeat(500)}`,
    );
    expect(text).not.toMatch(/hooks\.slack\.com|abcdefghijklmnop|123456789012/);
    expect(text).toContain("arn:aws:sts:[redacted]");
    expect(text.length).toBeLessThanOrEqual(300);
  });
});
