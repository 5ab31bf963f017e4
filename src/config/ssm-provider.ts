import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import type { SSMClient } from "@aws-sdk/client-ssm";

// A module of its own, which an entry point loads its own way (see `AwsModules` in src/handler.ts):
// with the function, or when a configuration first names a parameter.

/** Powertools' SSM provider, on `client` when given, else on one built from the environment. */
export function newSsmProvider(client: SSMClient | undefined): SSMProvider {
  return new SSMProvider(client ? { awsSdkV3Client: client } : {});
}
