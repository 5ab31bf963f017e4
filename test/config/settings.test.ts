import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config/settings.ts";
import { ConfigError } from "../../src/errors.ts";

describe("readSettings", () => {
  it.each([
    [{}, "info"],
    [{ LOG_LEVEL: "DEBUG" }, "debug"],
    [{ POWERTOOLS_LOG_LEVEL: "warn" }, "warn"],
    [{ LOG_LEVEL: "error", POWERTOOLS_LOG_LEVEL: "debug" }, "error"],
  ])("takes the log level from %j", (env, level) => {
    expect(readSettings(env).logLevel).toBe(level);
  });

  it.each([
    [{ AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001" }, 1],
    [{ AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001", LOG_LEVEL: "silent" }, 1],
    [{}, 2],
    [{ LOG_LEVEL: "debug" }, 2],
    [{ LOG_LEVEL: "warn" }, undefined],
    [{ LOG_LEVEL: "silent" }, undefined],
  ])("sends metrics for %j to file descriptor %s", (env, fd) => {
    expect(readSettings(env).metricsFd).toBe(fd);
  });

  it.each([
    [{ AWS_LAMBDA_LOG_LEVEL: "WARN" }, "warn"],
    [{ AWS_LAMBDA_LOG_LEVEL: "ERROR", LOG_LEVEL: "debug" }, "error"],
    [{ AWS_LAMBDA_LOG_LEVEL: "DEBUG", LOG_LEVEL: "warn" }, "warn"],
    [{ AWS_LAMBDA_LOG_LEVEL: "INFO", POWERTOOLS_LOG_LEVEL: "debug" }, "info"],
  ])("honours Lambda's log-level control in %j, the stricter level winning", (env, level) => {
    // Act
    const settings = readSettings(env);

    // Assess
    expect(settings.logLevel).toBe(level);
  });

  it("refuses a log level it does not know, naming the variable", () => {
    expect(() => readSettings({ AWS_LAMBDA_LOG_LEVEL: "LOUD" })).toThrow(/^AWS_LAMBDA_LOG_LEVEL: /);
    expect(() => readSettings({ LOG_LEVEL: "chatty" })).toThrow(/^LOG_LEVEL: is "chatty"; set it to one of trace, /);
    expect(() => readSettings({ POWERTOOLS_LOG_LEVEL: "loud" })).toThrow(/^POWERTOOLS_LOG_LEVEL: /);
  });

  it("refuses a STRATEGY it does not know, naming the variable", () => {
    expect(() => readSettings({ STRATEGY: "fastest" })).toThrow(ConfigError);
    expect(() => readSettings({ STRATEGY: "fastest" })).toThrow(/^STRATEGY: /);
  });

  it("caches SSM values for five minutes unless POWERTOOLS_PARAMETERS_MAX_AGE says otherwise", () => {
    expect(readSettings({}).parametersMaxAgeSeconds).toBe(300);
    expect(readSettings({ POWERTOOLS_PARAMETERS_MAX_AGE: "60" }).parametersMaxAgeSeconds).toBe(60);
  });

  it("knows the schedule's period only when SCHEDULE_MINUTES is set", () => {
    expect(readSettings({}).scheduleMinutes).toBeUndefined();
    expect(readSettings({ SCHEDULE_MINUTES: "15" }).scheduleMinutes).toBe(15);
  });

  it.each([
    ["SCHEDULE_MINUTES", "five"],
    ["POWERTOOLS_PARAMETERS_MAX_AGE", "-1"],
  ])("rejects %s=%s, naming the variable", (name, value) => {
    expect(() => readSettings({ [name]: value })).toThrow(new RegExp(`^${name}: is "${value}"`));
  });
});
