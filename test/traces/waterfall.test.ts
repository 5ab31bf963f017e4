import { describe, expect, it } from "vitest";
import { rowsOf, ticks, waterfallSvg } from "../../src/traces/waterfall.ts";
import { traceNode } from "../support/trace-node.ts";

const node = traceNode;

/** A run starting at t = 100 s: two feeds, two posts to one webhook, the second paced. */
const run = (name: string, wall: number) =>
  node(`strategy:${name}`, 100, 100 + wall, [
    node("fetch:a", 100, 100 + wall * 0.3),
    node("parse:a", 100 + wall * 0.3, 100 + wall * 0.35),
    node("fetch:b", 100, 100 + wall * 0.5),
    node("notify:team", 100 + wall * 0.4, 100 + wall * 0.45),
    node("notify:team", 100 + wall * 0.9, 100 + wall),
  ]);

describe("ticks", () => {
  it.each([
    [14.521, [0, 2, 4, 6, 8, 10, 12, 14]],
    [0.967, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]],
    [3, [0, 0.5, 1, 1.5, 2, 2.5, 3]],
  ])("puts round values on an axis of %f s", (seconds, expected) => {
    expect(ticks(seconds)).toEqual(expected);
  });
});

describe("rowsOf", () => {
  it("gives each post its own row, so a paced post shows its wait", () => {
    expect(rowsOf(run("pipelined", 1)).map((r) => [r.label, r.spans.length])).toEqual([
      ["a", 2],
      ["b", 1],
      ["→ team post 1", 1],
      ["→ team post 2", 1],
    ]);
  });
});

describe("waterfallSvg", () => {
  it("says when runs are drawn on time axes of their own, and draws their wall times on one scale", () => {
    // Act
    const svg = waterfallSvg([run("serial", 14), run("pipelined", 0.9)], "compare");

    // Assess
    expect(svg).toContain("wall time of each run, on one scale");
    expect(svg.match(/time axis of this run only/g)).toHaveLength(2);
    expect(svg).toContain(">notify (one row per post)<");
    expect(svg).toContain(">failed<");
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 1100 \d+" width="100%"/);
  });

  it("shares one time axis between runs of similar length", () => {
    // Act
    const svg = waterfallSvg([run("serial", 1.2), run("pipelined", 1)], "compare");

    // Assess
    expect(svg).not.toContain("time axis of this run only");
    expect(svg.match(/time axis shared by every run below/g)).toHaveLength(2);
  });
});
