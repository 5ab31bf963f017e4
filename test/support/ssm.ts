import type { IncomingMessage, ServerResponse } from "node:http";
import { type Loopback, startLoopback } from "./loopback.ts";

/** One call the fake SSM received: the operation and the names it asked for. */
export interface SsmCall {
  operation: string;
  names: string[];
  withDecryption: boolean;
}

export interface FakeSsm extends Loopback {
  /** Every call received, in order of arrival. */
  calls: SsmCall[];
  /** Name → value; live. */
  parameters: Map<string, string>;
  /** Holds the answers to `operation` until `release()`; `count()` tells how many wait. */
  hold(operation: string): { count(): number; release(): void };
  /** Answers every later `operation` with this AWS error (HTTP 400). */
  refuse(operation: string, error: { __type: string; message: string }): void;
}

/**
 * A stand-in for SSM Parameter Store on 127.0.0.1, speaking its JSON protocol (awsJson1_1,
 * `X-Amz-Target: AmazonSSM.<Operation>`) for GetParameter and GetParameters. `parameters` is live:
 * change a value and the next call sees it. Reach it through `AWS_ENDPOINT_URL_SSM`.
 */
export async function startSsm(parameters: Map<string, string>): Promise<FakeSsm> {
  const calls: SsmCall[] = [];
  const held = new Map<string, { waiting: (() => void)[]; released: boolean }>();
  const refusals = new Map<string, { __type: string; message: string }>();
  const server = await startLoopback((request, response, body) => {
    const operation = String(request.headers["x-amz-target"] ?? "").replace(/^AmazonSSM\./, "");
    const gate = held.get(operation);
    if (gate && !gate.released) gate.waiting.push(() => answer(request, response, body));
    else answer(request, response, body);
  });

  function answer(request: IncomingMessage, response: ServerResponse, body: string) {
    const operation = String(request.headers["x-amz-target"] ?? "").replace(/^AmazonSSM\./, "");
    const input = JSON.parse(body || "{}") as { Name?: string; Names?: string[]; WithDecryption?: boolean };
    const names = input.Names ?? (input.Name === undefined ? [] : [input.Name]);
    calls.push({ operation, names, withDecryption: input.WithDecryption === true });
    const reply = (status: number, payload: unknown) =>
      void response.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(payload));
    const refusal = refusals.get(operation);
    if (refusal) return reply(400, refusal);
    const parameter = (name: string) => ({
      Name: name,
      Type: "SecureString",
      Value: parameters.get(name),
      Version: 1,
      ARN: `arn:aws:ssm:eu-west-1:000000000000:parameter${name}`,
    });
    if (operation === "GetParameter") {
      const name = input.Name ?? "";
      if (!parameters.has(name)) return reply(400, { __type: "ParameterNotFound", message: "" });
      return reply(200, { Parameter: parameter(name) });
    }
    if (operation === "GetParameters") {
      if (names.length > 10) {
        // What SSM answers when asked for more than ten names.
        return reply(400, { __type: "ValidationException", message: "Member must have length less than or equal to 10" });
      }
      return reply(200, {
        Parameters: names.filter((n) => parameters.has(n)).map(parameter),
        InvalidParameters: names.filter((n) => !parameters.has(n)),
      });
    }
    return reply(400, { __type: "UnknownOperationException", message: operation });
  }

  return {
    ...server,
    calls,
    parameters,
    hold(operation) {
      const gate = { waiting: [] as (() => void)[], released: false };
      held.set(operation, gate);
      return {
        count: () => gate.waiting.length,
        release() {
          gate.released = true;
          for (const reply of gate.waiting.splice(0)) reply();
        },
      };
    },
    refuse(operation, error) {
      refusals.set(operation, error);
    },
  };
}

/** Points the AWS SDK at a loopback endpoint with dummy credentials (restored by `unstubEnvs`). */
export function stubAwsEnvironment(stub: (name: string, value: string) => void, ssmUrl: string): void {
  stub("AWS_ENDPOINT_URL_SSM", ssmUrl);
  stub("AWS_REGION", "eu-west-1");
  stub("AWS_ACCESS_KEY_ID", "AKIDLOOPBACK");
  stub("AWS_SECRET_ACCESS_KEY", "loopback-secret");
  stub("AWS_SESSION_TOKEN", "");
}
