import pMap from "p-map";
import type { Feed } from "../reminders/feed.ts";
import type { Deadline } from "./deadline.ts";
import type { Stages } from "./stages.ts";

/**
 * Every feed in flight at once, up to `concurrency`; each flows on to parse and notify as soon as
 * its own body arrives, with no barrier between stages. Reminders are handed to their webhook at
 * once: ordering, pacing and coalescing per webhook live in the delivery layer
 * (`src/slack/delivery.ts`), so reminders handed over while a post to the same webhook is in flight
 * or waiting for its turn go out together in the next message, and different webhooks post in
 * parallel. `notify` settles every outcome itself and never throws.
 */
export async function runPipelined(
  feeds: readonly Feed[],
  stages: Stages,
  options: { concurrency: number; deadline: Deadline },
): Promise<void> {
  const notifications: Promise<void>[] = [];
  await pMap(
    feeds,
    async (feed) => {
      if (!options.deadline.admit(feed)) return;
      const reminders = await stages.collect(feed);
      if (reminders.length > 0) notifications.push(stages.notify(feed.webhook, reminders));
    },
    { concurrency: options.concurrency },
  );
  await Promise.all(notifications);
}
