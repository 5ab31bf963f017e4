import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { BadValueError } from "../src/calendar/values.ts";
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
import { DaemonProtocolError } from "../src/traces/documents.ts";

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
    ["BadValueError", new BadValueError('"2024-13-01" is not a calendar date', { cause })],
    ["DaemonProtocolError", new DaemonProtocolError("datagram carries no JSON segment document", { cause })],
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

  it("keeps each error's name in a minified bundle, which renames the classes", async () => {
    // Prepare: the handler's bundle is minified (template.yaml), so a name read from the class would be lost
    const dir = await mkdtemp(join(tmpdir(), "error-names-"));
    const outfile = join(dir, "errors.mjs");
    try {
      await build({
        stdin: {
          contents: `
            import { ConfigError, FeedFetchError } from "./src/errors.ts";
            import { InternalAddressError } from "./src/feeds/addresses.ts";
            export const names = [new ConfigError("feeds", "x"), new FeedFetchError("team", "x"), new InternalAddressError("10.0.0.1")].map((e) => e.name);
          `,
          resolveDir: resolve("."),
          loader: "ts",
        },
        outfile,
        bundle: true,
        minify: true,
        format: "esm",
        platform: "node",
        logLevel: "silent",
      });

      // Act
      const { names } = (await import(pathToFileURL(outfile).href)) as { names: string[] };

      // Assess
      expect(names).toEqual(["ConfigError", "FeedFetchError", "InternalAddressError"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
