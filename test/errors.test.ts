import { describe, expect, it } from "vitest";
import {
  CalendarError,
  ConfigError,
  EventError,
  FeedFetchError,
  FeedParseError,
  IcalSlackReminderError,
  LedgerError,
  RequestError,
  SlackDeliveryError,
} from "../src/errors.ts";
import { InternalAddressError } from "../src/feeds/addresses.ts";

describe("the product's errors", () => {
  const cause = new Error("socket hang up");

  it.each([
    ["ConfigError", new ConfigError("feeds[0].url", "is required", { cause })],
    ["EventError", new EventError("now", "is not a date", { cause })],
    ["FeedFetchError", new FeedFetchError("team", "HTTP 503", { cause, transient: true, status: 503 })],
    ["FeedParseError", new FeedParseError("team", "is not a calendar", { cause })],
    ["SlackDeliveryError", new SlackDeliveryError("team", "no_service", { cause, status: 404 })],
    ["CalendarError", new CalendarError("has no VCALENDAR", { cause })],
    ["LedgerError", new LedgerError("ledger", "unreachable", { cause })],
  ])("%s is one of them, named, keeping its cause", (name, error) => {
    expect(error).toBeInstanceOf(IcalSlackReminderError);
    expect(error.name).toBe(name);
    expect(error.cause).toBe(cause);
  });

  it("says whether a failed request to a feed or to Slack is worth trying again, and its status", () => {
    // Prepare
    const feed = new FeedFetchError("team", "HTTP 503", { transient: true, status: 503 });
    const slack = new SlackDeliveryError("team", "no_service", { status: 404 });

    // Assess
    expect(feed).toBeInstanceOf(RequestError);
    expect(slack).toBeInstanceOf(RequestError);
    expect([feed.transient, feed.status]).toEqual([true, 503]);
    expect([slack.transient, slack.status]).toEqual([false, 404]);
  });

  it("counts a refused internal address among them", () => {
    expect(new InternalAddressError("169.254.169.254")).toBeInstanceOf(IcalSlackReminderError);
  });
});
