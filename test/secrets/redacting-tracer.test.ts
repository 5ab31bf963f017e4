import { describe, expect, it } from "vitest";
import { SlackDeliveryError } from "../../src/errors.ts";
import { SecretRedactor } from "../../src/secrets/redact.ts";
import { redactingTracer } from "../../src/secrets/redacting-tracer.ts";
import type { Tracer } from "../../src/tracing/tracer.ts";

const feed = "https://calendar.example.com/private-0123456789abcdef/basic.ics";

/** A tracer that records everything it is handed, as X-Ray would store it. */
function recordingTracer(): Tracer & { recorded: unknown[] } {
  const recorded: unknown[] = [];
  return {
    recorded,
    async span(name, work) {
      recorded.push(name);
      try {
        return await work({
          annotate: (key, value) => void recorded.push({ key, value }),
          metadata: (key, value) => void recorded.push({ key, value }),
          fail: (error) => void recorded.push((error as Error).message),
        });
      } catch (error) {
        recorded.push((error as Error).message);
        throw error;
      }
    },
  };
}

class FeedTrouble extends Error {}

describe("redactingTracer", () => {
  it("hands the tracer underneath no secret in annotations, metadata or errors", async () => {
    // Prepare
    const inner = recordingTracer();
    const redactor = new SecretRedactor();
    redactor.use([feed]);
    const tracer = redactingTracer(inner, redactor);

    // Act
    const thrown = await tracer
      .span("fetch:platform", async (span) => {
        span.annotate("url", feed);
        span.metadata("request", { url: feed, attempts: [feed] });
        span.fail(new Error(`first try on ${feed} failed`));
        throw new FeedTrouble(`gave up on ${feed}`, { cause: new Error("socket hang up") });
      })
      .catch((e: unknown) => e);

    // Assess
    expect(JSON.stringify(inner.recorded)).not.toContain("0123456789abcdef");
    expect(JSON.stringify(inner.recorded)).toContain("calendar.example.com");
    expect(thrown).toBeInstanceOf(FeedTrouble);
    expect((thrown as Error).cause).toBeInstanceOf(Error);
  });
});

describe("redactingTracer and failures", () => {
  it("hands on a redacted copy of an error it cannot redact in place (a frozen one), the error as its cause", async () => {
    // Prepare
    const inner = recordingTracer();
    const redactor = new SecretRedactor();
    redactor.use([feed]);
    const tracer = redactingTracer(inner, redactor);
    const frozen = Object.freeze(new Error(`could not read ${feed}`));

    // Act
    const thrown = await tracer
      .span("fetch:platform", () => {
        throw frozen;
      })
      .catch((error: unknown) => error as Error);

    // Assess
    expect(thrown.message).toBe("could not read https://calendar.example.com/[redacted]");
    expect(thrown.cause).toBe(frozen);
    expect(JSON.stringify(inner.recorded)).not.toContain("0123456789abcdef");
  });

  it("keeps the HTTP status of an error a span fails with, so X-Ray can flag a throttle", async () => {
    // Prepare
    const failed: unknown[] = [];
    const inner: Tracer = {
      span: async (_name, work) => work({ annotate() {}, metadata() {}, fail: (error) => failed.push(error) }),
    };
    const tracer = redactingTracer(inner, new SecretRedactor());

    // Act
    await tracer.span("notify:team", (span) => span.fail(new SlackDeliveryError("team", "rate-limited", { status: 429, transient: true })));

    // Assess
    expect((failed[0] as { status?: number }).status).toBe(429);
  });
});
