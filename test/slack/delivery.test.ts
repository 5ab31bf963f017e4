import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { SlackDeliveryError } from "../../src/errors.ts";
import { createMemoryLedger } from "../../src/ledger/memory.ts";
import { type Reminder, reminderId } from "../../src/reminders/reminder.ts";
import { createDelivery, type DeliveryOptions } from "../../src/slack/delivery.ts";
import type { SlackMessage } from "../../src/slack/message.ts";
import { createSlackPoster, type SlackPoster } from "../../src/slack/webhook.ts";
import { type SlackPost, type SlackReply, startLoopback, startSlack } from "../support/loopback.ts";
import { reminders } from "../support/reminders.ts";
import { virtualTime } from "../support/virtual-time.ts";

const start = new Date("2026-03-12T15:00:00Z");
const clock = () => new Date("2026-03-12T14:50:00Z");
const ok: SlackReply = { status: 200, body: "ok" };

let slack: Awaited<ReturnType<typeof startSlack>> | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

/** A loopback Slack whose answers are scripted per webhook path: the n-th post to a path gets the n-th reply. */
async function scriptedSlack(script: Record<string, SlackReply[]>) {
  const seen = new Map<string, number>();
  slack = await startSlack((post) => {
    const n = seen.get(post.path) ?? 0;
    seen.set(post.path, n + 1);
    return script[post.path]?.[n] ?? ok;
  });
  return { slack };
}

/** Posts as `createSlackPoster` does, remembering at which virtual instant each attempt started. */
function recording(poster: SlackPoster, now: () => number) {
  const attempts: { webhook: string; at: number; message: SlackMessage }[] = [];
  const wrapped: SlackPoster & { attempts: typeof attempts } = {
    attempts,
    post(webhook, message, options) {
      attempts.push({ webhook, at: now(), message });
      return poster.post(webhook, message, options);
    },
  };
  return wrapped;
}

function setup(url: string, overrides: Partial<DeliveryOptions> = {}, timeoutMs = 2_000) {
  const time = virtualTime();
  const poster = recording(
    createSlackPoster({
      webhooks: { team: `${url}/team`, ops: `${url}/ops`, gone: `${url}/gone`, slow: `${url}/slow` },
      timeoutMs,
    }),
    time.now,
  );
  const delivery = createDelivery({
    poster,
    clock,
    now: time.now,
    sleep: time.sleep,
    random: () => 0.5,
    ...overrides,
  });
  return { time, poster, delivery };
}

const postsTo = (posts: SlackPost[], path: string) => posts.filter((p) => p.path === path);

