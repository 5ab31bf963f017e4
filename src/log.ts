import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs, one object per line, on standard error: Lambda sends both streams to
 * CloudWatch, and locally standard output stays free for the result. Synchronous writes, so a line
 * is never lost when Lambda freezes the process after the handler returns.
 *
 * `redact` sees every finished line before it is written: the safety net that keeps secrets a
 * library put into an error (a URL in an undici or AWS SDK message, a `cause`) out of the logs.
 */
export function createLogger(
  level: string = "info",
  redact?: (line: string) => string,
  destination: DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  return pino(
    {
      level,
      hooks: { streamWrite: (line: string) => capLine(redact ? redact(line) : line) },
      base: null,
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Longest log line written: a 10 MB calendar line quoted in a warning would otherwise be a 20 MB log line. */
export const MAX_LOG_LINE = 8 * 1024;
/** Longest string value kept whole in a line that is too long. */
const MAX_LOG_VALUE = 1024;

/**
 * Keeps a line within `MAX_LOG_LINE`: its long string values are cut (saying by how much), and if
 * that is not enough only level, time and message remain. Runs after redaction, so a secret is
 * never half-cut past the redactor.
 */
export function capLine(line: string): string {
  if (line.length <= MAX_LOG_LINE) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${line.slice(0, MAX_LOG_LINE - 40)}… (${line.length} characters)\n`;
  }
  const cut = JSON.stringify(entry, (_, value: unknown) =>
    typeof value === "string" && value.length > MAX_LOG_VALUE
      ? `${value.slice(0, MAX_LOG_VALUE)}… (${value.length - MAX_LOG_VALUE} more characters cut)`
      : value,
  );
  if (cut.length + 1 <= MAX_LOG_LINE) return `${cut}\n`;
  const { level, time, message } = entry;
  return `${JSON.stringify({ level, time, message: typeof message === "string" ? message.slice(0, MAX_LOG_VALUE) : message, truncated: line.length })}\n`;
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
