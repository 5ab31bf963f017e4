import { writeSync } from "node:fs";
import type { RunResult } from "./run/result.ts";

/** CloudWatch namespace and service dimension the template's alarms rely on. */
export const METRICS_NAMESPACE = "IcalSlackReminder";
export const SERVICE = "ical-slack-reminder";

/**
 * One run's metrics as a CloudWatch Embedded Metric Format document
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Counts carry the `service` dimension; `RunDuration` also carries `strategy`, so serial and
 * pipelined runs can be graphed side by side. Pure: the timestamp comes in as an argument.
 */
export function runMetrics(result: RunResult, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [["service"]],
          Metrics: [
            { Name: "RemindersSent", Unit: "Count" },
            { Name: "RemindersFailed", Unit: "Count" },
            { Name: "RemindersUnknown", Unit: "Count" },
            { Name: "FeedsFailed", Unit: "Count" },
            { Name: "FeedsUnchanged", Unit: "Count" },
            { Name: "FeedsSkipped", Unit: "Count" },
            ...(result.digests
              ? [
                  { Name: "DigestsSent", Unit: "Count" },
                  { Name: "DigestsFailed", Unit: "Count" },
                ]
              : []),
            { Name: "RunDuration", Unit: "Milliseconds" },
            ...(result.notices ? [{ Name: "NoticesSent", Unit: "Count" }] : []),
          ],
        },
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [["service", "strategy"]],
          Metrics: [{ Name: "RunDuration", Unit: "Milliseconds" }],
        },
      ],
    },
    service: SERVICE,
    strategy: result.strategy,
    RemindersSent: result.reminders.sent,
    RemindersFailed: result.reminders.failed,
    RemindersUnknown: result.reminders.unknown ?? 0,
    FeedsFailed: result.feeds.failed,
    FeedsUnchanged: result.feeds.unchanged,
    FeedsSkipped: result.feeds.skipped,
    // Only where digests are configured, so a deployment without them keeps its metric list.
    ...(result.digests ? { DigestsSent: result.digests.sent, DigestsFailed: result.digests.failed } : {}),
    RunDuration: result.durationMs,
    ...(result.notices ? { NoticesSent: result.notices.sent } : {}),
  };
}

/** Where the metrics line goes. */
export type MetricsSink = (line: string) => void;

/**
 * Writes to a file descriptor (1 = stdout, 2 = stderr, `undefined` = nowhere) synchronously, so
 * the line is out before Lambda freezes the process, and bypassing `console`, which Lambda's
 * runtime prefixes with a timestamp and request id — CloudWatch would no longer parse the JSON.
 */
export function fileDescriptorSink(fd: 1 | 2 | undefined): MetricsSink {
  return (line) => {
    if (fd !== undefined) writeSync(fd, line);
  };
}

/** Flushes a run's metrics: one EMF line, once per run. */
export function publishRunMetrics(result: RunResult, sink: MetricsSink, now: number = Date.now()): void {
  sink(`${JSON.stringify(runMetrics(result, now))}\n`);
}
