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
