// aws-xray-sdk-core's index loads every patcher it offers (AWS SDK v2 and v3 clients, http, promises,
// SQL) with what they bring (the AWS SDK v2 parameter whitelist, semver), none of which tracing here
// uses: a bundle would carry 50 KB of them. These are the modules the tracer does use, set up as the
// index sets them up when it loads. CommonJS modules: each is its `module.exports`, as the default.
//
// Left out on purpose: the SDK's context module (and its Lambda set-up, which needs it). Loading it
// starts cls-hooked, whose async hook then runs on every promise of the process, and registers a
// destroy hook for each: about a tenth of a 1,000-feed run's CPU, for a context this tracer keeps in
// its own AsyncLocalStorage. The function's segment of each invocation is made from its trace header
// instead (`xray.ts`), as the SDK's Lambda facade makes it.

import daemonConfig from "aws-xray-sdk-core/dist/lib/daemon_config.js";
import segmentEmitter from "aws-xray-sdk-core/dist/lib/segment_emitter.js";
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
// In Lambda, as the SDK's Lambda set-up does: a socket per batch of documents rather than one kept
// open, which a frozen and thawed execution environment could find closed.
if (process.env.LAMBDA_TASK_ROOT) segmentEmitter.disableReusableSocket();

/** The part of the SDK the tracer uses. */
export const xray = {
  Segment,
  setDaemonAddress: (address: string) => daemonConfig.setDaemonAddress(address),
  setStreamingThreshold: (threshold: number) => segmentUtils.setStreamingThreshold(threshold),
};
