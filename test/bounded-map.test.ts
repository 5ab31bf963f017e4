import { describe, expect, it } from "vitest";
import { BoundedMap } from "../src/bounded-map.ts";

describe("BoundedMap", () => {
  it("forgets everything when a new key would pass its limit, and keeps what it has when a known key is set again", () => {
    // Prepare
    const map = new BoundedMap<string, number>(2);
    map.set("a", 1).set("b", 2);

    // Act
    map.set("b", 3);
    const full = [...map];
    map.set("c", 4);

    // Assess
    expect(full).toEqual([
      ["a", 1],
      ["b", 3],
    ]);
    expect([...map]).toEqual([["c", 4]]);
  });
});

describe("BoundedMap.remember", () => {
  it("computes a value once, undefined included, and within the limit", () => {
    // Prepare
    const map = new BoundedMap<string, number | undefined>(2);
    const computed: string[] = [];
    const compute = (arg: string) => {
      computed.push(arg);
      return arg === "none" ? undefined : arg.length;
    };

    // Act
    const values = [map.remember("ab", compute, "ab"), map.remember("ab", compute, "ab"), map.remember("none", compute, "none")];
    const again = map.remember("none", compute, "none");
    map.remember("xyz", compute, "xyz");

    // Assess
    expect(values).toEqual([2, 2, undefined]);
    expect(again).toBeUndefined();
    expect(computed).toEqual(["ab", "none", "xyz"]);
    expect([...map]).toEqual([["xyz", 3]]);
  });
});
