#!/usr/bin/env node
// Runs a command with Node.js 22 or newer first on PATH.
//
// The product targets Node.js 24 (Lambda's nodejs24.x), but many machines still ship Node.js 20.
// When the `node` running this file is too old, the Node.js 24 binary that npm installed from the
// registry as an optional dependency (node-<platform>-<arch>) is used instead, the way a CI
// "setup-node" step would provide it. Usage: node scripts/node.mjs <command> [args...]
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MINIMUM_MAJOR = 22;
const root = dirname(dirname(fileURLToPath(import.meta.url)));

function findNode() {
  if (Number(process.versions.node.split(".")[0]) >= MINIMUM_MAJOR) return process.execPath;
  const platform = process.platform === "win32" ? "win" : process.platform;
  const binary = process.platform === "win32" ? "node.exe" : join("bin", "node");
  const candidate = join(root, "node_modules", `node-${platform}-${process.arch}`, binary);
  if (existsSync(candidate)) return candidate;
  console.error(
    `ical-slack-reminder needs Node.js ${MINIMUM_MAJOR} or newer; this is ${process.version} and ` +
      `no node-${platform}-${process.arch} package is installed. Run \`npm ci\`, or switch with ` +
      "`nvm use` (see .nvmrc).",
  );
  process.exit(1);
}

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error("usage: node scripts/node.mjs <command> [args...]");
  process.exit(2);
}
const node = findNode();
const PATH = [dirname(node), join(root, "node_modules", ".bin"), process.env.PATH].join(delimiter);
// The project's own scripts run from TypeScript source: Node's compile cache keeps the stripped
// code and V8's code cache of each module between runs (node_modules/.cache, rebuilt whenever a
// file changes), so only the first run after a change pays for compiling. Test runners keep their
// own module loading (coverage needs it), so the cache is only for `node` itself.
const compileCache =
  command === "node" && process.env.NODE_COMPILE_CACHE === undefined && process.env.NODE_DISABLE_COMPILE_CACHE === undefined
    ? { NODE_COMPILE_CACHE: join(root, "node_modules", ".cache", "node-compile-cache") }
    : {};
const child = spawn(command === "node" ? node : command, args, {
  stdio: "inherit",
  env: { ...process.env, ...compileCache, PATH },
  shell: process.platform === "win32" && command !== "node",
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
