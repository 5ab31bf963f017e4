import type { SSMClient } from "@aws-sdk/client-ssm";
import pMap from "p-map";
import { ConfigError } from "../errors.ts";
import { loadOnce } from "../load-once.ts";
import type { SecretResolver } from "./load.ts";

/** Powertools' SSM provider, in a module an entry point loads its own way (see `AwsModules` in src/handler.ts). */
export type SsmModule = typeof import("./ssm-provider.ts");

/** GetParameters accepts at most ten names per call (SSM API reference, GetParameters). */
export const MAX_NAMES_PER_CALL = 10;

/**
 * GetParameters calls in flight at once. SSM's default throughput is 40 transactions per second
 * for the account and region, shared with every other reader; four concurrent batches (40
 * secrets) fetch a large configuration in one round trip without eating that budget, and the
 * SDK's standard retry mode backs off if SSM throttles anyway.
 */
export const DEFAULT_BATCHES_IN_FLIGHT = 4;

/** How long a value read from SSM is reused by later (warm) invocations: five minutes. */
export const DEFAULT_MAX_AGE_SECONDS = 300;

export interface ParameterStoreOptions {
  /** The SSM client; by default one built from the environment (`AWS_REGION`, `AWS_ENDPOINT_URL_SSM`). */
  client?: SSMClient;
  /** Seconds a value is cached; 0 reads SSM on every call. */
  maxAgeSeconds?: number;
  /** GetParameters calls in flight at once. */
  batchesInFlight?: number;
}

/** Decrypted values from SSM Parameter Store, cached for `maxAgeSeconds`. */
export interface ParameterStore {
  /**
   * One parameter's value (a SecureString is decrypted). `field` names the setting that pointed
   * at it, for the error message.
   *
   * @throws ConfigError when the parameter does not exist or cannot be read.
   */
  getParameter(name: string, field: string): Promise<string>;
  /**
   * Resolves many names with GetParameters, at most ten per call, several calls at once. Names
   * SSM does not know are left out of the map, so the caller can name the field that used them.
   *
   * @throws ConfigError when SSM refuses a batch (permissions, KMS, throttling after retries).
   */
  resolveSecrets: SecretResolver;
}

/**
 * SSM's error text, made safe to quote. It is shown before the configuration (and so the redactor's
 * list of secrets) is known, and a message may echo what was sent: a value, a URL, a token. URLs
 * and token-like runs are replaced, ARNs keep their resource type only, and the text is cut short.
 */
export function redactSsmText(text: string): string {
  const cleaned = text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, "[redacted URL]")
    .replace(/\barn:aws[a-z-]*:([a-z0-9-]+):[^\s,;]*/gi, "arn:aws:$1:[redacted]")
    .replace(/[A-Za-z0-9+/=_-]{24,}/g, "[redacted]");
  return cleaned.length > 300 ? `${cleaned.slice(0, 299)}…` : cleaned;
}

function describeSsmFailure(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const name = (cause as Error).name ?? "Error";
  const message = redactSsmText((cause as Error).message ?? String(cause));
  const hint =
    name === "AccessDeniedException"
      ? "; allow ssm:GetParameter and ssm:GetParameters on it (template.yaml, SecretsPath)"
      : /KMS/i.test(name) || /KMS/.test(message)
        ? "; allow kms:Decrypt with the key that encrypts it (template.yaml, SecretsKeyArn)"
        : /Credentials|Region|ENOTFOUND|ECONNREFUSED|UnknownEndpoint/i.test(`${name} ${message}`)
          ? "; SSM cannot be reached from here: set AWS_REGION and credentials (or AWS_ENDPOINT_URL_SSM), or, for a local run, write the values in the file instead of ssm:/ references"
          : "";
  return `${name}: ${message}${hint}`;
}

/**
 * Builds the parameter store on Powertools Parameters' `SSMProvider`, which owns the cache (per
 * parameter, with an expiry) and the GetParameters calls. What it adds: batches run concurrently
 * (Powertools fetches them one after another), and SSM's answers become `ConfigError`s. The
 * provider is made from the module `load` gives when the first name is asked for: a configuration
 * with no `ssm:/` reference, read from a file, never asks for it.
 */
export function createParameterStore(load: () => Promise<SsmModule>, options: ParameterStoreOptions = {}): ParameterStore {
  const providerOf = loadOnce(async () => (await load()).newSsmProvider(options.client));
  const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const inFlight = options.batchesInFlight ?? DEFAULT_BATCHES_IN_FLIGHT;
  return {
    async getParameter(name, field) {
      try {
        const value = await (await providerOf()).get(name, { decrypt: true, maxAge, throwOnMissing: true });
        if (typeof value !== "string") throw new Error(`parameter ${name} has no value`);
        return value;
      } catch (error) {
        if ((error as Error).name === "ParameterNotFoundError") {
          throw new ConfigError(field, `SSM parameter ${name} does not exist; create it (README, "Deploy") or fix ${field}`, {
            cause: error,
          });
        }
        throw new ConfigError(field, `cannot read SSM parameter ${name} (${describeSsmFailure(error)})`, { cause: error });
      }
    },

    async resolveSecrets(names) {
      const batches: string[][] = [];
      for (let i = 0; i < names.length; i += MAX_NAMES_PER_CALL) {
        batches.push(names.slice(i, i + MAX_NAMES_PER_CALL));
      }
      const values = new Map<string, string>();
      await pMap(
        batches,
        async (batch) => {
          let answer: Record<string, unknown>;
          try {
            answer = await (await providerOf()).getParametersByName<string>(Object.fromEntries(batch.map((name) => [name, {}])), {
              decrypt: true,
              maxAge,
              throwOnError: false,
            });
          } catch (error) {
            throw new ConfigError("", `cannot read SSM parameters ${batch.join(", ")} (${describeSsmFailure(error)})`, {
              cause: error,
            });
          }
          for (const name of batch) {
            const value = answer[name];
            if (typeof value === "string") values.set(name, value);
          }
        },
        { concurrency: inFlight },
      );
      return values;
    },
  };
}
