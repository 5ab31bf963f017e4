import { spawnSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("mapStackTracesLazily", () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "source-maps-"));
    bundle = join(dir, "bundle.mjs");
    await build({
      entryPoints: ["test/fixtures/source-maps/throws-on-line-7.ts"],
      outfile: bundle,
      bundle: true,
      minify: true,
      sourcemap: true,
      format: "esm",
      platform: "node",
      logLevel: "silent",
    });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Imports the bundle in a fresh process with `nodeOptions`, calls `fail()` and prints the stack. */
  function stackOf(nodeOptions: string[]): string {
    const script = `const m = await import(${JSON.stringify(bundle)}); try { m.fail(); } catch (e) { console.log(e.stack); }`;
    const run = spawnSync(process.execPath, [...nodeOptions, "--input-type=module", "-e", script], { encoding: "utf8" });
    return run.stdout;
  }

  it("writes the bundle's frames as the TypeScript positions they came from, without --enable-source-maps", async () => {
    // Prepare
    expect((await stat(`${bundle}.map`)).size).toBeGreaterThan(0);

    // Act
    const stack = stackOf([]);

    // Assess
    expect(stack.split("\n")[0]).toBe("Error: thrown on line 7");
    expect(stack).toMatch(/at \S*test\/fixtures\/source-maps\/throws-on-line-7\.ts:7:\d+/);
    expect(stack).not.toContain("bundle.mjs");
  });

  it("leaves stack traces to Node.js when it maps them itself", () => {
    // Act
    const stack = stackOf(["--enable-source-maps"]);

    // Assess: Node.js's own mapping, with the function's name
    expect(stack).toMatch(/throws-on-line-7\.ts:7:\d+/);
  });
});
