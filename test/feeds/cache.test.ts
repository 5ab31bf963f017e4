import { describe, expect, it } from "vitest";
import { parseCalendar } from "../../src/calendar/expand.ts";
import { type CachedFeed, FeedCache } from "../../src/feeds/cache.ts";

const calendar = parseCalendar("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n");
const entry = (bytes: number): CachedFeed => ({ etag: '"v1"', lastModified: undefined, calendar, bytes });

describe("FeedCache", () => {
  it("forgets the least recently used feed once it holds more feeds than its limit", () => {
    // Prepare
    const cache = new FeedCache(2);
    cache.set("a", entry(10));
    cache.set("b", entry(10));
    cache.get("a");

    // Act
    cache.set("c", entry(10));

    // Assess
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.bytes).toBe(20);
  });

  it("forgets the least recently used feeds once their calendars pass the byte budget", () => {
    // Prepare
    const cache = new FeedCache(100, 1000);
    cache.set("a", entry(400));
    cache.set("b", entry(400));

    // Act
    cache.set("c", entry(400));

    // Assess
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(800);
  });

  it("does not keep a feed larger than the whole budget, nor an older version of it", () => {
    // Prepare
    const cache = new FeedCache(100, 1000);
    cache.set("big", entry(500));

    // Act
    cache.set("big", entry(1500));

    // Assess
    expect(cache.get("big")).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
