/** What a unit of work records about itself while it runs. */
export interface Span {
  /** Indexed key/value, searchable in X-Ray (`annotation.strategy = "serial"`). */
  annotate(key: string, value: string | number | boolean): void;
  /** Free-form detail shown with the span (bytes, events, HTTP status). */
  metadata(key: string, value: unknown): void;
  /** Marks the span as failed without throwing (the work carried on). */
  fail(error: unknown): void;
}

/**
 * The one interface the product traces through. X-Ray implements it today; an OpenTelemetry exporter
 * can take its place without touching the strategies.
 */
export interface Tracer {
  /**
   * Runs `work` inside a span named `name`, nested under the span that is current where it is
   * called. A throw marks the span failed and propagates.
   */
  span<T>(name: string, work: (span: Span) => Promise<T> | T): Promise<T>;
}

/** A span that records nothing: work that runs untraced still gets one to write to. */
export const noSpan: Span = { annotate() {}, metadata() {}, fail() {} };

/** Tracing switched off: costs a function call and never fails a run. */
export const noTracer: Tracer = {
  async span(_name, work) {
    return work(noSpan);
  },
};
