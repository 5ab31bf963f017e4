import type { AwsModules } from "./handler.ts";

/**
 * The AWS SDK clients of a run from source (`npm run invoke`, `npm start`, the tests), each
 * imported when a configuration first names a parameter or a table: a run with neither never
 * loads the AWS SDK (about 0.1 s of CPU and 20 MB). Never part of the function's bundle
 * (src/lambda.ts imports its clients with itself; see `AwsModules`).
 */
export const AWS_ON_FIRST_USE: AwsModules = {
  ssm: () => import("./config/ssm-provider.ts"),
  dynamo: () => import("./ledger/dynamo.ts"),
};
