import { z } from "zod";
import { isTimeZone } from "../calendar/zones.ts";

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, "iu");
    return true;
  } catch {
    return false;
  }
}

const timeZone = z
  .string()
  .refine(isTimeZone, "is not an IANA time zone; use a name such as \"Europe/Berlin\" or \"UTC\"");

/** Minutes before an occurrence's start; a week at most, so a run never expands years of rules. */
const leadMinutes = z
  .array(
    z
      .number()
      .int("must be whole minutes")
      .min(0, "must be 0 or more")
      .max(10_080, "must be at most 10080 (one week)"),
  )
  .min(1, "needs at least one lead time, e.g. [10]")
  .refine((leads) => new Set(leads).size === leads.length, "lists the same lead time twice");

const pattern = z.string().refine(isRegExp, "is not a valid regular expression");

const allDay = z.strictObject({
  remind: z.boolean().default(true),
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a local time written HH:MM, e.g. \"09:00\"")
    .default("09:00"),
});

/** A value that is a URL, or an `ssm:/name` reference resolved before validation. */
const httpUrl = z.string().superRefine((value, ctx) => {
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = "";
  }
  if (protocol === "https:" || protocol === "http:") return;
  // Calendar apps hand out webcal:// links: the same address, to be fetched over https.
  const hint = protocol === "webcal:" ? "; write the webcal:// link with https:// instead" : "";
  ctx.addIssue({ code: "custom", message: `must be an http(s) URL (or an ssm:/name reference to one)${hint}` });
});

const name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

const feed = z.strictObject({
  id: name,
  url: httpUrl,
  webhook: name,
  /** Shown in messages; defaults to the id. */
  name: z.string().min(1).max(80).optional(),
  leadMinutes: leadMinutes.optional(),
  timezone: timeZone.optional(),
  include: pattern.optional(),
  exclude: pattern.optional(),
  allDay: allDay.optional(),
});

const fetchLimits = z.strictObject({
  timeoutSeconds: z.number().min(1).max(120).default(10),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  attempts: z.number().int().min(1).max(5).default(3),
});

const ledger = z.strictObject({
  table: z.string().min(3).max(255),
  catchUpMinutes: z.number().int().min(0).max(1440).default(15),
});

/** The configuration file, as the user writes it (after `ssm:` references are resolved). */
export const configSchema = z
  .strictObject({
    scheduleMinutes: z
      .number()
      .int("must be whole minutes")
      .min(1, "must be at least 1: EventBridge schedules run at most once a minute")
      .max(1440, "must be at most 1440 (one day)")
      .default(5),
    leadMinutes: leadMinutes.default([10]),
    timezone: timeZone.default("UTC"),
    strategy: z.enum(["serial", "pipelined"]).default("pipelined"),
    concurrency: z.number().int().min(1).max(256).default(16),
    allDay: allDay.default({ remind: true, at: "09:00" }),
    webhooks: z.record(name, httpUrl).refine((hooks) => Object.keys(hooks).length > 0, {
      message: 'needs at least one webhook, e.g. { "team": "https://hooks.slack.com/services/…" }',
    }),
    feeds: z.array(feed).min(1, "needs at least one feed"),
    fetch: fetchLimits.default({ timeoutSeconds: 10, maxBytes: 10 * 1024 * 1024, attempts: 3 }),
    ledger: ledger.optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.feeds.forEach((f, index) => {
      const first = seen.get(f.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["feeds", index, "id"],
          message: `"${f.id}" is already the id of feeds[${first}]; feed ids must be unique`,
        });
      } else {
        seen.set(f.id, index);
      }
      if (!Object.hasOwn(config.webhooks, f.webhook)) {
        const known = Object.keys(config.webhooks).join(", ") || "none";
        ctx.addIssue({
          code: "custom",
          path: ["feeds", index, "webhook"],
          message: `names webhook "${f.webhook}", which is not defined in "webhooks" (defined: ${known})`,
        });
      }
    });
  });

export type Config = z.output<typeof configSchema>;
export type FeedConfig = Config["feeds"][number];
export type Strategy = Config["strategy"];
export type AllDayPolicy = z.output<typeof allDay>;

/** Everything a run needs to know about one feed, with the top-level defaults applied. */
export interface Feed {
  id: string;
  /** Display name for messages. */
  name: string;
  url: string;
  webhook: string;
  leadMinutes: readonly number[];
  timezone: string;
  include: RegExp | undefined;
  exclude: RegExp | undefined;
  allDay: AllDayPolicy;
}

/** Applies the top-level defaults to each feed. Patterns match case-insensitively. */
export function feedsOf(config: Config): Feed[] {
  return config.feeds.map((f) => ({
    id: f.id,
    name: f.name ?? f.id,
    url: f.url,
    webhook: f.webhook,
    leadMinutes: f.leadMinutes ?? config.leadMinutes,
    timezone: f.timezone ?? config.timezone,
    include: f.include === undefined ? undefined : new RegExp(f.include, "iu"),
    exclude: f.exclude === undefined ? undefined : new RegExp(f.exclude, "iu"),
    allDay: f.allDay ?? config.allDay,
  }));
}
