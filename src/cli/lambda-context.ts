import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

export interface LocalFunction {
  functionName: string;
  memoryMB: number;
  timeoutSeconds: number;
  region: string;
}

/** The variables Lambda sets in a function's environment, as `sam local invoke` sets them. */
export function lambdaEnvironment(fn: LocalFunction): Record<string, string> {
  return {
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMB),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/${randomUUID()}`,
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
  };
}

/** A Lambda context whose remaining time runs down from `timeoutSeconds` starting now. */
export function lambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error("callback-style completion is not supported; the handler returns a promise");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${fn.region}:000000000000:function:${fn.functionName}`,
    memoryLimitInMB: String(fn.memoryMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
