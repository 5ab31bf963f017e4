import type { Strategy } from "./config/schema.ts";
import { ConfigError } from "./errors.ts";

/** What the environment tells the handler, read once at start-up. */
export interface Settings {
  configFile: string | undefined;
  configParameter: string | undefined;
  strategy: Strategy | undefined;
  ledgerTable: string | undefined;
  logLevel: string;
}

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

/**
 * Reads `CONFIG_FILE`, `CONFIG_PARAMETER`, `STRATEGY`, `LEDGER_TABLE` and `LOG_LEVEL`.
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
  };
}
