import { afterAll, beforeAll } from "vitest";
import { type LocalDynamo, startDynamo } from "../../support/dynalite.ts";
import { DeliveryAccount } from "./account.ts";
import { type SuiteFeeds, startSuiteFeeds } from "./feeds.ts";
import { type SuiteSlack, startSuiteSlack } from "./slack.ts";

/** What every case of the fault suite shares: one Slack, one calendar server, one dynalite, one account. */
export interface FaultSuite {
  readonly slack: SuiteSlack;
  readonly feeds: SuiteFeeds;
  readonly dynamo: LocalDynamo;
  readonly account: DeliveryAccount;
}

/** Starts the suite's servers (the benchmark runs the cases on them too). */
export async function startSuiteServers(account = new DeliveryAccount()): Promise<FaultSuite & { close(): Promise<void> }> {
  const [slack, feeds, dynamo] = await Promise.all([startSuiteSlack(account), startSuiteFeeds(), startDynamo()]);
  return {
    slack,
    feeds,
    dynamo,
    account,
    close: async () => void (await Promise.all([slack.close(), feeds.close(), dynamo.close()])),
  };
}

/**
 * The suite's shared servers, started before the first case and closed after the last (register
 * it at the top of the suite's file). Cases reach them through the getters once the suite runs.
 */
export function faultSuite(): FaultSuite {
  const account = new DeliveryAccount();
  let servers: (FaultSuite & { close(): Promise<void> }) | undefined;
  const started = () => {
    if (!servers) throw new Error("the fault suite's servers are started in beforeAll");
    return servers;
  };

  beforeAll(async () => {
    servers = await startSuiteServers(account);
  });

  afterAll(async () => {
    await started().close();
  });

  return {
    account,
    get slack() {
      return started().slack;
    },
    get feeds() {
      return started().feeds;
    },
    get dynamo() {
      return started().dynamo;
    },
  };
}
