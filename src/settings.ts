import type { Strategy } from "./config/schema.ts";
import { ConfigError } from "./errors.ts";

/** What the environment tells the handler, read once at start-up. */
export interface Settings {
  configFile: string | undefined;
  configParameter: string | undefined;
  strategy: Strategy | undefined;
  ledgerTable: string | undefined;
  logLevel: string;
  /**
   * Where CloudWatch metrics (EMF lines) go. Standard output inside Lambda (`AWS_LAMBDA_RUNTIME_API`
   * is set by the runtime and by `sam local invoke`), as CloudWatch documents it; standard error
   * elsewhere, so `npm run invoke` keeps standard output for the result alone — and there, like an
   * `info` log line, only when `LOG_LEVEL` lets `info` through.
   */
  metricsFd: 1 | 2 | undefined;
}

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);
const VERBOSE = new Set(["trace", "debug", "info"]);

/**
 * Reads `CONFIG_FILE`, `CONFIG_PARAMETER`, `STRATEGY`, `LEDGER_TABLE`, `LOG_LEVEL` (or
 * `POWERTOOLS_LOG_LEVEL`) and `AWS_LAMBDA_RUNTIME_API`.
 * The AWS SDK reads its own variables (`AWS_REGION`, `AWS_ENDPOINT_URL_*`) itself.
 *
 * @throws ConfigError when a variable holds a value the handler cannot use.
 */
export function readSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const strategy = env.STRATEGY?.trim() || undefined;
  if (strategy !== undefined && strategy !== "serial" && strategy !== "pipelined") {
    throw new ConfigError("STRATEGY", `is "${strategy}"; set it to "serial" or "pipelined", or unset it`);
  }
  const logLevel = (env.LOG_LEVEL ?? env.POWERTOOLS_LOG_LEVEL ?? "info").trim().toLowerCase();
  return {
    configFile: env.CONFIG_FILE?.trim() || undefined,
    configParameter: env.CONFIG_PARAMETER?.trim() || undefined,
    strategy,
    ledgerTable: env.LEDGER_TABLE?.trim() || undefined,
    logLevel: LEVELS.has(logLevel) ? logLevel : "info",
    metricsFd: env.AWS_LAMBDA_RUNTIME_API ? 1 : VERBOSE.has(logLevel) || !LEVELS.has(logLevel) ? 2 : undefined,
  };
}
