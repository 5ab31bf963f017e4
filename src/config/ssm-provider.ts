import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import type { SSMClient } from "@aws-sdk/client-ssm";

// Imported dynamically (src/config/ssm.ts) so a configuration without `ssm:/` references, read from
// a file, never loads the AWS SDK. A module of its own, with named imports: esbuild keeps all of a
// package a dynamic import names.

/** Powertools' SSM provider, on `client` when given, else on one built from the environment. */
export function newSsmProvider(client: SSMClient | undefined): SSMProvider {
  return new SSMProvider(client ? { awsSdkV3Client: client } : {});
}
