import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { bundle, bundleWithMetafile, templateBuildProperties } from "../scripts/build.ts";
import { configSchema } from "../src/config/schema.ts";
import { readSettings } from "../src/config/settings.ts";
import { readTemplate } from "./support/template.ts";

const template = readTemplate();
const functions = Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Type === "AWS::Serverless::Function");
const [functionId, fn] = functions[0] ?? [];
const resources = template.Resources as Record<string, any>;
const hasLedgerTable = Object.values(resources).some((r) => r.Type === "AWS::DynamoDB::Table");

/** The metrics contract the run emits in CloudWatch Embedded Metric Format. */
const METRICS = { namespace: "IcalSlackReminder", service: "ical-slack-reminder" };

/**
 * Variables the settings read that the deployed function does not need: `CONFIG_FILE` is for local
 * runs (Lambda reads CONFIG_PARAMETER), `STRATEGY` overrides the configuration by hand,
 * `POWERTOOLS_LOG_LEVEL` is an alias of LOG_LEVEL.
 */
const LOCAL_ONLY = new Set(["CONFIG_FILE", "STRATEGY", "POWERTOOLS_LOG_LEVEL"]);

/** AWS calls each library makes on the code's behalf, when the deployed code imports it. */
const LIBRARY_ACTIONS: Record<string, string[]> = {
  "@aws-lambda-powertools/parameters": ["ssm:GetParameter", "ssm:GetParameters"],
  "@aws-lambda-powertools/idempotency": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
};

/** Document-client commands and the DynamoDB actions they call. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: "GetItem",
  PutCommand: "PutItem",
  UpdateCommand: "UpdateItem",
  DeleteCommand: "DeleteItem",
  QueryCommand: "Query",
  BatchWriteCommand: "BatchWriteItem",
  BatchGetCommand: "BatchGetItem",
  TransactWriteCommand: "TransactWriteItems",
};

const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));

/** The source files bundled into the function: its entry point (src/lambda.ts) and what it imports, transitively. */
function deployedSources(entry = "src/lambda.ts", seen = new Set<string>()): string[] {
  if (seen.has(entry)) return [];
  seen.add(entry);
  const text = readFileSync(entry, "utf8");
  for (const m of text.matchAll(/(?:import|export)[^"']*?from\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    deployedSources(join(dirname(entry), m[1] as string), seen);
  }
  return [...seen];
}

function processEnvReads(): [string, string][] {
  return deployedSources().flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/process\.env(?:\.([A-Z0-9_]+)|\[["']([A-Z0-9_]+)["']\])/g)].map((m): [string, string] => [
      file,
      (m[1] ?? m[2]) as string,
    ]),
  );
}

/** IAM actions of the AWS calls in the deployed code: SDK commands it sends, libraries that call AWS. */
function actionsUsed(): Set<string> {
  const actions = new Set<string>();
  for (const file of deployedSources()) {
    const text = readFileSync(file, "utf8");
    for (const [library, needs] of Object.entries(LIBRARY_ACTIONS)) {
      if (text.includes(`"${library}`)) for (const action of needs) actions.add(action);
    }
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/(client|lib)-([a-z0-9-]+)"/g)) {
      const service = (m[3] as string).replace(/-/g, "");
      for (const name of (m[1] as string).split(",").map((n) => n.trim().replace(/^type\s+/, ""))) {
        const command = /^(\w+)Command$/.exec(name);
        if (!command) continue;
        const operation = m[2] === "lib" ? DOCUMENT_COMMANDS[name] : command[1];
        if (operation) actions.add(`${service}:${operation}`);
      }
    }
  }
  return actions;
}

/** Every policy statement in the template, wherever it sits. */
function allStatements(node: unknown): Record<string, any>[] {
  if (Array.isArray(node)) return node.flatMap(allStatements);
  if (node === null || typeof node !== "object") return [];
  const record = node as Record<string, unknown>;
  const own = Array.isArray(record.Statement) ? (record.Statement as Record<string, any>[]) : [];
  return [...own, ...Object.values(record).flatMap(allStatements)];
}

/** The statements that apply to the function's role: its Policies and policies attached to its role. */
function statementsOfFunction(): Record<string, any>[] {
  const attached = Object.values(resources).filter(
    (r) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties.Roles).includes(`${functionId}Role`),
  );
  return [...allStatements(fn.Properties.Policies), ...allStatements(attached)];
}

