/**
 * The product's own words for what a run works on: a feed with its rules, and the ways a run can
 * be scheduled. The configuration (`src/config/`) reads these from the user's file; everything
 * else takes them from here.
 */

/** The two ways a run schedules fetch → parse → notify (`src/run/serial.ts`, `src/run/pipelined.ts`). */
export const STRATEGIES = ["serial", "pipelined"] as const;

export type Strategy = (typeof STRATEGIES)[number];

/** The strategies as a message lists them: `"serial" or "pipelined"`. */
export const STRATEGY_CHOICES = STRATEGIES.map((name) => `"${name}"`).join(" or ");

/** True when `name` is one of `STRATEGIES`. */
export function isStrategy(name: string): name is Strategy {
  return (STRATEGIES as readonly string[]).includes(name);
}

/** A feed's `include`/`exclude` rule: tests an event's title. */
export interface TitlePattern {
  test(title: string): boolean;
}

/** Whether all-day events are reminded, and at which local time of their first day (`HH:MM`). */
export interface AllDayPolicy {
  remind: boolean;
  at: string;
}

/** Which changes to upcoming events are announced, how far ahead, and how soon after a change. */
export interface NoticePolicy {
  horizonDays: number;
  added: boolean;
  moved: boolean;
  retitled: boolean;
  cancelled: boolean;
  /** A change is announced once it has held this long, so an edit in progress is not. */
  quietMinutes: number;
}

/** Everything a run needs to know about one feed, with the top-level defaults applied. */
export interface Feed {
  id: string;
  /** Display name for messages. */
  name: string;
  url: string;
  webhook: string;
  leadMinutes: readonly number[];
  timezone: string;
  include: TitlePattern | undefined;
  exclude: TitlePattern | undefined;
  allDay: AllDayPolicy;
  /** Change notices for this feed; undefined when off. */
  notices?: NoticePolicy | undefined;
}
