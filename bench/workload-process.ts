// Starts bench/workload-server.ts in a process of its own, so neither its CPU time nor its memory
// is counted as the measured run's.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { WorkloadAddresses, WorkloadSpec } from "./workload.ts";

/** The workload of `spec`, served on loopback by a child process until `close` is called. */
export async function startWorkloadProcess(spec: WorkloadSpec): Promise<WorkloadAddresses & { close(): Promise<void> }> {
  const child = spawn(process.execPath, [new URL("./workload-server.ts", import.meta.url).pathname, JSON.stringify(spec)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the workload server exited (${String(code)}) before serving`);
    }),
  ])) as [string];
  return {
    ...(JSON.parse(line) as WorkloadAddresses),
    close: async () => {
      child.stdin.end();
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}
