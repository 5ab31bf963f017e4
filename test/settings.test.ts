import { describe, expect, it } from "vitest";
import { readSettings } from "../src/settings.ts";

describe("readSettings", () => {
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
