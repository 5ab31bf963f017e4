// The aws-xray-sdk-core module src/tracing/xray-sdk.ts imports on its own that ships no declarations.
declare module "aws-xray-sdk-core/dist/lib/env/aws_lambda.js" {
  /** `init()` sets up the function's facade segment, as the SDK's index does in Lambda. */
  const lambdaEnv: { init(): void };
  export default lambdaEnv;
}
