import * as z from "zod/mini";
import { isTimeZone } from "../calendar/wall-clock.ts";
import { DEFAULT_CALENDAR_SECONDS_PER_FEED, DEFAULT_INSTANCES_PER_FEED } from "../calendar/work.ts";
import { DEFAULT_CATCH_UP_MINUTES } from "../ledger/ledger.ts";
import { type AllDayPolicy, type Feed, type NoticePolicy, STRATEGIES, STRATEGY_CHOICES, type Strategy } from "../reminders/feed.ts";
import { compileTitlePattern, patternProblem } from "./pattern.ts";

/**
 * Says what a field holds, in the product's words: `is required: …` when it is missing, `must be …`
 * when it has the wrong type or value. Zod's defaults ("expected string, received undefined") name
 * neither the field's purpose nor the fix. The input itself is never quoted: it may be a secret URL.
 */
function expecting(what: string): { error: (issue: z.core.$ZodRawIssue) => string | undefined } {
  return {
    error: (issue) => {
      if (issue.code !== "invalid_type" && issue.code !== "invalid_value") return undefined;
      return issue.input === undefined ? `is required: ${what}` : `must be ${what}`;
    },
  };
}

/** A whole number in [min, max]; `unit` follows the bounds in messages (" seconds"). */
function wholeNumber(min: number, max: number, unit = "") {
  const range = `must be between ${min} and ${max}${unit}`;
  return z
    .number(expecting(`a whole number from ${min} to ${max}${unit}`))
    .check(z.int("must be a whole number"), z.gte(min, range), z.lte(max, range));
}

const timeZone = z
  .string(expecting('an IANA time zone name such as "Europe/Berlin" or "UTC"'))
  .check(z.refine(isTimeZone, 'is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"'));

/** Minutes before an occurrence's start; a week at most, so a run never expands years of rules. */
const leadMinutes = z
  .array(
    z
      .number(expecting("a number of minutes, e.g. 10"))
      .check(z.int("must be whole minutes"), z.gte(0, "must be 0 or more"), z.lte(10_080, "must be at most 10080 (one week)")),
    expecting("a list of minutes, e.g. [10]"),
  )
  .check(
    z.minLength(1, "needs at least one lead time, e.g. [10]"),
    z.refine((leads) => new Set(leads).size === leads.length, "lists the same lead time twice"),
  );

