import { AWS_ON_FIRST_USE } from "./aws-on-first-use.ts";
import { containerHandler, type Handler } from "./handler.ts";

// The handler as a run from source uses it (`npm run invoke`, `npm start`): the deployed
// function's (src/lambda.ts), with the AWS SDK clients imported only when a configuration first
// names a parameter or a table.

/** The handler of a run from source, for the environment of the process. */
export const handler: Handler = containerHandler(AWS_ON_FIRST_USE);
