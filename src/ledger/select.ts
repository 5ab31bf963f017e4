import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoLedger } from "./dynamodb.ts";
import { DEFAULT_CATCH_UP_MINUTES, type Ledger } from "./ledger.ts";
import { createMemoryLedger } from "./memory.ts";

/**
 * The `LEDGER_TABLE` value that keeps the ledger in the process (`npm start`): a colon can never
 * be part of a DynamoDB table name, so it cannot be mistaken for one.
 */
export const IN_PROCESS_LEDGER = "memory:";


// One per container: warm invocations reuse the client's connections and the in-process ledger.
let client: DynamoDBClient | undefined;
const ledgers = new Map<string, Ledger>();

/**
 * The ledger a run uses: none without a table (the schedule's tiling windows keep reminders
 * apart), the in-process one for `memory:`, else the DynamoDB table of that name — reached the
 * way the AWS SDK is configured (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, credentials).
 */
export function selectLedger(
  table: string | undefined,
  catchUpMinutes = DEFAULT_CATCH_UP_MINUTES,
): { store: Ledger; catchUpMinutes: number } | undefined {
  if (!table) return undefined;
  let store = ledgers.get(table);
  if (!store) {
    if (table === IN_PROCESS_LEDGER) store = createMemoryLedger();
    else {
      client ??= new DynamoDBClient({});
      store = createDynamoLedger({ table, client });
    }
    ledgers.set(table, store);
  }
  return { store, catchUpMinutes };
}
