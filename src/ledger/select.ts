import { type DynamoClientSource, sharedDynamoClient } from "./client.ts";
import { createDynamoLedger } from "./dynamodb.ts";
import { DEFAULT_CATCH_UP_MINUTES, type Ledger } from "./ledger.ts";
import { createMemoryLedger } from "./memory.ts";

/**
 * The `LEDGER_TABLE` value that keeps the ledger in the process (`npm start`): a colon can never
 * be part of a DynamoDB table name, so it cannot be mistaken for one.
 */
export const IN_PROCESS_LEDGER = "memory:";

/** Picks the ledger of each run (see `createLedgerSelector`). */
export type LedgerSelector = (table: string | undefined, catchUpMinutes?: number) => { store: Ledger; catchUpMinutes: number } | undefined;

/**
 * The ledger a run uses: none without a table (the schedule's tiling windows keep reminders
 * apart), the in-process one for `memory:`, else the DynamoDB table of that name, through
 * `dynamo`'s client. One selector per handler, so per container: warm invocations reuse the
 * client's connections and the in-process ledger.
 */
export function createLedgerSelector(dynamo: DynamoClientSource = sharedDynamoClient()): LedgerSelector {
  const ledgers = new Map<string, Ledger>();
  return (table, catchUpMinutes = DEFAULT_CATCH_UP_MINUTES) => {
    if (!table) return undefined;
    let store = ledgers.get(table);
    if (!store) {
      if (table === IN_PROCESS_LEDGER) store = createMemoryLedger();
      else store = createDynamoLedger({ table, client: dynamo() });
      ledgers.set(table, store);
    }
    return { store, catchUpMinutes };
  };
}
