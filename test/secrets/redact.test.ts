import { describe, expect, it } from "vitest";
import { REDACTED, SecretRedactor, secretsOf, visibleNamesOf } from "../../src/secrets/redact.ts";

const webhook = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx";
const feed = "https://calendar.example.com/calendar/ical/team%40example.com/private-0123456789abcdef/basic.ics";
const query = "https://cal.example.org/export.ics?token=s3cretT0ken&x=1";

function redactor(): SecretRedactor {
  const r = new SecretRedactor();
  r.use([webhook, feed, query]);
  return r;
}

describe("SecretRedactor", () => {
  it("replaces a whole URL by its origin, so the host stays readable", () => {
    // Act
    const text = redactor().redact(`POST ${webhook} failed`);

    // Assess
    expect(text).toBe(`POST https://hooks.slack.com/${REDACTED} failed`);
  });

  it.each([
    ["the path alone", "GET /calendar/ical/team%40example.com/private-0123456789abcdef/basic.ics -> 404"],
    ["a token segment in another URL", "redirected to https://other.example.net/private-0123456789abcdef/x"],
    ["the decoded path", "no calendar at /calendar/ical/team@example.com/private-0123456789abcdef/basic.ics"],
    ["a Slack team id", "channel of T0123ABCD"],
    ["a query token", "denied: token=s3cretT0ken"],
    ["a URL inside JSON", JSON.stringify({ error: { url: webhook } })],
  ])("removes %s", (_, text) => {
    // Act
    const redacted = redactor().redact(text);

    // Assess
    expect(redacted).not.toMatch(/abcdefghijklmnopqrstuvwx|0123456789abcdef|T0123ABCD|s3cretT0ken/);
    expect(redacted).toContain(REDACTED);
  });

  it.each([
    ["a base64 query token as written", "token Zm9v+YmFy/YmF6== rejected"],
    [
      "the whole feed URL percent-encoded in a return address",
      `next=${encodeURIComponent("https://cal.example.org/export.ics?key=Zm9v+YmFy/YmF6==")}`,
    ],
    ["an upper-cased webhook token", `POST ${webhook.toUpperCase()} failed`],
  ])("removes %s", (_, text) => {
    // Prepare
    const r = new SecretRedactor();
    r.use([webhook, "https://cal.example.org/export.ics?key=Zm9v+YmFy/YmF6=="]);

    // Act
    const redacted = r.redact(text);

    // Assess
    expect(redacted).not.toMatch(/Zm9v|abcdefghijklmnopqrstuvwx/i);
    expect(redacted).toContain(REDACTED);
  });

  it("keeps a plain-word user name of a feed URL readable in other text, and its password redacted", () => {
    // Prepare
    const r = new SecretRedactor();
    r.use(["https://calendar:s3cretpw@dav.example.com/team.ics"]);

    // Act
    const text = r.redact("HTTP 404 from calendar.google.com: check the calendar's address (s3cretpw)");

    // Assess
    expect(text).toBe(`HTTP 404 from calendar.google.com: check the calendar's address (${REDACTED})`);
  });

  it("leaves hosts, feed ids and ordinary words alone", () => {
    const text = 'feed "platform": HTTP 404 from calendar.example.com; the calendar moved';
    expect(redactor().redact(text)).toBe(text);
  });

  it("keeps feed ids and webhook names readable when a URL happens to contain them", () => {
    // Prepare: the feed's id and its webhook's name are also segments of its URL
    const config = {
      webhooks: { "engineering-team": "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx" },
      feeds: [
        {
          id: "engineering-team",
          url: "https://cal.example.com/calendars/engineering-team/private-0123456789abcdef.ics?view=calendar",
          webhook: "engineering-team",
        },
      ],
    };
    const r = new SecretRedactor();
    r.use(secretsOf(config as never), visibleNamesOf(config as never));

    // Act
    const text = r.redact('feed "engineering-team": HTTP 404; the calendar moved, private-0123456789abcdef.ics');

    // Assess
    expect(text).toBe(`feed "engineering-team": HTTP 404; the calendar moved, ${REDACTED}`);
  });

  it("redacts every string of a result, keeping its shape", () => {
    // Prepare
    const result = { feeds: { total: 1 }, errors: [{ feed: "x", message: `fetch ${feed} failed` }] };

    // Act
    const redacted = redactor().redactDeep(result);

    // Assess
    expect(redacted).toEqual({
      feeds: { total: 1 },
      errors: [{ feed: "x", message: `fetch https://calendar.example.com/${REDACTED} failed` }],
    });
  });

  it("gives an error of the same name without the secret in its message or stack", () => {
    // Prepare
    const original = new TypeError(`fetch failed for ${webhook}`);

    // Act
    const error = redactor().redactError(original);

    // Assess
    expect(error.name).toBe("TypeError");
    expect(`${error.message}\n${error.stack}`).not.toContain("abcdefghijklmnopqrstuvwx");
  });

  it("keeps its rules while the configuration stays the same, and makes new ones when it changes", () => {
    // Prepare
    const r = new SecretRedactor();
    const other = "https://hooks.slack.com/services/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";

    // Act
    r.use([webhook], ["team"]);
    r.use([webhook], ["team"]);
    const same = r.redact(webhook);
    r.use([other], ["team"]);

    // Assess
    expect(same).toBe(`https://hooks.slack.com/${REDACTED}`);
    expect(r.redact(other)).toBe(`https://hooks.slack.com/${REDACTED}`);
    expect(r.redact(webhook)).toBe(webhook);
  });

  it("never takes a token for a visible name by matching across two names", () => {
    // Prepare: a query value that decodes to the separator the names are searched with, then a name
    const r = new SecretRedactor();
    r.use(["https://cal.example.com/team.ics?key=%00abc123def"], ["x", "abc123def"]);

    // Act
    const text = r.redact("key \u0000abc123def");

    // Assess
    expect(text).toBe(`key ${REDACTED}`);
  });

  it("forgets the secrets of an earlier configuration", () => {
    const r = redactor();
    r.use(secretsOf({ webhooks: {}, feeds: [] }));
    expect(r.redact(webhook)).toBe(webhook);
  });

  it("takes every webhook and feed URL of a configuration as secret", () => {
    const secrets = secretsOf({
      webhooks: { team: webhook },
      feeds: [{ id: "a", url: feed, webhook: "team" }],
    } as never);
    expect(secrets).toEqual([webhook, feed]);
  });
});
