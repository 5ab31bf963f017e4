import type { Span, Tracer } from "../tracing/tracer.ts";
import type { SecretRedactor } from "./redact.ts";

/**
 * A tracer that passes every annotation, metadata value and recorded error through `redactor`
 * before the tracer underneath sees it, so no secret reaches a trace whatever a stage records.
 */
export function redactingTracer(tracer: Tracer, redactor: SecretRedactor): Tracer {
  const wrap = (span: Span): Span => ({
    annotate: (key, value) => span.annotate(key, typeof value === "string" ? redactor.redact(value) : value),
    metadata: (key, value) => span.metadata(key, redactor.redactDeep(value)),
    fail: (error) => span.fail(redactor.redactError(error)),
  });
  return {
    span: (name, work) =>
      tracer.span(redactor.redact(name), async (span) => {
        try {
          return await work(wrap(span));
        } catch (error) {
          // The tracer underneath records the error it catches. Redacted in place rather than
          // copied, so the caller still branches on its class and keeps its `cause`.
          if (error instanceof Error) {
            try {
              error.message = redactor.redact(error.message);
              if (error.stack) error.stack = redactor.redact(error.stack);
            } catch {
              // A frozen error, or one whose message is a getter (DOMException), cannot be redacted
              // in place: a redacted copy goes on, of the same name, the error itself as its cause.
              throw Object.assign(redactor.redactError(error), { cause: error });
            }
          }
          throw error;
        }
      }),
  };
}
