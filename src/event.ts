import * as z from "zod/mini";
import { isRealWallClock } from "./calendar/wall-clock.ts";
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

/** `2026-03-12T14:50`, seconds and a fraction optional, then `Z`, an offset, or nothing (UTC). */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The instant an ISO 8601 date-time names, or undefined when it is not one, or names a day or time
 * that does not exist (2026-02-30, 25:00): `Date.parse` alone also takes `"1"` or `"March 12"`, and
 * rolls 30 February over to March. Without an offset it is UTC, the clock Lambda runs on, so the
 * same event means the same run on any machine.
 */
export function isoInstant(text: string): Date | undefined {
  const value = text.trim();
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isRealWallClock({ year, month, day, hour, minute, second })) return undefined;
  // `+0100` is ISO 8601 too; Date.parse reads only `+01:00`.
  const ms = Date.parse(match[7] === undefined ? `${value}Z` : value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

const manualEvent = z.strictObject({
  now: z.optional(
    z.string({ error: 'must be an ISO 8601 date-time string, e.g. "2026-03-12T14:50:00Z"' }).check(
      z.refine((value) => isoInstant(value) !== undefined, {
        message: 'is not an ISO 8601 date-time; write e.g. "2026-03-12T14:50:00Z"',
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
    const reference = typeof time === "string" ? isoInstant(time) : undefined;
    if (!reference) {
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
    reference: now === undefined ? undefined : isoInstant(now),
    strategy: chosen,
    dryRun: dryRun ?? false,
  };
}
