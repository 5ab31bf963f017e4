// Preloaded into a measured process (`node --import ./bench/resource-usage.ts …`): when the process
// exits, however it exits short of a crash, writes its own resource usage — user and system CPU
// time and peak RSS since it started (getrusage of the process) — as JSON to $RESOURCE_USAGE_FILE.
import { writeFileSync } from "node:fs";

/** What the measured process reports about itself. */
export interface ResourceUsage {
  userMs: number;
  systemMs: number;
  peakRssMb: number;
}

const file = process.env.RESOURCE_USAGE_FILE;
delete process.env.RESOURCE_USAGE_FILE;
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    const report: ResourceUsage = {
      userMs: usage.userCPUTime / 1000,
      systemMs: usage.systemCPUTime / 1000,
      peakRssMb: usage.maxRSS / 1024,
    };
    writeFileSync(file, JSON.stringify(report));
  });
}
