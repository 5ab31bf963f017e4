// RFC 5545's weekdays (§3.3.10, `weekday`), written once for every reader of a rule.

/** The two-letter weekdays, Monday first: ISO weekday n is `WEEKDAYS[n - 1]`. */
export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

export type Weekday = (typeof WEEKDAYS)[number];

const ANY = WEEKDAYS.join("|");

/** One weekday (`WKST=SU`), in any case. */
export const WEEKDAY = new RegExp(`^(${ANY})$`, "i");

/** A list of weekdays without ordinals (`BYDAY=MO,WE,FR`), in any case. */
export const PLAIN_WEEKDAYS = new RegExp(`^(${ANY})(,(${ANY}))*$`, "i");

/** One BYDAY item: a weekday, with an ordinal from 1 to 53 or -53 to -1 where it has one (`1MO`, `-1FR`), in any case. */
export const BYDAY_ITEM = new RegExp(`^([+-]?(0?[1-9]|[1-4]\\d|5[0-3]))?(${ANY})$`, "i");
