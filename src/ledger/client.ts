import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { loadOnce } from "../load-once.ts";

/** The ledger's DynamoDB module (src/ledger/dynamo.ts). */
export type DynamoModule = typeof import("./dynamo.ts");

/** The DynamoDB module and the one client of a container, loaded and made when first asked for. */
export type DynamoSource = () => Promise<{ module: DynamoModule; client: DynamoDBClient }>;

/**
 * The module `load` gives and a client made from it, on first use, then the same ones every time:
 * the ledger and the snapshot store share them, so a container builds one client and keeps one
 * pool of connections to the table. The client is reached the way the AWS SDK is configured
 * (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, credentials). A load that fails is tried again next time.
 */
export function sharedDynamo(load: () => Promise<DynamoModule>): DynamoSource {
  return loadOnce(async () => {
    const module = await load();
    return { module, client: module.newDynamoClient() };
  });
}
