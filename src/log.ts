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
      ...(redact ? { hooks: { streamWrite: redact } } : {}),
      base: null,
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
