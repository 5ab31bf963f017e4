import { afterEach, describe, expect, it } from "vitest";
import { SlackDeliveryError } from "../../src/errors.ts";
import { createSlackPoster } from "../../src/slack/webhook.ts";
import { type Loopback, type SlackPost, type SlackReply, startSlack } from "../support/loopback.ts";

const message = { text: "Reminder: Sync", blocks: [] };

describe("createSlackPoster", () => {
  let slack: (Loopback & { posts: SlackPost[] }) | undefined;
  afterEach(async () => {
    await slack?.close();
  });

  async function refusal(reply: SlackReply): Promise<SlackDeliveryError> {
    slack = await startSlack(() => reply);
    const poster = createSlackPoster({ webhooks: { team: `${slack.url}/services/T0/B0/secret` }, timeoutMs: 1000 });
    const error = await poster.post("team", message).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SlackDeliveryError);
    return error as SlackDeliveryError;
  }

  it("names Slack's error code and what to do about it", async () => {
    const error = await refusal({ status: 404, body: "no_service" });
    expect(error.message).toBe(
      'webhook "team": HTTP 404 no_service: the webhook was removed or revoked; create a new one and update the configuration',
    );
    expect(error.transient).toBe(false);
  });

  it("explains a 404 whose body is a page rather than Slack's error code", async () => {
    const error = await refusal({ status: 404, body: "<html><body>Not Found</body></html>" });
    expect(error.message).toBe('webhook "team": HTTP 404: Slack does not know this webhook; create a new one and update the configuration');
  });

  it("marks 5xx and 429 as worth trying again, with the wait Slack asked for", async () => {
    expect((await refusal({ status: 503, body: "" })).transient).toBe(true);
    await slack?.close();
    const limited = await refusal({ status: 429, body: "rate_limited", headers: { "retry-after": "7" } });
    expect(limited).toMatchObject({ transient: true, retryAfterSeconds: 7 });
  });

  it("says a redirect or a URL with a password posted nothing and names the fix, never the URL", async () => {
    // Prepare
    const redirect = await refusal({ status: 302, body: "", headers: { location: "https://sso.example.com/login?token=abc" } });
    const poster = createSlackPoster({ webhooks: { team: "https://user:hunter2@hooks.example.com/services/T0/B0/secret" } });

    // Act
    const credentials = (await poster.post("team", message).then(
      () => undefined,
      (e: unknown) => e,
    )) as SlackDeliveryError;

    // Assess: certain failures (nothing was posted, trying again changes nothing), not unknown outcomes
    expect(redirect).toMatchObject({ transient: false, outcomeUnknown: false });
    expect(redirect.message).toMatch(/^webhook "team": Slack answered with a redirect, .*copy it again from Slack$/);
    expect(credentials).toMatchObject({ transient: false, outcomeUnknown: false });
    expect(credentials.message).toMatch(/^webhook "team": its URL holds a user name or password/);
    for (const error of [redirect, credentials]) {
      expect(JSON.stringify([error.message, String(error.cause), String((error.cause as Error).cause)])).not.toMatch(
        /hunter2|secret|token=abc/,
      );
    }
  });
});
