import { IdempotencyConfig, IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { IdempotencyRecord } from "@aws-lambda-powertools/idempotency/persistence";
import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { ClaimLostError, describeError, LedgerError } from "../errors.ts";
import { type Ledger, type LedgerState, REMEMBER_SECONDS } from "./ledger.ts";

export interface DynamoLedgerOptions {
  /** The table: partition key `id` (String), TTL attribute `expiration`. */
  table: string;
  /** Created once per container; honours `AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB` and credentials. */
  client: DynamoDBClient;
}

/**
 * The ledger in DynamoDB, written by Powertools' idempotency persistence layer, so the table has
 * the Powertools Idempotency layout (`id`, `expiration`, `status`, `in_progress_expiration`) and
 * its conditional writes: a claim is a put that succeeds only when the id is absent, expired, or
 * an in-progress claim whose run has run out of time. The key is a hash of the reminder's id, so
 * the table holds no calendar text.
 *
 * States beyond the claim are COMPLETED records whose data says which (`sending`, `delivered`,
 * `rejected`): a COMPLETED record is never given out again, which is what "sending" must be — the
 * post may have reached Slack.
 *
 * We use the persistence layer rather than `makeIdempotent`: one Slack message carries several
 * reminders, so one post needs several claims — which the wrapper, one key per call, cannot express.
 */
export function createDynamoLedger(options: DynamoLedgerOptions): Ledger {
  const { table } = options;
  const persistence = persistenceLayer(options);
  return {
    claim: (ids, holdMs) => claim(persistence, table, ids, holdMs),
    sending: (ids, until) =>
      inLedger(table, "mark reminders as being sent", () => complete(persistence, table, ids, { state: "sending", until })),
    done: (ids) =>
      inLedger(table, "mark reminders delivered", () => complete(persistence, table, ids, { state: "delivered", delivered: true })),
    rejected: (ids) => inLedger(table, "mark reminders refused by Slack", () => complete(persistence, table, ids, { state: "rejected" })),
    unanswered: (ids) =>
      inLedger(table, "mark reminders whose answer never came", () => complete(persistence, table, ids, { state: "unanswered" })),
    states: (ids) => inLedger(table, "read reminders", () => statesOf(persistence, ids)),
    release: (ids) => inLedger(table, "release claims", () => forget(persistence, ids)),
  };
}

/**
 * Powertools' DynamoDB persistence layer (its attribute names: `id`, `status`, `expiration`,
 * `in_progress_expiration`, `data`) with the writes after a claim made conditional, so that a late
 * or stale writer never undoes another run's. Each write is conditional on the claim being this
 * ledger's own: the `in_progress_expiration` its claim wrote, which a run taking a lapsed claim over
 * writes anew (later, as the claim it replaces had lapsed) and the states after the claim leave as
 * it is. So "sending" is written only over this run's claim still in progress — a run whose claim
 * lapsed finds it taken, even before the other run marks it — "delivered" and "refused" only over
 * this run's record (a late write never brings back a released one), and a release deletes this
 * run's claim or "sending" record, never another run's, nor a delivered or refused one. Each run
 * has a ledger of its own (`createLedgerSelector`), so a ledger's claims are its run's, even where
 * one process serves invocations at once. Two runs never write the same value over one record: a
 * run takes a claim over only once it has lapsed, and writes a later one.
 */
class LedgerPersistence extends DynamoDBPersistenceLayer {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: DynamoLedgerOptions) {
    super({ tableName: options.table, awsSdkV3Client: options.client });
    this.#client = options.client;
    this.#table = options.table;
  }

  /** This ledger's claims by record key: the `in_progress_expiration` (epoch ms) each claim wrote. */
  readonly #claims = new Map<string, number>();

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    await super._putRecord(record);
    if (record.inProgressExpiryTimestamp !== undefined) this.#claims.set(record.idempotencyKey, record.inProgressExpiryTimestamp);
  }

  /** What this ledger's claim of a record wrote; a value no claim writes when it holds none. */
  #mine(key: string): number {
    return this.#claims.get(key) ?? -1;
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const sending = (record.responseData as Partial<CompletedData> | undefined)?.state === "sending";
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: this.getKey(record.idempotencyKey),
        UpdateExpression: "SET #expiry = :expiry, #status = :status, #data = :data",
        // "Sending" over this run's claim, or over its own "sending" (the SDK retrying a write that landed).
        ConditionExpression: sending
          ? "#claim = :mine AND (#status = :inProgress OR #data.#state = :sending)"
          : "attribute_exists(#id) AND #claim = :mine",
        ExpressionAttributeNames: {
          "#expiry": "expiration",
          "#status": "status",
          "#data": "data",
          "#claim": "in_progress_expiration",
          ...(sending ? { "#state": "state" } : { "#id": "id" }),
        },
        ExpressionAttributeValues: marshall({
          ":expiry": record.expiryTimestamp,
          ":status": record.getStatus(),
          ":data": record.responseData,
          ":mine": this.#mine(record.idempotencyKey),
          ...(sending ? { ":inProgress": "INPROGRESS", ":sending": "sending" } : {}),
        }),
      }),
    );
    if (!sending) this.#claims.delete(record.idempotencyKey);
  }

  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    await this.#client.send(
      new DeleteItemCommand({
        TableName: this.#table,
        Key: this.getKey(record.idempotencyKey),
        ConditionExpression: "attribute_not_exists(#id) OR (#claim = :mine AND (#status = :inProgress OR #data.#state = :sending))",
        ExpressionAttributeNames: {
          "#id": "id",
          "#claim": "in_progress_expiration",
          "#status": "status",
          "#data": "data",
          "#state": "state",
        },
        ExpressionAttributeValues: marshall({
          ":mine": this.#mine(record.idempotencyKey),
          ":inProgress": "INPROGRESS",
          ":sending": "sending",
        }),
      }),
    );
    this.#claims.delete(record.idempotencyKey);
  }
}

