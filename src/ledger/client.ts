import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/** Hands out the one DynamoDB client of a container. */
export type DynamoClientSource = () => DynamoDBClient;

/**
 * A DynamoDB client made on first use, then the same one every time: the ledger and the snapshot
 * store share it, so a container builds one client and keeps one pool of connections to the table.
 * Reached the way the AWS SDK is configured (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, credentials).
 */
export function sharedDynamoClient(): DynamoClientSource {
  let client: DynamoDBClient | undefined;
  return () => {
    client ??= new DynamoDBClient({});
    return client;
  };
}
