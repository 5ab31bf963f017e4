import type { ConfigFile } from "../config/schema.ts";
import type { Feed } from "../reminders/feed.ts";

/** A weekday as RFC 5545 writes it (`BYDAY`), Monday first. */
export type Weekday = "MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU";

/** ISO weekday numbers (Monday = 1) to their codes. */
export const WEEKDAYS: readonly Weekday[] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/** An agenda digest with the configuration's defaults applied. */
export interface Digest {
  /**
   * What the digest is, stable across runs: kind, local time and zone (`daily 08:30 Europe/Berlin`).
   * With the webhook and the local day it names one post in the ledger.
   */
  id: string;
  kind: "daily" | "weekly";
  webhook: string;
  /** The feeds whose events it lists, in the order their names are shown. */
  feeds: Feed[];
  /** Local time it is posted at. */
  hour: number;
  minute: number;
  /** The days it is posted on: every chosen day (daily), or its one weekday (weekly). */
  days: ReadonlySet<Weekday>;
  /** Zone of its local time, of its days, and of the times it shows. */
  timezone: string;
  /** Post nothing when there is no event. */
  skipEmpty: boolean;
  /** The heading; the day or week follows it. */
  title: string;
}

/**
 * The configured digests with their defaults: `feeds` every feed of the webhook, `timezone` the
 * top-level one, `days` every day. `feeds` are the run's feeds (`Config.feeds`), so per-feed
 * `include`/`exclude` and zones apply to digests as to reminders.
 */
export function digestsOf(config: Pick<ConfigFile, "digests" | "timezone">, feeds: readonly Feed[]): Digest[] {
  return (config.digests ?? []).map((d) => {
    const timezone = d.timezone ?? config.timezone;
    const [weekday, time] = d.weekly ? (d.weekly.split(" ") as [Weekday, string]) : [undefined, d.daily as string];
    const [hour, minute] = time.split(":").map(Number) as [number, number];
    const chosen = d.feeds
      ? d.feeds.map((id) => feeds.find((f) => f.id === id)).filter((f) => f !== undefined)
      : feeds.filter((f) => f.webhook === d.webhook);
    return {
      id: d.weekly ? `weekly ${d.weekly} ${timezone}` : `daily ${time} ${timezone}`,
      kind: d.weekly ? "weekly" : "daily",
      webhook: d.webhook,
      feeds: chosen,
      hour,
      minute,
      days: new Set(weekday ? [weekday] : (d.days ?? WEEKDAYS)),
      timezone,
      skipEmpty: d.skipEmpty,
      title: d.title ?? (d.weekly ? "This week" : "Today"),
    };
  });
}
