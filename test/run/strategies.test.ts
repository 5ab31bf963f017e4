import { describe, expect, it } from "vitest";
import { runReminders } from "../../src/run/run.ts";
import { controlledFetcher, driveToEnd, fakeEdges, planFor, recordingPoster, settle } from "../support/run-fakes.ts";

describe("serial strategy", () => {
  it("fetches, parses and notifies one feed after the other, never two at once", async () => {
    // Prepare
    const control = controlledFetcher();
    const slack = recordingPoster([], control.log);

    // Act
    const result = await driveToEnd(
      runReminders(planFor(3, { strategy: "serial" }), fakeEdges({ fetcher: control.fetcher, poster: slack.poster })),
      control,
    );

    // Assess
    expect(control.peak()).toBe(1);
    expect(control.log).toEqual([
      "fetch f0",
      "body f0",
      "post hook0",
      "fetch f1",
      "body f1",
      "post hook1",
      "fetch f2",
      "body f2",
      "post hook2",
    ]);
    expect(result.reminders).toEqual({ due: 3, sent: 3, duplicate: 0, failed: 0, unknown: 0 });
  });
});

describe("pipelined strategy", () => {
  it("starts every feed at once up to the concurrency limit", async () => {
    // Prepare
    const control = controlledFetcher();
    const slack = recordingPoster();

    // Act
    const run = runReminders(
      planFor(10, { strategy: "pipelined", concurrency: 4 }),
      fakeEdges({ fetcher: control.fetcher, poster: slack.poster }),
    );
    await settle();
    const inFlightBeforeAnyBody = control.pending.map((p) => p.feed.id);
    const result = await driveToEnd(run, control);

    // Assess
    expect(inFlightBeforeAnyBody).toEqual(["f0", "f1", "f2", "f3"]);
    expect(control.peak()).toBe(4);
    expect(result.feeds).toEqual({ total: 10, ok: 10, failed: 0, unchanged: 0, skipped: 0 });
    expect(slack.posts).toHaveLength(10);
  });

  it("posts a feed's reminders as soon as its own body arrives, while slower feeds are still downloading", async () => {
    // Prepare
    const control = controlledFetcher();
    const slack = recordingPoster([], control.log);
    const run = runReminders(planFor(3, { strategy: "pipelined" }), fakeEdges({ fetcher: control.fetcher, poster: slack.poster }));
    await settle();

    // Act: only the last feed's body arrives
    control.answer(2);
    await settle();

    // Assess: it is already posted; the two others are still in flight
    expect(control.log).toEqual(["fetch f0", "fetch f1", "fetch f2", "body f2", "post hook2"]);
    expect(control.pending.map((p) => p.feed.id)).toEqual(["f0", "f1"]);
    await driveToEnd(run, control);
  });

  it("keeps one webhook's posts in order and one at a time while different webhooks post in parallel", async () => {
    // Prepare: four feeds on two webhooks; Slack answers when the test says
    const control = controlledFetcher();
    const answers: (() => void)[] = [];
    const posted: string[] = [];
    const poster = {
      post: (webhook: string, message: { text: string }) =>
        new Promise<void>((resolve) => {
          posted.push(`${webhook}: ${message.text.includes("f2") ? "f2" : message.text.includes("f0") ? "f0" : "other"}`);
          answers.push(resolve);
        }),
    };
    const run = runReminders(planFor(4, { strategy: "pipelined", webhooks: 2 }), fakeEdges({ fetcher: control.fetcher, poster }));
    await settle();

    // Act: f0 (hook0) and f1 (hook1) arrive; then f2 (hook0) arrives while hook0's post is in flight
    control.answer(0);
    control.answer(0);
    await settle();
    const whileFirstPostsInFlight = [...posted];
    control.answer(0);
    await settle();
    const afterF2Arrived = [...posted];
    answers.shift()?.();
    await settle();

    // Assess
    expect(whileFirstPostsInFlight).toEqual(["hook0: f0", "hook1: other"]);
    expect(afterF2Arrived).toEqual(whileFirstPostsInFlight);
    expect(posted).toEqual(["hook0: f0", "hook1: other", "hook0: f2"]);
    control.answer(0);
    let done = false;
    void run.then(() => (done = true));
    while (!done) {
      answers.shift()?.();
      await settle();
    }
  });
});
