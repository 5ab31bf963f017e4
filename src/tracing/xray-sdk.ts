// aws-xray-sdk-core's index loads every patcher it offers (AWS SDK v2 and v3 clients, http, promises,
// SQL) with what they bring (the AWS SDK v2 parameter whitelist, semver), none of which tracing here
// uses: a bundle would carry 50 KB of them. These are the modules the tracer does use, set up as the
// index sets them up when it loads. CommonJS modules: each is its `module.exports`, as the default.

import contextUtils from "aws-xray-sdk-core/dist/lib/context_utils.js";
import daemonConfig from "aws-xray-sdk-core/dist/lib/daemon_config.js";
import lambdaEnv from "aws-xray-sdk-core/dist/lib/env/aws_lambda.js";
import Segment from "aws-xray-sdk-core/dist/lib/segments/segment.js";
import segmentUtils from "aws-xray-sdk-core/dist/lib/segments/segment_utils.js";
import pkg from "aws-xray-sdk-core/package.json" with { type: "json" };

const UNKNOWN = "unknown";
// What the index records of the SDK and the service in every segment.
segmentUtils.setSDKData({ sdk: "X-Ray for Node.js", sdk_version: pkg.version, package: pkg.name });
segmentUtils.setServiceData({
  runtime: process.release?.name ?? UNKNOWN,
  runtime_version: process.version,
  version: process.env.npm_package_version || UNKNOWN,
  name: process.env.npm_package_name || UNKNOWN,
});
// In Lambda: the function's facade segment, read from `_X_AMZN_TRACE_ID` for each invocation.
if (process.env.LAMBDA_TASK_ROOT) lambdaEnv.init();

/** The part of the SDK's facade the tracer uses. */
export const xray = {
  Segment,
  getSegment: () => contextUtils.getSegment(),
  setDaemonAddress: (address: string) => daemonConfig.setDaemonAddress(address),
  setStreamingThreshold: (threshold: number) => segmentUtils.setStreamingThreshold(threshold),
};