const pattern = z.string(expecting('a regular expression written as a string, e.g. "standup|retro"')).check(
  z.superRefine((source, ctx) => {
    const problem = patternProblem(source);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
);

const allDay = z.strictObject(
  {
    remind: z._default(z.boolean(expecting("true or false")), true),
    at: z._default(
      z
        .string(expecting('a local time written HH:MM, e.g. "09:00"'))
        .check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time written HH:MM, e.g. "09:00"')),
      "09:00",
    ),
  },
  expecting('an object such as { "remind": true, "at": "09:00" }'),
);

/** A value that is a URL, or an `ssm:/name` reference resolved before validation; `what` says which. */
const httpUrl = (what: string) =>
  z.string(expecting(what)).check(
    z.superRefine((value, ctx) => {
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
    }),
  );

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const NAME_RULE = "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

/** The name of a feed or webhook; `what` says which, for messages about a missing or mistyped one. */
const name = (what: string) => z.string(expecting(what)).check(z.regex(NAME, NAME_RULE));

/** Where a webhook is used: the name of one of `webhooks`, which a URL pasted here is told it is not. */
const webhookName = () =>
  z.string(expecting('the name of a webhook defined in "webhooks"')).check(
    z.superRefine((value, ctx) => {
      if (NAME.test(value)) return;
      const url = /^[a-z][a-z0-9+.-]*:/i.test(value.trim());
      ctx.addIssue({
        code: "custom",
        message: url ? 'is a URL: name a webhook of "webhooks" here (e.g. "team"), and give its URL there' : NAME_RULE,
      });
    }),
  );

/** A boolean defaulting to `true`. */
const flag = () => z._default(z.boolean(expecting("true or false")), true);

/** Text of `min`-`max` characters, `range` the message when it is shorter or longer. */
const text = (what: string, min: number, max: number, range: string) =>
  z.string(expecting(what)).check(z.minLength(min, range), z.maxLength(max, range));

/**
 * Change notices (an upcoming event added, moved, retitled or cancelled); off unless configured.
 * A week ahead by default: far enough to matter, near enough that a run expands little.
 */
const notices = z.strictObject(
  {
    horizonDays: z._default(wholeNumber(1, 31, " days"), 7),
    added: flag(),
    moved: flag(),
    retitled: flag(),
    cancelled: flag(),
    quietMinutes: z._default(wholeNumber(0, 1440, " minutes"), 10),
  },
  expecting('an object such as { "horizonDays": 7, "quietMinutes": 10 }'),
);

const feed = z.strictObject(
  {
    id: name('a short name for the feed, unique among the feeds, e.g. "platform"'),
    url: httpUrl("the calendar's http(s) URL, or an ssm:/name reference to it"),
    webhook: webhookName(),
    /** Shown in messages; defaults to the id. */
    name: z.optional(text("the feed's display name", 1, 80, "must be 1-80 characters")),
    leadMinutes: z.optional(leadMinutes),
    timezone: z.optional(timeZone),
    include: z.optional(pattern),
    exclude: z.optional(pattern),
    allDay: z.optional(allDay),
    notices: z.optional(notices),
  },
  expecting('an object such as { "id": "platform", "url": "ssm:/…", "webhook": "team" }'),
);

const fetchLimits = z.strictObject(
  {
    timeoutSeconds: z._default(
      z
        .number(expecting("a number of seconds from 1 to 120"))
        .check(z.gte(1, "must be between 1 and 120 seconds"), z.lte(120, "must be between 1 and 120 seconds")),
      10,
    ),
    maxBytes: z._default(wholeNumber(1024, 256 * 1024 * 1024, " bytes"), 10 * 1024 * 1024),
    attempts: z._default(wholeNumber(1, 5), 3),
  },
  expecting('an object such as { "timeoutSeconds": 10, "attempts": 3 }'),
);

const ledger = z.strictObject(
  {
    table: text("the name of the DynamoDB ledger table", 3, 255, "must be a DynamoDB table name of 3-255 characters"),
    catchUpMinutes: z._default(wholeNumber(0, 1440, " minutes"), DEFAULT_CATCH_UP_MINUTES),
  },
  expecting('an object such as { "table": "ical-slack-reminder-ledger" }'),
);

const WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** An agenda digest: one webhook's events of a day or a week, posted at a local time. */
const digest = z
  .strictObject(
    {
      webhook: webhookName(),
      /** Feed ids; defaults to every feed of `webhook`. */
      feeds: z.optional(
        z
          .array(name("a feed id"), expecting('a list of feed ids, e.g. ["platform", "ops"]'))
          .check(z.minLength(1, "needs at least one feed id, or leave it out for every feed of the webhook")),
      ),
      daily: z.optional(
        z
          .string(expecting('a local time written HH:MM, e.g. "08:30"'))
          .check(z.regex(LOCAL_TIME, 'must be a local time written HH:MM, e.g. "08:30"')),
      ),
      weekly: z.optional(
        z
          .string(expecting('a weekday and local time, e.g. "MO 08:00"'))
          .check(z.regex(/^(MO|TU|WE|TH|FR|SA|SU) ([01]\d|2[0-3]):[0-5]\d$/, 'must be a weekday and local time, e.g. "MO 08:00"')),
      ),
      timezone: z.optional(timeZone),
      days: z.optional(
        z
          .array(
            z.enum(WEEKDAY_CODES, expecting("a weekday code: MO, TU, WE, TH, FR, SA or SU")),
            expecting('a list of weekday codes, e.g. ["MO", "TU"]'),
          )
          .check(z.minLength(1, "needs at least one weekday, or leave it out for every day")),
      ),
      skipEmpty: flag(),
      title: z.optional(text("the heading of the digest", 1, 100, "must be 1-100 characters")),
    },
    expecting('an object such as { "webhook": "team", "daily": "08:30" }'),
  )
  .check(
    z.superRefine((d, ctx) => {
      if ((d.daily === undefined) === (d.weekly === undefined)) {
        ctx.addIssue({
          code: "custom",
          message: 'needs exactly one of "daily" ("08:30") or "weekly" ("MO 08:00")',
        });
      }
      if (d.weekly !== undefined && d.days !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["days"],
          message: 'applies to "daily" digests only; a weekly digest names its day in "weekly"',
        });
      }
    }),
  );

