import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EventError } from "../src/errors.ts";
import { parseEvent } from "../src/event.ts";

const sample = (name: string) => JSON.parse(readFileSync(`events/${name}`, "utf8")) as unknown;

describe("parseEvent", () => {
  it("takes a scheduled event's time as the reference, not the wall clock", () => {
    expect(parseEvent(sample("scheduled.json"))).toEqual({
      kind: "scheduled",
      reference: new Date("2026-03-12T14:50:00Z"),
      strategy: undefined,
      dryRun: false,
    });
  });

  it.each([
    ["manual-serial.json", "serial", false],
    ["manual-pipelined.json", "pipelined", false],
    ["dry-run.json", undefined, true],
  ])("reads the manual event in events/%s, which runs at the current time", (file, strategy, dryRun) => {
    const request = parseEvent(sample(file));
    expect(request).toEqual({ kind: "manual", reference: undefined, strategy, dryRun });
  });

  it("takes a manual event's now as the reference", () => {
    const request = parseEvent({ now: "2026-03-12T14:50:00Z", strategy: "serial" });
    expect(request.reference?.toISOString()).toBe("2026-03-12T14:50:00.000Z");
  });

  it("reads a now without an offset as UTC, the clock Lambda runs on, whatever the machine's zone", () => {
    expect(parseEvent({ now: "2026-03-12T14:50" }).reference?.toISOString()).toBe("2026-03-12T14:50:00.000Z");
    expect(parseEvent({ now: "2026-03-12T14:50:00.250+01:00" }).reference?.toISOString()).toBe("2026-03-12T13:50:00.250Z");
  });

  it("treats an empty event as a manual run at the current time", () => {
    expect(parseEvent({})).toEqual({ kind: "manual", reference: undefined, strategy: undefined, dryRun: false });
  });

  it.each([
    [{ strategy: "parallel" }, "strategy", /"serial" or "pipelined"/],
    [{ now: "yesterday" }, "now", /not an ISO 8601 date-time/],
    [{ now: "1" }, "now", /not an ISO 8601 date-time/],
    [{ now: "March 12" }, "now", /not an ISO 8601 date-time/],
    [{ now: "2026-02-30T10:00:00Z" }, "now", /not an ISO 8601 date-time/],
    [{ "detail-type": "Scheduled Event", time: "12" }, "time", /ISO 8601/],
    [{ now: 1741791000 }, "now", /ISO 8601/],
    [{ dryRun: "yes" }, "dryRun", /true or false/],
    [{ "detail-type": "Object Created", source: "aws.s3" }, "detail-type", /not handled/],
    [{ "detail-type": "Scheduled Event", time: "soon" }, "time", /ISO 8601/],
    [{ httpMethod: "GET" }, "httpMethod", /unknown field.*neither an EventBridge "Scheduled Event" nor a manual event/],
    [{ Records: [{ eventSource: "aws:sqs" }] }, "Records", /neither an EventBridge "Scheduled Event" nor a manual event/],
    [{ now: "2026-13-45T25:00:00Z" }, "now", /not an ISO 8601 date-time/],
    [{ now: "" }, "now", /not an ISO 8601 date-time/],
    [{ strategy: "fastest", now: "2026-03-12T14:50:00Z" }, "strategy", /"serial" or "pipelined"/],
    [{ "detail-type": "Scheduled Event" }, "time", /ISO 8601/],
    ["hello", "", /^event: must be a JSON object/],
    [[1, 2], "", /^event: must be a JSON object/],
  ])("rejects %j with an error naming %s", (event, field, message) => {
    const error = (() => {
      try {
        parseEvent(event);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EventError);
    expect((error as EventError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(field ? `event.${field}: ` : "event: ")).toBe(true);
  });
});
