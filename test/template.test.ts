import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.ts";
import { bundle, templateBuildProperties } from "../scripts/build.ts";
import { readTemplate } from "./support/template.ts";

const template = readTemplate();
const functions = Object.entries(template.Resources as Record<string, any>).filter(
  ([, r]) => r.Type === "AWS::Serverless::Function",
);
const [, fn] = functions[0] ?? [];

describe("template.yaml", () => {
  it("declares one function, on the Node.js 24 runtime that .nvmrc and engines name", () => {
    expect(functions).toHaveLength(1);
    expect(fn.Properties.Runtime).toBe("nodejs24.x");
    expect(readFileSync(".nvmrc", "utf8").trim()).toBe("24");
    expect(JSON.parse(readFileSync("package.json", "utf8")).engines.node).toBe(">=22");
  });

  it("builds src/handler.ts with esbuild into the module its Handler names", () => {
    // Handler "handler.handler": esbuild writes the entry point's basename at the artifact root.
    const [file, exported] = String(fn.Properties.Handler).split(".");
    expect(fn.Metadata.BuildMethod).toBe("esbuild");
    expect(fn.Metadata.BuildProperties.EntryPoints).toEqual([`src/${file}.ts`]);
    expect(existsSync(`src/${file}.ts`)).toBe(true);
    expect(readFileSync(`src/${file}.ts`, "utf8")).toMatch(new RegExp(`export async function ${exported}\\(`));
  });

  it("produces a bundle that loads on its own and exports the handler", async () => {
    // Prepare
    const out = await mkdtemp(join(tmpdir(), "bundle-"));
    try {
      // Act
      const outputs = await bundle(out);
      const [file] = String(fn.Properties.Handler).split(".");
      const entry = outputs.find((o) => o.endsWith(`${file}.mjs`));

      // Assess
      expect(entry).toBeDefined();
      const module = (await import(pathToFileURL(entry as string).href)) as { handler?: unknown };
      expect(typeof module.handler).toBe("function");
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("traces with X-Ray and names the environment variables the code reads", () => {
    expect(fn.Properties.Tracing).toBe("Active");
    const variables = Object.keys(fn.Properties.Environment.Variables);
    expect(variables).toContain("CONFIG_PARAMETER");
    const settings = readFileSync("src/settings.ts", "utf8");
    for (const name of variables.filter((v) => v !== "NODE_OPTIONS")) expect(settings).toContain(name);
  });

  it("schedules the function every ScheduleMinutes, defaulting to the configuration's scheduleMinutes", () => {
    const defaults = configSchema.shape.scheduleMinutes.parse(undefined);
    expect(template.Parameters.ScheduleMinutes.Default).toBe(defaults);
    const schedule = fn.Properties.Events.Schedule;
    // An EventBridge rule (not Scheduler) sends the scheduled `time` the window is computed from.
    expect(schedule.Type).toBe("Schedule");
    expect(schedule.Properties.Input).toBeUndefined();
    expect(schedule.Properties.Schedule["Fn::If"][2]).toEqual({ "Fn::Sub": "rate(${ScheduleMinutes} minutes)" });
    expect(templateBuildProperties().Format).toBe("esm");
  });
});