const limits = z.strictObject(
  {
    remindersPerFeed: z._default(wholeNumber(1, 10_000), 50),
    remindersPerRun: z._default(wholeNumber(1, 100_000), 2_000),
    instancesPerFeed: z._default(wholeNumber(1_000, 10_000_000), DEFAULT_INSTANCES_PER_FEED),
    calendarSecondsPerFeed: z._default(
      z.number(expecting("seconds, e.g. 5")).check(z.positive("must be more than 0 seconds"), z.lte(600, "must be at most 600 seconds")),
      DEFAULT_CALENDAR_SECONDS_PER_FEED,
    ),
  },
  expecting(
    'an object such as { "remindersPerFeed": 50, "remindersPerRun": 2000, "instancesPerFeed": 50000, "calendarSecondsPerFeed": 5 }',
  ),
);

/** Feeds in flight at once in a pipelined run unless `concurrency` says otherwise. */
export const DEFAULT_CONCURRENCY = 16;

/** The configuration file, as the user writes it (after `ssm:` references are resolved). */
export const configSchema = z
  .strictObject(
    {
      scheduleMinutes: z._default(
        z
          .number(expecting("a whole number of minutes between runs, e.g. 5"))
          .check(
            z.int("must be whole minutes"),
            z.gte(1, "must be at least 1: EventBridge schedules run at most once a minute"),
            z.lte(1440, "must be at most 1440 (one day)"),
          ),
        5,
      ),
      leadMinutes: z._default(leadMinutes, [10]),
      timezone: z._default(timeZone, "UTC"),
      strategy: z._default(z.enum(STRATEGIES, expecting(STRATEGY_CHOICES)), "pipelined"),
      concurrency: z._default(wholeNumber(1, 256), DEFAULT_CONCURRENCY),
      allDay: z._default(allDay, { remind: true, at: "09:00" }),
      webhooks: z
        .record(
          name("a webhook name"),
          httpUrl("a Slack incoming webhook URL, or an ssm:/name reference to one"),
          expecting('an object naming each Slack webhook, e.g. { "team": "ssm:/ical-slack-reminder/webhooks/team" }'),
        )
        .check(
          z.refine((hooks) => Object.keys(hooks).length > 0, {
            message: 'needs at least one webhook, e.g. { "team": "https://hooks.slack.com/services/…" }',
          }),
        ),
      feeds: z
        .array(feed, expecting('a list of feeds, e.g. [{ "id": "platform", "url": "ssm:/…", "webhook": "team" }]'))
        .check(z.minLength(1, "needs at least one feed")),
      fetch: z._default(fetchLimits, { timeoutSeconds: 10, maxBytes: 10 * 1024 * 1024, attempts: 3 }),
      ledger: z.optional(ledger),
      notices: z.optional(notices),
      digests: z.optional(z.array(digest, expecting('a list of digests, e.g. [{ "webhook": "team", "daily": "08:30" }]'))),
      limits: z._default(limits, {
        remindersPerFeed: 50,
        remindersPerRun: 2_000,
        instancesPerFeed: DEFAULT_INSTANCES_PER_FEED,
        calendarSecondsPerFeed: DEFAULT_CALENDAR_SECONDS_PER_FEED,
      }),
    },
    expecting('a JSON object such as { "webhooks": { "team": "https://hooks.slack.com/services/…" }, "feeds": [ … ] }'),
  )
  // Zod skips refinements once any field fails; `when` runs these as soon as the shapes they read
  // are there, so a wrong webhook name shows up together with every other problem.
  .check(
    z.superRefine((config, ctx) => checkReferences(config, ctx), {
      when: (payload) => hasFeedsAndWebhooks(payload.value),
    }),
  );

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasFeedsAndWebhooks(value: unknown): boolean {
  return isRecord(value) && isRecord(value.webhooks) && Array.isArray(value.feeds);
}

/**
 * Feed ids are unique and every feed names a defined webhook. Reads the input defensively: it runs
 * before the rest of the configuration is known to be valid, and skips any feed it cannot read. Only
 * well-formed names are quoted: a malformed one (a URL pasted in the wrong field) has its own error,
 * and may be a secret.
 */
