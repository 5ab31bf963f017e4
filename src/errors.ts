/**
 * Named errors of the product. Callers branch on `instanceof`, never on message text. Messages say
 * what went wrong and what to do about it, and never carry a secret: feeds are named by id and host,
 * webhooks by their name in the configuration.
 */

/**
 * What every error of the product is: a message a user can act on, and the error that caused it
 * (`cause`, from `ErrorOptions`), so a caller can look behind it without parsing the message.
 */
export class IcalSlackReminderError extends Error {
  /**
   * The `name` errors of the class carry, as logs and Lambda's `errorType` show it. Each class
   * spells out its own: `new.target.name` would read the class's name, but the bundle is minified,
   * which renames classes.
   */
  static readonly errorName: string = "IcalSlackReminderError";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.errorName;
  }
}

/**
 * A request to another service — a feed's server, Slack — that failed. `transient` tells whether
 * trying again may help; `status` is the HTTP status, when an answer came.
 */
export class RequestError extends IcalSlackReminderError {
  static override readonly errorName: string = "RequestError";
  readonly transient: boolean;
  readonly status: number | undefined;
  constructor(message: string, options: ErrorOptions & { transient?: boolean; status?: number } = {}) {
    super(message, options);
    this.transient = options.transient ?? false;
    this.status = options.status;
  }
}

/** The configuration is invalid; `path` names the offending field, e.g. `feeds[3].webhook`. */
export class ConfigError extends IcalSlackReminderError {
  static override readonly errorName = "ConfigError";
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

/** The invocation event is not one the handler understands; `field` names what is wrong. */
export class EventError extends IcalSlackReminderError {
  static override readonly errorName = "EventError";
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field ? `event.${field}` : "event"}: ${message}`, options);
    this.field = field;
  }
}

/** A feed could not be downloaded. */
export class FeedFetchError extends RequestError {
  static override readonly errorName = "FeedFetchError";
  readonly feedId: string;
  constructor(feedId: string, message: string, options: ErrorOptions & { transient?: boolean; status?: number } = {}) {
    super(message, options);
    this.feedId = feedId;
  }
}

/** A feed was downloaded but is not a calendar that can be read. */
export class FeedParseError extends IcalSlackReminderError {
  static override readonly errorName = "FeedParseError";
  readonly feedId: string;
  constructor(feedId: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.feedId = feedId;
  }
}

/** Slack did not accept a message for a webhook. */
export class SlackDeliveryError extends RequestError {
  static override readonly errorName = "SlackDeliveryError";
  readonly webhook: string;
  /** Seconds Slack asked us to wait (429 Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;
  /**
   * The request may have reached Slack, but no answer came (a timeout, a connection dropped after
   * the request was written): the message may have been posted, so it must not be sent again.
   */
  readonly outcomeUnknown: boolean;
  constructor(
    webhook: string,
    message: string,
    options: ErrorOptions & { transient?: boolean; status?: number; retryAfterSeconds?: number; outcomeUnknown?: boolean } = {},
  ) {
    super(message, options);
    this.webhook = webhook;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/** Describes any thrown value in one line, for results and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Calendar text that cannot be read as iCalendar. Raised by the pure calendar engine. */
export class CalendarError extends IcalSlackReminderError {
  static override readonly errorName: string = "CalendarError";
}

/** The delivery ledger (DynamoDB) could not be read or written; `table` names it. */
export class LedgerError extends IcalSlackReminderError {
  static override readonly errorName = "LedgerError";
  readonly table: string;
  constructor(table: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.table = table;
  }
}

/**
 * Reminders this run claimed could not be marked as being sent: its claim had lapsed and another
 * run took them over and is sending them. They are that run's now: not posted here, and not given
 * back (a release would delete the other run's record).
 */
export class ClaimLostError extends IcalSlackReminderError {
  static override readonly errorName = "ClaimLostError";
  readonly table: string;
  readonly ids: readonly string[];
  constructor(table: string, ids: readonly string[], options?: ErrorOptions) {
    super(
      `${ids.length} reminder(s) are no longer this run's: its claim lapsed and another run took them over and is sending them; not posted here`,
      options,
    );
    this.table = table;
    this.ids = ids;
  }
}
