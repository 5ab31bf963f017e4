import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSettings } from "../../src/config/settings.ts";
import { loadConfig } from "../../src/config/source.ts";
import { ConfigError } from "../../src/errors.ts";

const valid = {
  scheduleMinutes: 5,
  webhooks: { team: "https://hooks.slack.com/services/T0/B0/secret" },
  feeds: [{ id: "platform", url: "https://calendar.example.com/private/token/basic.ics", webhook: "team" }],
};

describe("loadConfig", () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "config-source-"));
    file = join(dir, "config.json");
    await writeFile(file, JSON.stringify(valid));
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("accepts a scheduleMinutes equal to the schedule the function runs on", async () => {
    const config = await loadConfig(readSettings({ CONFIG_FILE: file, SCHEDULE_MINUTES: "5" }));
    expect(config.scheduleMinutes).toBe(5);
  });

  it("rejects a scheduleMinutes the schedule cannot honour, naming both values", async () => {
    // Act: runs every 10 minutes would leave a 5-minute gap after each 5-minute window
    const error = await loadConfig(readSettings({ CONFIG_FILE: file, SCHEDULE_MINUTES: "10" })).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^scheduleMinutes: is 5, but the function runs every 10 minutes/);
  });

  it("names CONFIG_PARAMETER when there is no SSM client to read it with", async () => {
    const error = await loadConfig(readSettings({ CONFIG_PARAMETER: "/reminder/config" })).catch((e: unknown) => e);
    expect((error as ConfigError).path).toBe("CONFIG_PARAMETER");
  });

  it("says how to provide a configuration when none is set", async () => {
    await expect(loadConfig(readSettings({}))).rejects.toThrow(/pass --config <file>, or set CONFIG_FILE/);
  });
});
