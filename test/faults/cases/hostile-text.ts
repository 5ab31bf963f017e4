import { Writable } from "node:stream";
import { SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it, vi } from "vitest";
import { AWS_ON_FIRST_USE } from "../../../src/aws-on-first-use.ts";
import { readSettings } from "../../../src/config/settings.ts";
import { loadConfig } from "../../../src/config/source.ts";
import { createParameterStore } from "../../../src/config/ssm.ts";
import { ConfigError } from "../../../src/errors.ts";
import { createLogger } from "../../../src/log.ts";
import { startSsm, stubAwsEnvironment } from "../../support/ssm.ts";
import { reminderKey } from "../support/account.ts";
import type { ChildRun } from "../support/child.ts";
import type { FeedRoute } from "../support/feeds.ts";
import { calendarOf, eventAt, windowTime } from "../support/ics.ts";
import type { FaultSuite } from "../support/suite.ts";
import { type CaseMode, childRun, FUNCTION_TIMEOUT_MS, runInProcess } from "./common.ts";
import { FIRST } from "./team-week.ts";

// Issue 11, "Why" 9: the smaller items. Bidi and zero-width characters reached messages,
// `*`/`_`/`~`/backticks faked formatting, `user:pass@` credentials in a feed URL were dropped
// (401), the charset of Content-Type was ignored (Latin-1 showed as "Caf� M�nchen", UTF-16 was
// "no BEGIN:VCALENDAR"), an HTML page merely containing BEGIN:VCALENDAR was an empty calendar,
// and SSM's own error text was quoted before redaction was in place.

const USER = "ann";
const PASSWORD = "s3cret pass";
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;

/** One feed of the case: how it is served, and the reminder it must deliver as Slack shows it. */
interface TextFeed {
  route: FeedRoute;
  /** The title Slack must show, or undefined for a feed that must fail. */
  shown: string | undefined;
  /** Credentials written into the URL. */
  credentials?: boolean;
}

const utf8 = (summary: string) => calendarOf([eventAt(`${summary.length}@text`, summary, 0)]);

const FEEDS: Record<string, TextFeed> = {
  formatting: {
    route: { body: utf8("Pay\u202Eyrros\u202C in\u200Bvoice \u2066*urgent*\u2069 _x_ ~y~ `z`") },
    shown: "Payyrros invoice ∗urgent∗ ˍxˍ ∼y∼ ˋzˋ",
  },
  caldav: {
    credentials: true,
    route: (request, response) => {
      if (request.headers.authorization !== BASIC) return void response.writeHead(401).end();
      response.writeHead(200, { "content-type": "text/calendar; charset=utf-8" }).end(utf8("Private planning"));
    },
    shown: "Private planning",
  },
  latin1: {
    route: { body: Buffer.from(utf8("Café München"), "latin1"), contentType: "text/calendar; charset=ISO-8859-1" },
    shown: "Café München",
  },
  utf16: {
    route: {
      body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf8("Übergabe an Zoë"), "utf16le")]),
      contentType: "text/calendar",
    },
    shown: "Übergabe an Zoë",
  },
  html: {
    route: { body: "<html><body><pre>BEGIN:VCALENDAR\nEND:VCALENDAR</pre></body></html>", contentType: "text/calendar" },
    shown: undefined,
  },
};

/** The case's configuration on `channel`: each feed served under a path of its own. */
function textConfig(suite: FaultSuite, channel: string): object {
  const feeds = Object.entries(FEEDS).map(([id, feed]) => {
    const url = suite.feeds.serve(`/${channel}/${id}.ics`, feed.route);
    return { id, url: feed.credentials ? url.replace("http://", `http://${USER}:${encodeURIComponent(PASSWORD)}@`) : url, webhook: "team" };
  });
  return { webhooks: { team: suite.slack.webhook(channel) }, feeds };
}

export function hostileTextRuns(suite: FaultSuite, _mode: CaseMode): ChildRun[] {
  return [childRun(textConfig(suite, "text/bench"))];
}

export function hostileText(suite: FaultSuite): void {
  describe("9. hostile text, credentials and charsets", () => {
    it("strips bidi and zero-width characters, neutralises formatting, sends user:pass@ as Basic, decodes by charset and BOM, and refuses an HTML page", async () => {
      // Prepare
      const channel = "text/team";
      const config = JSON.stringify(textConfig(suite, channel));
      suite.account.deliverable(
        "hostile text",
        Object.entries(FEEDS).flatMap(([id, feed]) => (feed.shown ? [reminderKey(channel, id, feed.shown, windowTime(0))] : [])),
      );
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      });

      // Act: logs as they are written, before any redaction, so nothing secret may be in them at all
      const result = await runInProcess({ config, reference: FIRST, log: createLogger("info", undefined, sink) });

      // Assess: every good feed delivered as Slack must show it; the HTML page named
      expect(result.feeds).toEqual({ total: 5, ok: 4, failed: 1, unchanged: 0, skipped: 0 });
      expect(result.reminders).toEqual({ due: 4, sent: 4, duplicate: 0, failed: 0, unknown: 0 });
      expect(result.errors).toEqual([
        { feed: "html", message: expect.stringMatching(/^feed "html" is an HTML\/XML page, not an iCalendar feed/) },
      ]);
      const posted = JSON.stringify(suite.slack.posts(channel).map((p) => p.payload));
      expect(posted).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B\uFFFD]/);

      // Assess: the credentials went as Basic authorization and show nowhere
      const everything = JSON.stringify(result) + lines.join("");
      for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), BASIC.slice(6)]) expect(everything).not.toContain(secret);
      expect(result.durationMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
    });

    it("quotes SSM's own error text with the URLs, tokens and account it echoes redacted", async () => {
      // Prepare: SSM refuses, echoing a webhook URL, a token and the account, as its messages can
      const ssm = await startSsm(new Map());
      try {
        stubAwsEnvironment(vi.stubEnv, ssm.url);
        ssm.refuse("GetParameter", {
          __type: "AccessDeniedException",
          message:
            "User: arn:aws:sts::123456789012:assumed-role/fn/fn is not authorized to perform ssm:GetParameter; value https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx xoxb-1234567890-abcdefghijklmnop",
        });
        const settings = readSettings({ CONFIG_PARAMETER: "/reminder/config" });

        // Act
        const error = await loadConfig(
          settings,
          createParameterStore(AWS_ON_FIRST_USE.ssm, { client: new SSMClient({ maxAttempts: 1 }) }),
        ).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toMatch(/^CONFIG_PARAMETER: .*AccessDeniedException/);
        expect((error as Error).message).not.toMatch(/hooks\.slack\.com|abcdefghijklmnop|123456789012/);
      } finally {
        await ssm.close();
      }
    });
  });
}
