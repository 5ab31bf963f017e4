import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describeError, LedgerError } from "../errors.ts";
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
  const persistence = new DynamoDBPersistenceLayer({
    tableName: options.table,
    awsSdkV3Client: options.client,
  });
  persistence.configure({
    config: new IdempotencyConfig({ eventKeyJmesPath: "id", expiresAfterSeconds: REMEMBER_SECONDS }),
    keyPrefix: "ical-slack-reminder",
  });

  const failure = (action: string, error: unknown) =>
    new LedgerError(
      options.table,
      `could not ${action} in the ledger table "${options.table}" (${describeError(error)}); check that it exists and that the function may use it`,
      { cause: error },
    );

  async function stateOf(id: string): Promise<LedgerState> {
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
    const data = record.getResponse() as { state?: string; until?: number } | undefined;
    if (data?.state === "sending") return { state: "sending", until: data.until };
    if (data?.state === "rejected") return { state: "rejected" };
    return { state: "delivered" };
  }

  return {
    async claim(ids, holdMs) {
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
        // Give back what was claimed, so the claims do not block the next run's catch-up.
        await Promise.allSettled([...held].map((id) => persistence.deleteRecord({ id })));
        throw failure("claim reminders", failed.reason);
      }
      return held;
    },
    async sending(ids, until) {
      try {
        await Promise.all(ids.map((id) => persistence.saveSuccess({ id }, { state: "sending", until })));
      } catch (error) {
        throw failure("mark reminders as being sent", error);
      }
    },
    async done(ids) {
      try {
        await Promise.all(ids.map((id) => persistence.saveSuccess({ id }, { state: "delivered", delivered: true })));
      } catch (error) {
        throw failure("mark reminders delivered", error);
      }
    },
    async rejected(ids) {
      try {
        await Promise.all(ids.map((id) => persistence.saveSuccess({ id }, { state: "rejected" })));
      } catch (error) {
        throw failure("mark reminders refused by Slack", error);
      }
    },
    async states(ids) {
      const states = new Map<string, LedgerState>();
      try {
        await Promise.all(
          ids.map(async (id) => {
            states.set(id, await stateOf(id));
          }),
        );
      } catch (error) {
        throw failure("read reminders", error);
      }
      return states;
    },
    async release(ids) {
      try {
        await Promise.all(ids.map((id) => persistence.deleteRecord({ id })));
      } catch (error) {
        throw failure("release claims", error);
      }
    },
  };
}
