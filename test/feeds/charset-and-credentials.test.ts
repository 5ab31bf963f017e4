import { afterEach, describe, expect, it } from "vitest";
import { expandCalendar } from "../../src/calendar/expand.ts";
import { decodeFeed } from "../../src/feeds/decode.ts";
import { createFeedFetcher, type DownloadedFeed } from "../../src/feeds/fetch.ts";
import { SecretRedactor } from "../../src/secrets/redact.ts";
import { feedText } from "../support/calendar.ts";
import { type Loopback, startLoopback } from "../support/loopback.ts";

const calendar = "BEGIN:VCALENDAR\r\nSUMMARY:Café München\r\nEND:VCALENDAR\r\n";

describe("decoding a feed's bytes", () => {
  it.each([
    ["UTF-8 without a charset", Buffer.from(calendar, "utf8"), "text/calendar"],
    ["Latin-1 by charset", Buffer.from(calendar, "latin1"), "text/calendar; charset=ISO-8859-1"],
    ["Windows-1252 by a quoted charset", Buffer.from(calendar, "latin1"), 'text/calendar; charset="windows-1252"'],
    ["UTF-16LE by its BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(calendar, "utf16le")]), "text/calendar"],
    ["UTF-16BE by its BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(calendar, "utf16le").swap16()]), "text/calendar"],
    [
      "UTF-8 with a BOM, whatever the header says",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(calendar, "utf8")]),
      "text/calendar; charset=latin1",
    ],
    ["an unknown charset as UTF-8", Buffer.from(calendar, "utf8"), "text/calendar; charset=no-such-thing"],
  ])("reads %s", (_, bytes, contentType) => {
    expect(feedText(decodeFeed(bytes, contentType))).toBe(calendar);
  });

  it("hands UTF-8 to the engine as bytes, which it reads as the decoded text", () => {
    const bytes = Buffer.from(
      `${calendar.replace("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:ü@x\r\nDTSTART:20260312T100000Z\r\nSUMMARY:Café München\r\nEND:VEVENT\r\nEND:VCALENDAR")}`,
    );
    const feed = decodeFeed(bytes, "text/calendar; charset=utf-8");

    expect(feed).toBeInstanceOf(Uint8Array);
    const window = { from: new Date("2026-03-12T00:00:00Z"), to: new Date("2026-03-13T00:00:00Z"), timezone: "UTC" };
    expect(expandCalendar(feed, window).occurrences.map((o) => [o.uid, o.summary])).toEqual([["ü@x", "Café München"]]);
  });
});

describe("credentials in a feed URL", () => {
  const servers: Loopback[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it("sends user:pass@ as Basic authorization to the feed's own origin only, never to where it redirects", async () => {
    // Prepare: a CalDAV-style server that wants Basic auth, and a redirect to another origin
    const seen: (string | undefined)[] = [];
    const elsewhere = await startLoopback((request, response) => {
      seen.push(`elsewhere ${request.headers.authorization ?? "none"}`);
      response.writeHead(200, { "content-type": "text/calendar" }).end(calendar);
    });
    servers.push(elsewhere);
    const caldav = await startLoopback((request, response) => {
      seen.push(`caldav ${request.headers.authorization ?? "none"}`);
      if (request.headers.authorization !== `Basic ${Buffer.from("ann:s3cret pass").toString("base64")}`) {
        response.writeHead(401).end();
      } else if (request.url === "/moved.ics") response.writeHead(302, { location: `${elsewhere.url}/team.ics` }).end();
      else response.writeHead(200, { "content-type": "text/calendar; charset=utf-8" }).end(calendar);
    });
    servers.push(caldav);
    const withCredentials = (path: string) => caldav.url.replace("http://", "http://ann:s3cret%20pass@") + path;
    const fetcher = createFeedFetcher({ timeoutMs: 1000, maxBytes: 1 << 20, attempts: 1 });

    // Act
    const direct = await fetcher.fetchFeed({ id: "team", url: withCredentials("/team.ics") });
    const redirected = await fetcher.fetchFeed({ id: "moved", url: withCredentials("/moved.ics") });

    // Assess
    expect(direct).toMatchObject({ status: 200 });
    expect(feedText((direct as DownloadedFeed).text)).toBe(calendar);
    expect(redirected).toMatchObject({ status: 200 });
    expect(seen).toEqual([
      `caldav Basic ${Buffer.from("ann:s3cret pass").toString("base64")}`,
      `caldav Basic ${Buffer.from("ann:s3cret pass").toString("base64")}`,
      "elsewhere none",
    ]);
  });

  it("sends a password that is not valid percent-encoding (50%off) as it is written", async () => {
    // Prepare
    let authorization: string | undefined;
    const server = await startLoopback((request, response) => {
      authorization = request.headers.authorization;
      response.writeHead(200, { "content-type": "text/calendar" }).end(calendar);
    });
    servers.push(server);
    const fetcher = createFeedFetcher({ timeoutMs: 1000, maxBytes: 1 << 20, attempts: 1 });

    // Act
    const body = await fetcher.fetchFeed({ id: "team", url: `${server.url.replace("http://", "http://ann:50%off@")}/team.ics` });

    // Assess
    expect(body).toMatchObject({ status: 200 });
    expect(authorization).toBe(`Basic ${Buffer.from("ann:50%off").toString("base64")}`);
  });

  it("redacts the user, the password and the Basic token built from them", () => {
    // Prepare
    const url = "https://ann:s3cretpassword@cloud.example.com/remote.php/dav/calendars/ann/team?export";
    const redactor = new SecretRedactor();
    redactor.use([url], ["team"]);
    const token = Buffer.from("ann:s3cretpassword").toString("base64");

    // Act
    const line = redactor.redact(`failed: ${url}; password s3cretpassword; header Basic ${token}`);

    // Assess
    expect(line).not.toContain("s3cretpassword");
    expect(line).not.toContain(token);
  });
});
