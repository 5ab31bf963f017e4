// npm run build — bundles the handler exactly as `sam build` does, from the esbuild properties in
// template.yaml, into dist/. Lets a bundle be inspected and tested without SAM or Docker.

import { readFileSync } from "node:fs";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { parse } from "yaml";

interface BuildProperties {
  EntryPoints: string[];
  Format?: "esm" | "cjs";
  OutExtension?: string[];
  Target?: string;
  Platform?: "node";
  Minify?: boolean;
  Sourcemap?: boolean;
  Banner?: string[];
  /** Comma-separated, as `sam build` reads it: `module,main`. */
  MainFields?: string;
  External?: string[];
}

/** The function's esbuild properties in `template.yaml`. */
export function templateBuildProperties(templatePath = "template.yaml"): BuildProperties {
  // Only the Metadata block is needed, and it holds no intrinsic functions: read tags as plain text.
  const template = parse(readFileSync(templatePath, "utf8"), {
    customTags: [
      { tag: "!Ref", resolve: String },
      { tag: "!Sub", resolve: String },
      { tag: "!GetAtt", resolve: String },
    ],
    strict: false,
    logLevel: "silent",
  }) as { Resources: Record<string, { Type: string; Metadata?: { BuildProperties?: BuildProperties } }> };
  const fn = Object.values(template.Resources).find((r) => r.Type === "AWS::Serverless::Function");
  const properties = fn?.Metadata?.BuildProperties;
  if (!properties) throw new Error("template.yaml has no function with esbuild BuildProperties");
  return properties;
}

function pairs(list: string[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (list ?? []).map((item) => {
      const at = item.indexOf("=");
      return [item.slice(0, at), item.slice(at + 1)];
    }),
  );
}

/** Bundles the handler into `outdir` with the template's esbuild properties; returns the files written. */
export async function bundle(outdir = "dist", templatePath = "template.yaml"): Promise<string[]> {
  return Object.keys((await bundleWithMetafile(outdir, templatePath)).outputs);
}

/** As `bundle`, returning esbuild's metafile: what each output holds, input by input. */
export async function bundleWithMetafile(outdir = "dist", templatePath = "template.yaml"): Promise<Metafile> {
  const p = templateBuildProperties(templatePath);
  const options: BuildOptions = {
    entryPoints: p.EntryPoints,
    outdir,
    bundle: true,
    platform: p.Platform ?? "node",
    format: p.Format ?? "cjs",
    target: p.Target ?? "node24",
    minify: p.Minify ?? false,
    sourcemap: p.Sourcemap ?? false,
    outExtension: pairs(p.OutExtension),
    banner: pairs(p.Banner),
    external: p.External ?? [],
    ...(p.MainFields ? { mainFields: p.MainFields.split(",").map((field) => field.trim()) } : {}),
    metafile: true,
    logLevel: "warning",
  };
  const result = await build(options);
  if (!result.metafile) throw new Error("esbuild wrote no metafile");
  return result.metafile;
}

/** Bytes of `output` by package (`undici`, `@smithy/core`) or by folder of src (`src/calendar`), heaviest first. */
export function weightsByPackage(metafile: Metafile, output: string): [string, number][] {
  const weights = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output]?.inputs ?? {})) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split("/").slice(0, 2).join("/");
    weights.set(name, (weights.get(name) ?? 0) + bytesInOutput);
  }
  return [...weights].sort((a, b) => b[1] - a[1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outputs = await bundle();
  process.stdout.write(`${outputs.join("\n")}\n`);
}
