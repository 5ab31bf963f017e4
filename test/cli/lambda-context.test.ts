import { describe, expect, it } from "vitest";
import { lambdaHeapFlags, runsUnder, templateMemorySize, templateScheduleMinutes } from "../../src/cli/lambda-context.ts";

describe("lambdaHeapFlags", () => {
  it.each([
    [128, ["--max-semi-space-size=6", "--max-old-space-size=116"]],
    [512, ["--max-semi-space-size=25", "--max-old-space-size=461"]],
    [1769, ["--max-semi-space-size=88", "--max-old-space-size=1593"]],
    [10240, ["--max-semi-space-size=512", "--max-old-space-size=9216"]],
  ])("gives a %i MB function a tenth for new space, half of that per semi-space, the rest for old space", (memory, flags) => {
    expect(lambdaHeapFlags(memory)).toEqual(flags);
  });

  it("knows when a process already runs under those limits", () => {
    expect(runsUnder(lambdaHeapFlags(512), ["--max-semi-space-size=25", "--max-old-space-size=461"])).toBe(true);
    expect(runsUnder(lambdaHeapFlags(512), ["--max-old-space-size=461"])).toBe(false);
  });
});

describe("templateMemorySize", () => {
  it("reads the function's MemorySize from template.yaml", () => {
    expect(templateMemorySize()).toBe(512);
  });
});

describe("templateScheduleMinutes", () => {
  it("reads the schedule the template deploys by default", () => {
    expect(templateScheduleMinutes()).toBe(5);
  });
});
