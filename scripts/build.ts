// npm run build — bundles the handler exactly as `sam build` does, from the esbuild properties in
// template.yaml, into dist/. Lets a bundle be inspected and tested without SAM or Docker.
import { build, type BuildOptions } from "esbuild";
import { readFileSync } from "node:fs";
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
    customTags: [{ tag: "!Ref", resolve: String }, { tag: "!Sub", resolve: String }, { tag: "!GetAtt", resolve: String }],
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

/** Bundles the handler into `outdir` with the template's esbuild properties. */
export async function bundle(outdir = "dist", templatePath = "template.yaml"): Promise<string[]> {
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
  return Object.keys(result.metafile?.outputs ?? {});
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outputs = await bundle();
  process.stdout.write(`${outputs.join("\n")}\n`);
}
