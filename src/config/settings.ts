import { ConfigError } from "../errors.ts";
import { isStrategy, STRATEGY_CHOICES, type Strategy } from "../reminders/feed.ts";
import { DEFAULT_MAX_AGE_SECONDS } from "./ssm.ts";

/** What the environment tells the handler, read once at start-up. */
export interface Settings {
  configFile: string | undefined;
  configParameter: string | undefined;
  strategy: Strategy | undefined;
  ledgerTable: string | undefined;
  logLevel: string;
  /** How often the schedule invokes the function (the template's ScheduleMinutes), when known. */
  scheduleMinutes: number | undefined;
  /** Seconds a value read from SSM is reused by warm invocations. */
  parametersMaxAgeSeconds: number;
  /**
   * Where CloudWatch metrics (EMF lines) go. Standard output inside Lambda (`AWS_LAMBDA_RUNTIME_API`
   * is set by the runtime and by `sam local invoke`), as CloudWatch documents it; standard error
   * elsewhere, so `npm run invoke` keeps standard output for the result alone — and there, like an
   * `info` log line, only when `LOG_LEVEL` lets `info` through.
   */
  metricsFd: 1 | 2 | undefined;
  /** `host:port` of the Lambda runtime API, which no feed redirect may reach. */
  runtimeApi: string | undefined;
}

/** A whole number from the environment, or `fallback` when unset. */
function wholeNumber(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  min: number,
  fallback: number | undefined,
): number | undefined {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(name, `is "${text}"; set it to a whole number of at least ${min}, or unset it`);
  }
  return value;
}

const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);
const VERBOSE = new Set(["trace", "debug", "info"]);
const ORDER = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** A log level from the environment (any case), or undefined when unset. */
function readLevel(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const text = env[name]?.trim().toLowerCase();
  if (!text) return undefined;
  if (!LEVELS.has(text)) {
    throw new ConfigError(name, `is "${text}"; set it to one of ${[...LEVELS].join(", ")}, or unset it`);
  }
  return text;
}

/**
 * Lambda drops JSON log lines below its own log-level control (`AWS_LAMBDA_LOG_LEVEL`, from the
 * template's `LoggingConfig.ApplicationLogLevel`), so writing them would only cost time: the
 * stricter of the two levels wins.
 */
function stricter(own: string | undefined, lambda: string | undefined): string {
  if (!own || !lambda) return own ?? lambda ?? "info";
  return ORDER.indexOf(own) >= ORDER.indexOf(lambda) ? own : lambda;
}

/**
 * Reads `CONFIG_FILE`, `CONFIG_PARAMETER`, `STRATEGY`, `LEDGER_TABLE`, `LOG_LEVEL` (or
 * `POWERTOOLS_LOG_LEVEL`) and Lambda's `AWS_LAMBDA_LOG_LEVEL` (the stricter wins), `SCHEDULE_MINUTES`, `POWERTOOLS_PARAMETERS_MAX_AGE` (Powertools' own
 * name for the cache age of parameters; five minutes here unless set) and `AWS_LAMBDA_RUNTIME_API`.
 * The AWS SDK reads its own variables (`AWS_REGION`, `AWS_ENDPOINT_URL_*`) itself.
 *
 * @throws ConfigError when a variable holds a value the handler cannot use.
 */
export function readSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const strategy = env.STRATEGY?.trim() || undefined;
  if (strategy !== undefined && !isStrategy(strategy)) {
    throw new ConfigError("STRATEGY", `is "${strategy}"; set it to ${STRATEGY_CHOICES}, or unset it`);
  }
  const logLevel = stricter(
    readLevel(env, env.LOG_LEVEL === undefined ? "POWERTOOLS_LOG_LEVEL" : "LOG_LEVEL"),
    readLevel(env, "AWS_LAMBDA_LOG_LEVEL"),
  );
  return {
    configFile: env.CONFIG_FILE?.trim() || undefined,
    configParameter: env.CONFIG_PARAMETER?.trim() || undefined,
    strategy,
    ledgerTable: env.LEDGER_TABLE?.trim() || undefined,
    logLevel,
    scheduleMinutes: wholeNumber(env, "SCHEDULE_MINUTES", 1, undefined),
    parametersMaxAgeSeconds: wholeNumber(env, "POWERTOOLS_PARAMETERS_MAX_AGE", 0, DEFAULT_MAX_AGE_SECONDS) as number,
    metricsFd: env.AWS_LAMBDA_RUNTIME_API ? 1 : VERBOSE.has(logLevel) ? 2 : undefined,
    runtimeApi: env.AWS_LAMBDA_RUNTIME_API?.trim() || undefined,
  };
}
