import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Readable stack traces for the deployed bundle without paying for them at start-up.
 *
 * `--enable-source-maps` makes Node.js read the bundle's source map (megabytes) while the function
 * initialises, on every cold start; `process.setSourceMapsEnabled(true)` later is no help, since
 * Node.js maps only files loaded after it. So nothing is read until a stack is first formatted:
 * then the map beside `moduleUrl` is parsed once and each frame in the bundle is written as the
 * TypeScript position it came from (`at ../src/config/source.ts:41:11`), other frames
 * as V8 writes them. Does nothing when there is no map beside the module (running from source) or
 * Node.js maps stack traces itself.
 */
export function mapStackTracesLazily(moduleUrl: string): void {
  if (!moduleUrl.startsWith("file:") || process.sourceMapsEnabled) return;
  const file = fileURLToPath(moduleUrl);
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return;
  let map: SourceMap | null | undefined;
  const sourceMap = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")));
      } catch {
        map = null; // an unreadable map leaves the bundle's own positions
      }
    }
    return map;
  };
  // Replaces Node.js's own formatter (Node.js 24 installs one), which writes the same lines unmapped.
  Error.prepareStackTrace = (error, frames) => {
    const lines = frames.map((frame) => `    at ${mappedFrame(frame, moduleUrl, file, sourceMap)}`);
    return [headline(error), ...lines].join("\n");
  };
}

function headline(error: Error): string {
  try {
    return String(error);
  } catch {
    return "Error";
  }
}

function mappedFrame(frame: NodeJS.CallSite, moduleUrl: string, file: string, sourceMap: () => SourceMap | null): string {
  const where = frame.getFileName();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if ((where !== moduleUrl && where !== file) || line === null || column === null) return frame.toString();
  const origin = sourceMap()?.findOrigin(line, column) as { fileName?: string; lineNumber?: number; columnNumber?: number } | undefined;
  if (!origin?.fileName) return frame.toString();
  const async = frame.isAsync() ? "async " : "";
  const place = `${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}`;
  // No function name: the frame's own is minified, and the map names the identifier at the
  // position (often the callee), not the enclosing function.
  return `${async}${place}`;
}
