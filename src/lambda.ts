import * as ssm from "./config/ssm-provider.ts";
import { containerHandler, type Handler } from "./handler.ts";
import * as dynamo from "./ledger/dynamo.ts";

// The function's entry point in Lambda (template.yaml). A deployed function reads its
// configuration from SSM and keeps its ledger in DynamoDB: their clients are imported with it, so
// Lambda loads them while it initialises the container and esbuild keeps of each package only what
// they use.

/** The Lambda entry point. */
export const handler: Handler = containerHandler({ ssm: async () => ssm, dynamo: async () => dynamo });