describe("delivery to Slack", () => {
  it("leaves to the other run the reminders it took over from a lapsed claim, and gives the rest of the message back", async () => {
    // Prepare: this run's claim on the first of two reminders lapses and another run takes it
    // and marks it as being sent, just before this run marks the message
    const { slack } = await scriptedSlack({});
    let now = Date.now();
    const ledger = createMemoryLedger(() => now);
    const [taken, mine] = reminders(2, start);
    const otherRun = ledger;
    const racing: typeof ledger = {
      ...ledger,
      async sending(ids, until) {
        now += 120_000;
        await otherRun.claim([(taken as Reminder).id], 60_000);
        await otherRun.sending([(taken as Reminder).id], now + 60_000);
        return ledger.sending(ids, until);
      },
    };
    const { delivery } = setup(slack.url, { ledger: racing, remainingMs: () => 60_000 });

    // Act
    const outcomes = await delivery.deliver("team", [taken as Reminder, mine as Reminder]);

    // Assess: nothing posted; the taken one is the other run's, the other one free for a later run
    expect(postsTo(slack.posts, "/team")).toHaveLength(0);
    expect(outcomes.map((o) => o.kind)).toEqual(["held", "failed"]);
    expect(ledger.entries.get((taken as Reminder).id)?.status).toBe("sending");
    expect(ledger.entries.has((mine as Reminder).id)).toBe(false);
  });

  it("waits as long as a 429's Retry-After says, then delivers; other webhooks post meanwhile", async () => {
    // Prepare
    const { slack } = await scriptedSlack({ "/team": [{ status: 429, body: "rate_limited", headers: { "retry-after": "7" } }] });
    const { time, poster, delivery } = setup(slack.url);

    // Act
    const [team, ops] = await Promise.all([
      delivery.deliver("team", reminders(2, start)),
      delivery.deliver("ops", reminders(1, start, { id: "ops" })),
    ]);

    // Assess
    expect(team).toEqual([{ kind: "sent" }, { kind: "sent" }]);
    expect(ops).toEqual([{ kind: "sent" }]);
    expect(time.sleeps).toContain(7_000);
    const teamAttempts = poster.attempts.filter((a) => a.webhook === "team");
    expect(teamAttempts.map((a) => a.at)).toEqual([0, 7_000]);
    expect(poster.attempts.find((a) => a.webhook === "ops")?.at).toBe(0);
    expect(postsTo(slack.posts, "/team")).toHaveLength(2);
  });

  it("retries a 500 after a jittered backoff and delivers on the 200", async () => {
    // Prepare
    const { slack } = await scriptedSlack({ "/team": [{ status: 500, body: "internal_error" }, ok] });
    const { time, delivery } = setup(slack.url, { retry: { attempts: 3, baseMs: 1_000, capMs: 8_000 } });

    // Act
    const outcomes = await delivery.deliver("team", reminders(1, start));

    // Assess: full jitter with random() = 0.5 waits half the first bound
    expect(outcomes).toEqual([{ kind: "sent" }]);
    expect(time.sleeps).toEqual([500]);
    expect(postsTo(slack.posts, "/team")).toHaveLength(2);
  });

  it("does not retry 404 no_service, names the webhook, and fails what else was queued for it", async () => {
    // Prepare
    const { slack } = await scriptedSlack({ "/gone": [{ status: 404, body: "no_service" }] });
    const { delivery } = setup(slack.url);

    // Act
    const [gone, later, team] = await Promise.all([
      delivery.deliver("gone", reminders(1, start)),
      delivery.deliver("gone", reminders(1, start, { id: "other" })),
      delivery.deliver("team", reminders(1, start)),
    ]);

    // Assess
    expect(postsTo(slack.posts, "/gone")).toHaveLength(1);
    const error = (gone[0] as { error: Error }).error;
    expect(error).toBeInstanceOf(SlackDeliveryError);
    expect(error).toMatchObject({ webhook: "gone", transient: false, status: 404 });
    expect(error.message).toMatch(/webhook "gone": HTTP 404 no_service: .*create a new one/);
    expect(error.message).not.toContain(slack.url);
    expect(later).toEqual([{ kind: "failed", error }]);
    expect(team).toEqual([{ kind: "sent" }]);
  });

  it.each([
    [400, "invalid_payload"],
    [403, "action_prohibited"],
    [404, "channel_not_found"],
    [410, "channel_is_archived"],
  ])("does not retry %i %s", async (status, body) => {
    // Prepare
    const { slack } = await scriptedSlack({ "/team": [{ status, body }] });
    const { delivery } = setup(slack.url);

    // Act
    const [outcome] = await delivery.deliver("team", reminders(1, start));

    // Assess
    expect(outcome).toMatchObject({ kind: "failed", error: { status, transient: false } });
    expect((outcome as { error: Error }).error.message).toContain(body);
    expect(slack.posts).toHaveLength(1);
  });

  it("gives up on a slow webhook's attempt at its timeout without posting it again (it may have arrived), while other webhooks are delivered", async () => {
    // Prepare: the first post to /slow is never answered
    const received: string[] = [];
    const unanswered: ServerResponse[] = [];
    const server = await startLoopback((request, response) => {
      received.push(request.url ?? "");
      if (request.url === "/slow" && received.filter((p) => p === "/slow").length === 1) unanswered.push(response);
      else response.writeHead(200).end("ok");
    });
    const { poster, delivery } = setup(server.url, {}, 100);

    // Act
    const [slow, team] = await Promise.all([delivery.deliver("slow", reminders(1, start)), delivery.deliver("team", reminders(1, start))]);
    await server.close();

    // Assess
    expect(slow).toEqual([{ kind: "unknown", error: expect.objectContaining({ outcomeUnknown: true }) }]);
    expect((slow[0] as { error: Error }).error.message).toMatch(
      /did not answer within 0\.10 s; the message may have been posted, so it is not sent again/,
    );
    expect(team).toEqual([{ kind: "sent" }]);
    expect(received.filter((p) => p === "/slow")).toHaveLength(1);
    expect(poster.attempts.filter((a) => a.webhook === "slow")).toHaveLength(1);
  });

  it("stops retrying when the next wait would pass the run's deadline, and says so", async () => {
    // Prepare: Slack asks for 30 s, the run has 10 s left
    const { slack } = await scriptedSlack({ "/team": [{ status: 429, body: "rate_limited", headers: { "retry-after": "30" } }] });
    const { delivery } = setup(slack.url, { remainingMs: () => 10_000 });

    // Act
    const [outcome] = await delivery.deliver("team", reminders(1, start));

    // Assess
    expect(outcome).toMatchObject({ kind: "failed", error: { webhook: "team", transient: true } });
    expect((outcome as { error: Error }).error.message).toMatch(/time ran out .*HTTP 429/);
    expect(slack.posts).toHaveLength(1);
  });

  it("stops after the last attempt", async () => {
    // Prepare
    const { slack } = await scriptedSlack({ "/team": Array(5).fill({ status: 503, body: "" }) });
    const { delivery } = setup(slack.url, { retry: { attempts: 3, baseMs: 100, capMs: 1_000 } });

    // Act
    const [outcome] = await delivery.deliver("team", reminders(1, start));

    // Assess
    expect((outcome as { error: Error }).error.message).toMatch(/HTTP 503 .*\(after 3 attempts\)/);
    expect(slack.posts).toHaveLength(3);
  });

  it("delivers 12 reminders from 3 feeds complete in at most 3 messages, never more than 2 posts in any second", async () => {
    // Prepare: the second and third feed arrive while the first one's post is in flight
    slack = await startSlack();
    const { poster, delivery } = setup(slack.url);
    const feeds = ["alpha", "beta", "gamma"].map((id) => reminders(4, start, { id, name: id }));
    const later: Promise<unknown>[] = [];
    const post = poster.post;
    poster.post = (webhook, message, options) => {
      if (poster.attempts.length === 0) later.push(...feeds.slice(1).map((f) => delivery.deliver("team", f)));
      return post(webhook, message, options);
    };

    // Act
    const first = await delivery.deliver("team", feeds[0] ?? []);
    await Promise.all(later);

    // Assess
    expect(first.every((o) => o.kind === "sent")).toBe(true);
    expect(slack.posts.length).toBeLessThanOrEqual(3);
    // The two feeds that arrived while the first post was in flight share the next message.
    expect(slack.posts.map((p) => p.payload.text.match(/^\d+/)?.[0])).toEqual(["4", "8"]);
    const titles = slack.posts.flatMap((p) => JSON.stringify(p.payload).match(/\*Meeting \d+\*/g) ?? []);
    expect(titles).toHaveLength(12);
    expect(maxInAnySecond(poster.attempts.map((a) => a.at))).toBeLessThanOrEqual(2);
  });

  it("paces a webhook whose reminders need many messages to one a second, bursts of two aside", async () => {
    // Prepare: 120 reminders need several messages
    slack = await startSlack();
    const { poster, delivery } = setup(slack.url);

    // Act
    const outcomes = await delivery.deliver("team", reminders(120, start));

    // Assess
    expect(outcomes.every((o) => o.kind === "sent")).toBe(true);
    const times = poster.attempts.map((a) => a.at);
    expect(times.length).toBeGreaterThan(4);
    expect(maxInAnySecond(times)).toBeLessThanOrEqual(2);
    const last = times.at(-1) as number;
    expect(last).toBeGreaterThanOrEqual((times.length - 2) * 1_000);
  });

  it("carries an event's second lead time in the message that shows the event, even when the list is split", async () => {
    // Prepare: 40 events need two messages; the first event's 5-minute reminder comes last
    slack = await startSlack();
    const ledger = createMemoryLedger();
    const list = reminders(40, start);
    const first = list[0] as Reminder;
    const secondLead = { ...first, id: reminderId(first.feedId, first.occurrence, 5), leadMinutes: 5 };
    const { delivery } = setup(slack.url, { ledger });

    // Act
    const outcomes = await delivery.deliver("team", [...list, secondLead]);

    // Assess: every reminder sent and recorded; each event shown once, the first in the first message
    expect(outcomes).toHaveLength(41);
    expect(outcomes.every((o) => o.kind === "sent")).toBe(true);
    expect([...ledger.entries.values()].every((e) => e.status === "done")).toBe(true);
    expect(ledger.entries.size).toBe(41);
    const titles = slack.posts.map((p) => JSON.stringify(p.payload.blocks).match(/\*Meeting \d+\*/g) ?? []);
    expect(titles.length).toBeGreaterThan(1);
    expect(titles.flat()).toEqual(list.map((r) => `*${r.occurrence.summary}*`));
    expect(titles[0]).toContain("*Meeting 1*");
  });

  it("posts nothing the ledger holds, and releases the claims of a failed post", async () => {
    // Prepare
    const { slack } = await scriptedSlack({ "/team": [{ status: 404, body: "channel_not_found" }] });
    const ledger = createMemoryLedger();
    const list = reminders(3, start);
    await ledger.claim([list[0]?.id ?? ""], 60_000);
    await ledger.done([list[0]?.id ?? ""]);
    const { delivery } = setup(slack.url, { ledger });

    // Act
    const outcomes = await delivery.deliver("team", list);

    // Assess
    expect(outcomes.map((o) => o.kind)).toEqual(["duplicate", "failed", "failed"]);
    expect(JSON.stringify(slack.posts)).not.toContain("Meeting 1*");
    expect([...ledger.entries.keys()]).toEqual([list[0]?.id]);
  });

  it("splits a message Slack refuses as invalid_blocks until the one bad reminder fails alone, and marks it so it is not sent again", async () => {
    // Prepare: this Slack refuses any message that shows "Meeting 3"
    slack = await startSlack((post) =>
      JSON.stringify(post.payload).includes("Meeting 3*") ? { status: 400, body: "invalid_blocks" } : ok,
    );
    const ledger = createMemoryLedger();
    const list = reminders(6, start);
    const { delivery } = setup(slack.url, { ledger });

    // Act
    const outcomes = await delivery.deliver("team", list);
    const again = await setup(slack.url, { ledger }).delivery.deliver("team", list);

    // Assess
    expect(outcomes.map((o) => o.kind)).toEqual(["sent", "sent", "failed", "sent", "sent", "sent"]);
    expect((outcomes[2] as { error: Error }).error.message).toMatch(/HTTP 400 invalid_blocks/);
    const delivered = slack.posts.filter((p) => !JSON.stringify(p.payload).includes("Meeting 3*"));
    expect(delivered.flatMap((p) => p.payload.text.match(/Meeting \d/g) ?? []).sort()).toEqual([
      "Meeting 1",
      "Meeting 2",
      "Meeting 4",
      "Meeting 5",
      "Meeting 6",
    ]);
    expect(ledger.entries.get(list[2]?.id ?? "")?.status).toBe("rejected");
    expect(again.map((o) => o.kind)).toEqual(Array(6).fill("duplicate"));
  });

  it("sends again a post that certainly did not reach Slack (connection refused), and gives its claims back when it gives up", async () => {
    // Prepare: nothing listens on the webhook's port any more
    const closed = await startLoopback(() => {});
    await closed.close();
    const ledger = createMemoryLedger();
    const { delivery, poster } = setup(closed.url, { ledger });

    // Act
    const outcomes = await delivery.deliver("team", reminders(2, start));

    // Assess
    expect(outcomes.map((o) => o.kind)).toEqual(["failed", "failed"]);
    expect((outcomes[0] as { error: Error }).error.message).toMatch(/could not reach Slack \(ECONNREFUSED\) \(after 4 attempts\)/);
    expect(poster.attempts).toHaveLength(4);
    expect(ledger.entries.size).toBe(0);
  });

  it("drains a queue of 2,000 reminders for one webhook in messages of at most 50 blocks, each reminder once", async () => {
    // Prepare
    slack = await startSlack();
    const list = reminders(2_000, start);
    const { delivery } = setup(slack.url, { pace: { burst: 1_000, intervalMs: 1 } });

    // Act
    const outcomes = await delivery.deliver("team", list);

    // Assess
    expect(outcomes.every((o) => o.kind === "sent")).toBe(true);
    const shown = slack.posts.flatMap((p) => p.payload.text.match(/Meeting \d+/g) ?? []);
    expect(new Set(shown).size).toBe(2_000);
    expect(shown).toHaveLength(2_000);
    for (const post of slack.posts) expect(post.payload.blocks?.length).toBeLessThanOrEqual(50);
  });
});

/** The most instants that fall within any one-second span. */
function maxInAnySecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  sorted.forEach((t, i) => {
    most = Math.max(most, sorted.filter((u, j) => j >= i && u < t + 1_000).length);
  });
  return most;
}
