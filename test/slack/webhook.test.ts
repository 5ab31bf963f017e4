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
});