describe("template.yaml", () => {
  it("declares one function, on the Node.js 24 runtime that .nvmrc and engines name", () => {
    expect(functions).toHaveLength(1);
    expect(fn.Properties.Runtime).toBe("nodejs24.x");
    expect(readFileSync(".nvmrc", "utf8").trim()).toBe("24");
    expect(JSON.parse(readFileSync("package.json", "utf8")).engines.node).toBe(">=22");
  });

  it("builds src/lambda.ts with esbuild into the module its Handler names", () => {
    // Handler "lambda.handler": esbuild writes the entry point's basename at the artifact root.
    const [file, exported] = String(fn.Properties.Handler).split(".");
    expect(fn.Metadata.BuildMethod).toBe("esbuild");
    expect(fn.Metadata.BuildProperties.EntryPoints).toEqual([`src/${file}.ts`]);
    expect(existsSync(`src/${file}.ts`)).toBe(true);
    expect(readFileSync(`src/${file}.ts`, "utf8")).toMatch(new RegExp(`export const ${exported}: Handler = `));
  });

  it("produces a bundle that loads on its own and exports the handler, without Node.js's own undici, within 1.5 MB", async () => {
    // Prepare
    const out = await mkdtemp(join(tmpdir(), "bundle-"));
    try {
      // Act
      const outputs = await bundle(out);
      const [file] = String(fn.Properties.Handler).split(".");
      const entry = outputs.find((o) => o.endsWith(`${file}.mjs`));

      // Assess
      expect(entry).toBeDefined();
      // The cold-start budget's size (npm run bench:coldstart): a dynamic import of an SDK package,
      // for one, makes esbuild keep all of that package.
      expect(statSync(entry as string).size).toBeLessThanOrEqual(1_500_000);
      // Imported by a Node.js process of its own, as Lambda imports it: not through vitest, whose
      // module loader would read the bundle's source map and look for every file it names.
      // An ESM import of node:http loads Node.js's own undici (its lazy WebSocket export), tens of
      // milliseconds of every cold start for a second HTTP client the function never uses.
      const script =
        `const m = await import(${JSON.stringify(pathToFileURL(entry as string).href)}); ` +
        `process.stdout.write(typeof m.handler + (process.moduleLoadList.includes("NativeModule internal/deps/undici/undici") ? " +undici" : ""));`;
      const run = spawnSync(process.execPath, ["--input-type=module", "--eval", script], {
        encoding: "utf8",
        env: { ...process.env, LOG_LEVEL: "silent" },
      });
      expect(run.stderr).toBe("");
      expect(run.stdout).toBe("function");
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("leaves the trace-analysis tools (src/traces/, the X-Ray API client) out of the bundle", async () => {
    // Prepare
    const out = await mkdtemp(join(tmpdir(), "bundle-"));
    try {
      // Act
      const metafile = await bundleWithMetafile(out);
      const [file] = String(fn.Properties.Handler).split(".");
      const entry = Object.keys(metafile.outputs).find((o) => o.endsWith(`${file}.mjs`));
      const inputs = Object.keys(metafile.outputs[entry as string]?.inputs ?? {});

      // Assess: the runtime's tracing is in, what reads traces back is not
      expect(inputs).toContain("src/tracing/xray.ts");
      expect(inputs.filter((input) => input.startsWith("src/traces/") || input.includes("@aws-sdk/client-xray/"))).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("traces with X-Ray and declares every environment variable the settings read", () => {
    // Prepare: record which variables readSettings asks for
    const asked = new Set<string>();
    readSettings(new Proxy({}, { get: (_, key) => (asked.add(String(key)), undefined) }));
    const declared = Object.keys(fn.Properties.Environment.Variables);

    // Assess
    expect(fn.Properties.Tracing).toBe("Active");
    for (const name of asked) {
      if (LOCAL_ONLY.has(name)) continue;
      if (/^AWS_LAMBDA_/.test(name)) continue; // set by the Lambda runtime itself
      if (name === "LEDGER_TABLE" && !hasLedgerTable) continue;
      expect(declared, `${name} is read by src/config/settings.ts`).toContain(name);
    }
    for (const name of declared) {
      if (name === "NODE_OPTIONS") continue;
      expect([...asked], `${name} is declared in template.yaml`).toContain(name);
    }
  });

  it("declares every process.env variable the deployed code reads outside the settings", () => {
    expect(deployedSources()).toEqual(
      expect.arrayContaining([join("src", "handler.ts"), join("src", "config", "ssm.ts"), join("src", "ledger", "dynamodb.ts")]),
    );
    for (const [file, name] of processEnvReads()) {
      const providedByLambda = /^(AWS_|_X_AMZN_|LAMBDA_)/.test(name);
      expect(providedByLambda || name in fn.Properties.Environment.Variables, `${file} reads ${name}`).toBe(true);
    }
  });

  it("allows the AWS calls the deployed code makes, each on named resources", () => {
    // Prepare
    const allowed = statementsOfFunction().filter((s) => s.Effect === "Allow");

    // Assess
    for (const action of actionsUsed()) {
      const grant = allowed.find((s) => list(s.Action).includes(action));
      expect(grant, `${action} is used by the code`).toBeDefined();
      expect(list(grant?.Resource)).not.toContain("*");
    }
  });

  it("lets the function read its configuration parameter and the secrets under SecretsPath, and nothing else", () => {
    const ssm = statementsOfFunction().find((s) => list(s.Action).includes("ssm:GetParameters"));
    expect(ssm?.Action).toEqual(["ssm:GetParameter", "ssm:GetParameters"]);
    expect(JSON.stringify(ssm?.Resource)).toContain("parameter${ConfigParameterName}");
    expect(JSON.stringify(ssm?.Resource)).toContain("parameter${SecretsPath}/*");
  });

  it("decrypts SecureStrings only with the named key, and only through SSM", () => {
    const policy = resources.DecryptSecretsPolicy;
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect(policy.Condition).toBe("HasSecretsKey");
    expect(policy.Properties.Roles).toEqual([{ Ref: `${functionId}Role` }]);
    expect(statement).toMatchObject({ Effect: "Allow", Action: "kms:Decrypt", Resource: { Ref: "SecretsKeyArn" } });
    expect(statement.Condition.StringEquals["kms:ViaService"]).toEqual({ "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com" });
  });

  it("has no policy statement with a bare wildcard action or resource", () => {
    const statements = allStatements(template);
    expect(statements.length).toBeGreaterThan(1);
    for (const statement of statements) {
      for (const action of list(statement.Action)) expect(action).not.toMatch(/^\*$|:\*$/);
      for (const resource of list(statement.Resource)) expect(resource).not.toBe("*");
    }
  });

  it("retries a failed invocation a bounded number of times, then keeps its event in a queue", () => {
    const config = fn.Properties.EventInvokeConfig;
    expect(config.MaximumRetryAttempts).toEqual({ Ref: "RetryAttempts" });
    expect(template.Parameters.RetryAttempts.MaxValue).toBeLessThanOrEqual(2);
    expect(config.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
    expect(config.DestinationConfig.OnFailure).toEqual({
      Type: "SQS",
      Destination: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] },
    });
    expect(resources.FailedInvocationsQueue.Type).toBe("AWS::SQS::Queue");
  });

  it("alarms on function errors and on failed reminders, as the metrics are emitted", () => {
    // Prepare
    const alarms = Object.values(resources).filter((r) => r.Type === "AWS::CloudWatch::Alarm");
    const on = (namespace: string, metric: string) =>
      alarms.find((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric)?.Properties;

    // Assess
    expect(on("AWS/Lambda", "Errors")).toMatchObject({
      Dimensions: [{ Name: "FunctionName", Value: { Ref: functionId } }],
      Statistic: "Sum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(on(METRICS.namespace, "RemindersFailed")).toMatchObject({
      Dimensions: [{ Name: "service", Value: METRICS.service }],
      Statistic: "Sum",
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: "AlarmTopic" }]);
  });

  it("logs JSON into a log group with a retention", () => {
    expect(fn.Properties.LoggingConfig).toMatchObject({ LogGroup: { Ref: "ReminderLogGroup" }, LogFormat: "JSON" });
    expect(resources.ReminderLogGroup.Properties.RetentionInDays).toEqual({ Ref: "LogRetentionDays" });
  });

  it("sets Lambda's application log level from LogLevel, in the upper case Lambda takes", () => {
    // Prepare
    const level = fn.Properties.LoggingConfig.ApplicationLogLevel;
    const levels = template.Mappings[level["Fn::FindInMap"][0]];

    // Assess
    expect(level).toEqual({ "Fn::FindInMap": ["ApplicationLogLevels", { Ref: "LogLevel" }, "Level"] });
    for (const value of template.Parameters.LogLevel.AllowedValues) {
      expect(levels[value]).toEqual({ Level: String(value).toUpperCase() });
      expect(readSettings({ LOG_LEVEL: value, AWS_LAMBDA_LOG_LEVEL: levels[value].Level }).logLevel).toBe(value);
    }
  });

  it("keeps the ledger when the stack is deleted or the table replaced, and says what happens to every other stateful resource", () => {
    // Prepare: what cfn-lint's I3011 calls stateful
    const stateful = Object.entries(resources).filter(([, r]) =>
      ["AWS::DynamoDB::Table", "AWS::Logs::LogGroup", "AWS::SQS::Queue"].includes(r.Type),
    );

    // Assess
    expect(resources.LedgerTable).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    expect(stateful.length).toBeGreaterThanOrEqual(3);
    for (const [id, r] of stateful) {
      expect(r.DeletionPolicy, id).toMatch(/^(Retain|Delete|Snapshot|RetainExceptOnCreate)$/);
      expect(r.UpdateReplacePolicy, id).toMatch(/^(Retain|Delete|Snapshot)$/);
    }
  });

  it("gives every parameter a default that passes its own constraints, and uses every parameter", () => {
    const text = readFileSync("template.yaml", "utf8");
    for (const [name, parameter] of Object.entries(template.Parameters as Record<string, any>)) {
      expect(parameter.Default, name).toBeDefined();
      if (parameter.AllowedPattern) expect(String(parameter.Default)).toMatch(new RegExp(parameter.AllowedPattern));
      if (parameter.AllowedValues) expect(parameter.AllowedValues).toContain(parameter.Default);
      if (parameter.MinValue !== undefined) expect(parameter.Default).toBeGreaterThanOrEqual(parameter.MinValue);
      if (parameter.MaxValue !== undefined) expect(parameter.Default).toBeLessThanOrEqual(parameter.MaxValue);
      expect(text.match(new RegExp(`!Ref ${name}\\b|\\$\\{${name}\\}`, "g"))?.length ?? 0, name).toBeGreaterThan(0);
    }
    expect(template.Parameters.ParametersMaxAgeSeconds.Default).toBe(readSettings({}).parametersMaxAgeSeconds);
  });

  it("outputs only what it declares, each with a description", () => {
    for (const [name, output] of Object.entries(template.Outputs as Record<string, any>)) {
      expect(output.Description, name).toEqual(expect.any(String));
      const target = output.Value.Ref ?? output.Value["Fn::GetAtt"]?.[0];
      expect(target === `${functionId}Role` || target in resources, `${name} names ${target}`).toBe(true);
    }
  });

  it("schedules the function every ScheduleMinutes, defaulting to the configuration's scheduleMinutes", () => {
    const defaults = configSchema.shape.scheduleMinutes.parse(undefined);
    expect(template.Parameters.ScheduleMinutes.Default).toBe(defaults);
    const schedule = fn.Properties.Events.Schedule;
    // An EventBridge rule (not Scheduler) sends the scheduled `time` the window is computed from.
    expect(schedule.Type).toBe("Schedule");
    expect(schedule.Properties.Input).toBeUndefined();
    expect(schedule.Properties.Schedule["Fn::If"][2]).toEqual({ "Fn::Sub": "rate(${ScheduleMinutes} minutes)" });
    expect(templateBuildProperties().Format).toBe("esm");
  });
});
