import * as z from "zod/mini";
import { EventError } from "./errors.ts";
import { STRATEGIES, STRATEGY_CHOICES, type Strategy } from "./reminders/feed.ts";

/** What an invocation asks for, whatever its event shape. */
export interface RunRequest {
  kind: "scheduled" | "manual";
  /** The run's reference time; `undefined` means "now" (manual events without `now`). */
  reference: Date | undefined;
  strategy: Strategy | undefined;
  dryRun: boolean;
}

const strategy = z.enum(STRATEGIES, { error: `must be ${STRATEGY_CHOICES}` });

const manualEvent = z.strictObject({
  now: z.optional(
    z.string({ error: 'must be an ISO 8601 date-time string, e.g. "2026-03-12T14:50:00Z"' }).check(
      z.refine((value) => !Number.isNaN(Date.parse(value)), {
        message: 'is not a date; write ISO 8601, e.g. "2026-03-12T14:50:00Z"',
      }),
    ),
  ),
  strategy: z.optional(strategy),
  dryRun: z.optional(z.boolean({ error: "must be true or false" })),
});

function isScheduled(event: Record<string, unknown>): boolean {
  return event["detail-type"] === "Scheduled Event";
}

/**
 * Reads an EventBridge scheduled event (its `time` is the reference, so a late or retried
 * invocation covers the same window) or a manual event `{ now?, strategy?, dryRun? }`.
 *
 * @throws EventError naming the offending field.
 */
export function parseEvent(event: unknown): RunRequest {
  if (event === null || event === undefined) {
    return { kind: "manual", reference: undefined, strategy: undefined, dryRun: false };
  }
  if (typeof event !== "object" || Array.isArray(event)) {
    throw new EventError("", "must be a JSON object: an EventBridge scheduled event or { now?, strategy?, dryRun? }");
  }
  const record = event as Record<string, unknown>;
  if (isScheduled(record)) {
    const time = record.time;
    const reference = typeof time === "string" ? new Date(time) : undefined;
    if (!reference || Number.isNaN(reference.getTime())) {
      throw new EventError("time", "a scheduled event needs its ISO 8601 `time`, as EventBridge sends it");
    }
    return { kind: "scheduled", reference, strategy: undefined, dryRun: false };
  }
  if ("detail-type" in record || "source" in record) {
    throw new EventError(
      "detail-type",
      `"${String(record["detail-type"])}" is not handled; send an EventBridge "Scheduled Event" or a manual event { now?, strategy?, dryRun? }`,
    );
  }
  const parsed = manualEvent.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") ?? "";
    const message =
      issue?.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}: this is neither an EventBridge "Scheduled Event" nor a manual event, which has only now, strategy and dryRun`
        : (issue?.message ?? "is invalid");
    throw new EventError(issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? "") : field, message);
  }
  const { now, strategy: chosen, dryRun } = parsed.data;
  return {
    kind: "manual",
    reference: now === undefined ? undefined : new Date(now),
    strategy: chosen,
    dryRun: dryRun ?? false,
  };
}
