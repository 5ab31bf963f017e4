import { describe, expect, it } from "vitest";
import { comparisonTable, figuresOf } from "../../src/traces/figures.ts";
import { traceNode } from "../support/trace-node.ts";

const span = traceNode;

describe("figures of a run", () => {
  it("bounds a run by its slowest feed's fetch and parse plus its quickest post", () => {
    // Prepare: feed a takes 0.3 + 0.05 s, feed b 0.1 + 0.02 s; posts take 0.1 and 0.15 s
    const run = span(
      "strategy:pipelined",
      0,
      0.5,
      [
        span("fetch:a", 0, 0.3),
        span("fetch:b", 0, 0.1),
        span("parse:b", 0.1, 0.12),
        span("notify:team", 0.12, 0.27),
        span("parse:a", 0.3, 0.35),
        span("notify:ops", 0.35, 0.45, [], { error: true, fault: true }),
      ],
      { annotations: { strategy: "pipelined", feeds: 2, reminders: 3 } },
    );

    // Act
    const figures = figuresOf(run);

    // Assess
    expect(figures).toMatchObject({ strategy: "pipelined", feeds: 2, reminders: 3, failed: ["notify:ops"] });
    expect(figures.wallMs).toBeCloseTo(500);
    expect(figures.fetchSumMs).toBeCloseTo(400);
    expect(figures.boundMs).toBeCloseTo(450);
  });

  it("prints a row per run and the speed-up of the median pipelined run over the median serial one", () => {
    // Prepare
    const run = (strategy: string, wall: number) =>
      figuresOf(span(`strategy:${strategy}`, 0, wall, [span("fetch:a", 0, 0.2)], { annotations: { strategy, feeds: 1, reminders: 0 } }));

    // Act
    const table = comparisonTable([run("serial", 4), run("serial", 6), run("pipelined", 0.5), run("serial", 5)]);

    // Assess
    expect(table.split("\n")[0]).toMatch(/^strategy\s+feeds\s+reminders\s+wall\s+Σ fetch\s+bound\s+wall ÷ bound\s+failed spans$/);
    expect(table).toMatch(/^pipelined\s+1\s+0\s+0\.500 s\s+0\.200 s\s+0\.200 s\s+2\.50×\s+0$/m);
    expect(table).toContain("speed-up, serial ÷ pipelined wall time: 10.00×");
  });
});
