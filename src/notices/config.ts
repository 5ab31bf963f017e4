import type { Config } from "../config/schema.ts";
import { ConfigError } from "../errors.ts";

/**
 * Change notices remember each feed between runs and claim each notice so none is posted twice:
 * both live in the ledger. Without one, a notices configuration would post nothing, or everything
 * again on every cold start, so it is refused.
 *
 * @throws ConfigError naming the first `notices` setting, when no ledger table is set.
 */
export function requireLedgerForNotices(config: Config, ledgerTable: string | undefined): void {
  if (ledgerTable) return;
  const index = config.feeds.findIndex((feed) => feed.notices);
  const path = config.notices ? "notices" : index >= 0 ? `feeds[${index}].notices` : undefined;
  if (path === undefined) return;
  throw new ConfigError(
    path,
    'change notices need the ledger, which remembers what each feed looked like and which notices were posted; set "ledger": { "table": "…" } (or LEDGER_TABLE), or remove "notices"',
  );
}
