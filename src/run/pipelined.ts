import pMap from "p-map";
import type { Feed } from "../config/schema.ts";
import type { Deadline } from "./deadline.ts";
import type { Stages } from "./stages.ts";
import { WebhookQueues } from "./webhook-queues.ts";

/**
 * Every feed in flight at once, up to `concurrency`; each flows on to parse and notify as soon as
 * its own body arrives, with no barrier between stages. Posts to different webhooks overlap;
 * posts to one webhook stay in order and coalesce.
 */
export async function runPipelined(
  feeds: readonly Feed[],
  stages: Stages,
  options: { concurrency: number; deadline: Deadline },
): Promise<void> {
  const queues = new WebhookQueues((webhook, reminders) => stages.notify(webhook, reminders));
  await pMap(
    feeds,
    async (feed) => {
      if (!options.deadline.admit(feed)) return;
      queues.enqueue(feed.webhook, await stages.collect(feed));
    },
    { concurrency: options.concurrency },
  );
  await queues.drain();
}