function checkReferences(config: unknown, ctx: z.core.$RefinementCtx): void {
  if (!isRecord(config) || !hasFeedsAndWebhooks(config)) return;
  const webhooks = config.webhooks as Record<string, unknown>;
  const seen = new Map<string, number>();
  (config.feeds as unknown[]).forEach((f, index) => {
    if (!isRecord(f)) return;
    const { id, webhook } = f;
    if (typeof id === "string" && NAME.test(id)) {
      const first = seen.get(id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["feeds", index, "id"],
          message: `"${id}" is already the id of feeds[${first}]; feed ids must be unique`,
        });
      } else {
        seen.set(id, index);
      }
    }
    if (typeof webhook === "string" && NAME.test(webhook) && !Object.hasOwn(webhooks, webhook)) {
      const known =
        Object.keys(webhooks)
          .filter((key) => NAME.test(key))
          .join(", ") || "none";
      ctx.addIssue({
        code: "custom",
        path: ["feeds", index, "webhook"],
        message: `names webhook "${webhook}", which is not defined in "webhooks" (defined: ${known})`,
      });
    }
  });
  if (Array.isArray(config.digests)) checkDigestReferences(config.digests, webhooks, [...seen.keys()], ctx);
}

/**
 * Every digest names a defined webhook and defined feeds, and no two digests are the same one (the
 * same webhook, schedule and zone would be one ledger entry a day). Reads the input defensively,
 * as `checkReferences` does.
 */
function checkDigestReferences(
  digests: unknown[],
  webhooks: Record<string, unknown>,
  feedIds: readonly string[],
  ctx: z.core.$RefinementCtx,
): void {
  const seen = new Map<string, number>();
  digests.forEach((d, index) => {
    if (!isRecord(d)) return;
    const { webhook, feeds, daily, weekly, timezone } = d;
    if (typeof webhook === "string" && NAME.test(webhook) && !Object.hasOwn(webhooks, webhook)) {
      const known =
        Object.keys(webhooks)
          .filter((key) => NAME.test(key))
          .join(", ") || "none";
      ctx.addIssue({
        code: "custom",
        path: ["digests", index, "webhook"],
        message: `names webhook "${webhook}", which is not defined in "webhooks" (defined: ${known})`,
      });
    }
    if (Array.isArray(feeds)) {
      feeds.forEach((id, at) => {
        if (typeof id === "string" && NAME.test(id) && !feedIds.includes(id)) {
          ctx.addIssue({
            code: "custom",
            path: ["digests", index, "feeds", at],
            message: `names feed "${id}", which is not one of the feeds' ids (defined: ${feedIds.join(", ") || "none"})`,
          });
        }
      });
    }
    const key = JSON.stringify([webhook, daily, weekly, timezone]);
    const first = seen.get(key);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["digests", index],
        message: `is the same digest as digests[${first}] (same webhook, time and zone); remove one`,
      });
    } else {
      seen.set(key, index);
    }
  });
}

/** The configuration as written, after validation: the top level's defaults filled in. */
export type ConfigFile = z.infer<typeof configSchema>;
export type DigestConfig = NonNullable<ConfigFile["digests"]>[number];

/** The configuration a run works with: `ConfigFile`, its feeds finished (`finishConfig`). */
export type Config = Omit<ConfigFile, "feeds" | "strategy"> & { feeds: Feed[]; strategy: Strategy };

// The schema's policies are the core's types, field for field.
allDay satisfies z.ZodMiniType<AllDayPolicy, unknown>;
notices satisfies z.ZodMiniType<NoticePolicy, unknown>;

/**
 * Finishes a validated configuration: each feed gets the top-level defaults it does not override
 * and its patterns compiled (case-insensitive, linear time). The one place feed defaults are applied.
 */
export function finishConfig(config: ConfigFile): Config {
  return { ...config, feeds: feedsOf(config) };
}

/** Validates and finishes a configuration object (tests, benchmarks). @throws z.core.$ZodError */
export function configOf(raw: unknown): Config {
  return finishConfig(configSchema.parse(raw));
}

/** Applies the top-level defaults to each feed of a configuration as written. */
function feedsOf(config: ConfigFile): Feed[] {
  return config.feeds.map((f) => ({
    id: f.id,
    name: f.name ?? f.id,
    url: f.url,
    webhook: f.webhook,
    leadMinutes: f.leadMinutes ?? config.leadMinutes,
    timezone: f.timezone ?? config.timezone,
    include: f.include === undefined ? undefined : compileTitlePattern(f.include),
    exclude: f.exclude === undefined ? undefined : compileTitlePattern(f.exclude),
    allDay: f.allDay ?? config.allDay,
    notices: f.notices ?? config.notices,
  }));
}
