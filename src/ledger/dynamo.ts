import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

// What the ledger's DynamoDB side is made of, in one module an entry point loads its own way (see
// `AwsModules` in src/handler.ts): with the function, or when a run first uses a table.

export { createDynamoLedger } from "./dynamodb.ts";
export { createDynamoSnapshotStore } from "./snapshots-dynamodb.ts";

/** A DynamoDB client configured the way the AWS SDK is (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, credentials). */
export function newDynamoClient(): DynamoDBClient {
  return new DynamoDBClient({});
}
