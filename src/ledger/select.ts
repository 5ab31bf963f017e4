import type { DynamoSource } from "./client.ts";
import { DEFAULT_CATCH_UP_MINUTES, type Ledger } from "./ledger.ts";
import { createMemoryLedger } from "./memory.ts";
import { onFirstCall } from "./on-first-call.ts";

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
 * `dynamo`'s module and client. One selector per handler, so per container: warm invocations reuse the
 * client's connections and the in-process ledger. Each run gets a DynamoDB ledger of its own,
 * which knows the claims that run made (see `createDynamoLedger`): two invocations one process
 * serves at once never write over each other's claims. Its module and client come from `dynamo`
 * when a run first uses it.
 */
export function createLedgerSelector(dynamo: DynamoSource): LedgerSelector {
  let memory: Ledger | undefined;
  return (table, catchUpMinutes = DEFAULT_CATCH_UP_MINUTES) => {
    if (!table) return undefined;
    if (table === IN_PROCESS_LEDGER) {
      memory ??= createMemoryLedger();
      return { store: memory, catchUpMinutes };
    }
    const store = onFirstCall(async () => {
      const { module, client } = await dynamo();
      return module.createDynamoLedger({ table, client });
    }, LEDGER_METHODS);
    return { store, catchUpMinutes };
  };
}

const LEDGER_METHODS: Record<keyof Ledger, true> = {
  claim: true,
  sending: true,
  done: true,
  rejected: true,
  unanswered: true,
  release: true,
  states: true,
};
