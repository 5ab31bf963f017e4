import type { Feed } from "../reminders/feed.ts";
import type { Deadline } from "./deadline.ts";
import type { Stages } from "./stages.ts";

/** The baseline: feed by feed — fetch, parse, notify — one thing at a time. */
export async function runSerial(feeds: readonly Feed[], stages: Stages, deadline: Deadline): Promise<void> {
  for (const feed of feeds) {
    if (!deadline.admit(feed)) continue;
    const reminders = await stages.collect(feed);
    await stages.notify(feed.webhook, reminders);
  }
}
