import { describe, expect, it } from "vitest";
import { builtOnFirstCall } from "../../src/ledger/deferred.ts";

interface Store {
  get(key: string): Promise<string>;
  put(key: string, value: string): Promise<void>;
}

function mapStore(): Store {
  const values = new Map<string, string>();
  return {
    get: async (key) => values.get(key) ?? "",
    put: async (key, value) => {
      values.set(key, value);
    },
  };
}

describe("builtOnFirstCall", () => {
  it("builds nothing until a method is called, then builds once and hands every call to what it built", async () => {
    // Prepare
    let builds = 0;
    const store = builtOnFirstCall(
      async () => {
        builds++;
        return mapStore();
      },
      { get: true, put: true },
    );

    // Act
    const before = builds;
    await Promise.all([store.put("a", "1"), store.put("b", "2")]);
    const read = await store.get("b");

    // Assess
    expect(before).toBe(0);
    expect(builds).toBe(1);
    expect(read).toBe("2");
  });

  it("passes a failed build to the call that asked, and builds again on the next call", async () => {
    // Prepare
    let builds = 0;
    const store = builtOnFirstCall(
      async () => {
        builds++;
        if (builds === 1) throw new Error("module not loaded");
        return mapStore();
      },
      { get: true, put: true },
    );

    // Act
    const failure = await store.get("a").catch((error: unknown) => error);
    await store.put("a", "1");

    // Assess
    expect(failure).toEqual(new Error("module not loaded"));
    expect(await store.get("a")).toBe("1");
    expect(builds).toBe(2);
  });
});