/** Powertools' persistence layer on the table, with records kept as long as `REMEMBER_SECONDS`. */
function persistenceLayer(options: DynamoLedgerOptions): DynamoDBPersistenceLayer {
  const persistence = new LedgerPersistence(options);
  persistence.configure({
    config: new IdempotencyConfig({ eventKeyJmesPath: "id", expiresAfterSeconds: REMEMBER_SECONDS }),
    keyPrefix: "ical-slack-reminder",
  });
  return persistence;
}

/** The LedgerError for a request to the table that failed: what could not be done, and why. */
function ledgerFailure(table: string, action: string, error: unknown): LedgerError {
  const throttled = /Throughput|Throttl|RequestLimitExceeded/.test(`${(error as Error | undefined)?.name ?? ""}`);
  const fix = throttled
    ? "DynamoDB is throttling the table: the next run catches up; give it more capacity, or on-demand billing"
    : "check that it exists and that the function may use it";
  return new LedgerError(table, `could not ${action} in the ledger table "${table}" (${describeError(error)}); ${fix}`, { cause: error });
}

/** Runs requests to the table; their failure is a LedgerError saying what could not be done. */
async function inLedger<T>(table: string, action: string, requests: () => Promise<T>): Promise<T> {
  try {
    return await requests();
  } catch (error) {
    if (error instanceof ClaimLostError) throw error;
    throw ledgerFailure(table, action, error);
  }
}

/** What a COMPLETED record holds: the state beyond the claim it stands for (read back by `stateOf`). */
type CompletedData =
  | { state: "sending"; until: number }
  | { state: "delivered"; delivered: true }
  | { state: "rejected" }
  | { state: "unanswered" };

/**
 * Claims the ids that are free (the persistence layer's conditional put); the ids held already are
 * left out of the result. When a request fails, what was claimed is given back, so the claims do
 * not block the next run's catch-up.
 */
async function claim(persistence: DynamoDBPersistenceLayer, table: string, ids: readonly string[], holdMs: number): Promise<Set<string>> {
  const held = new Set<string>();
  const results = await Promise.allSettled(
    ids.map(async (id) => {
      try {
        await persistence.saveInProgress({ id }, Math.max(1, holdMs));
        held.add(id);
      } catch (error) {
        if (!(error instanceof IdempotencyItemAlreadyExistsError)) throw error;
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.allSettled([...held].map((id) => persistence.deleteRecord({ id })));
    throw ledgerFailure(table, "claim reminders", failed.reason);
  }
  return held;
}

/**
 * Writes a state beyond the claim for every id, waiting for every write to settle before it
 * reports a failure: a caller that gives the claims back must not race writes still in flight.
 */
async function complete(persistence: DynamoDBPersistenceLayer, table: string, ids: readonly string[], data: CompletedData): Promise<void> {
  const results = await Promise.allSettled(ids.map((id) => persistence.saveSuccess({ id }, data)));
  const lost = ids.filter((_, i) => {
    const result = results[i];
    return result?.status === "rejected" && result.reason instanceof ConditionalCheckFailedException;
  });
  const other = results.find(
    (result): result is PromiseRejectedResult =>
      result.status === "rejected" && !(result.reason instanceof ConditionalCheckFailedException),
  );
  // A "sending" refused by its condition: another run holds the reminder now (see LedgerPersistence).
  if (data.state === "sending" && lost.length > 0) throw new ClaimLostError(table, lost, other ? { cause: other.reason } : {});
  if (other) throw other.reason;
  if (lost.length > 0) throw new Error(`${lost.length} of them are no longer in the ledger (released, or taken over by another run)`);
}

/** Deletes the claims (or "sending" records) of the ids; a record another run completed meanwhile stays. */
async function forget(persistence: DynamoDBPersistenceLayer, ids: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(ids.map((id) => persistence.deleteRecord({ id })));
  const failure = results.find(
    (result): result is PromiseRejectedResult =>
      result.status === "rejected" && !(result.reason instanceof ConditionalCheckFailedException),
  );
  if (failure) throw failure.reason;
}

async function statesOf(persistence: DynamoDBPersistenceLayer, ids: readonly string[]): Promise<Map<string, LedgerState>> {
  const states = new Map<string, LedgerState>();
  await Promise.all(
    ids.map(async (id) => {
      states.set(id, await stateOf(persistence, id));
    }),
  );
  return states;
}

/** What the ledger holds for one id: a lapsed claim counts as free. */
async function stateOf(persistence: DynamoDBPersistenceLayer, id: string): Promise<LedgerState> {
  let record: Awaited<ReturnType<typeof persistence.getRecord>>;
  try {
    record = await persistence.getRecord({ id });
  } catch (error) {
    if (error instanceof IdempotencyItemNotFoundError) return { state: "free" };
    throw error;
  }
  const status = record.getStatus();
  if (status === "EXPIRED") return { state: "free" };
  if (status === "INPROGRESS") {
    const until = record.inProgressExpiryTimestamp;
    return until !== undefined && until < Date.now() ? { state: "free" } : { state: "claimed", until };
  }
  const data = record.getResponse() as Partial<CompletedData> | undefined;
  if (data?.state === "sending") return { state: "sending", until: data.until };
  if (data?.state === "rejected") return { state: "rejected" };
  if (data?.state === "unanswered") return { state: "unanswered" };
  return { state: "delivered" };
}
