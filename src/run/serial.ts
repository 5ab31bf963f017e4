import type { Feed } from "../config/schema.ts";
import type { Stages } from "./stages.ts";

/** The baseline: feed by feed — fetch, parse, notify — one thing at a time. */
export async function runSerial(feeds: readonly Feed[], stages: Stages): Promise<void> {
  for (const feed of feeds) {
    const reminders = await stages.collect(feed);
    await stages.notify(feed.webhook, reminders);
  }
}
