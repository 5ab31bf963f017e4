import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs, one object per line, on standard error: Lambda sends both streams to
 * CloudWatch, and locally standard output stays free for the result. Synchronous writes, so a line
 * is never lost when Lambda freezes the process after the handler returns. Tests hand in their own
 * `destination` to read the lines back.
 */
export function createLogger(level: string = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: null,
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything, for tests and benchmarks. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
