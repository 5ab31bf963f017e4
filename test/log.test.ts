import { describe, expect, it } from "vitest";
import { createLogger, MAX_LOG_LINE } from "../src/log.ts";
import { SecretRedactor } from "../src/secrets/redact.ts";

const webhook = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstuvwx";
const feed = "https://calendar.example.com/private-0123456789abcdef/basic.ics";

describe("createLogger", () => {
  it("writes no known secret, even one inside a library's error and its cause", () => {
    // Prepare: an error shaped like undici's, quoting the URL it failed on
    const lines: string[] = [];
    const redactor = new SecretRedactor();
    redactor.use([webhook, feed]);
    const log = createLogger("debug", redactor.redact, { write: (line: string) => void lines.push(line) });
    const cause = Object.assign(new Error(`getaddrinfo ENOTFOUND for ${feed}`), { code: "ENOTFOUND" });
    const error = new TypeError(`fetch failed: ${webhook}`, { cause });

    // Act
    log.error({ err: error, feed: "platform", url: feed }, `delivery to ${webhook} failed`);

    // Assess
    expect(lines).toHaveLength(1);
    const text = lines.join("");
    expect(text).not.toMatch(/abcdefghijklmnopqrstuvwx|0123456789abcdef|T0123ABCD/);
    expect(JSON.parse(text)).toMatchObject({ level: "error", feed: "platform", url: "https://calendar.example.com/[redacted]" });
  });

  it("writes lines unchanged when it has nothing to redact", () => {
    const lines: string[] = [];
    const log = createLogger("info", new SecretRedactor().redact, { write: (line: string) => void lines.push(line) });
    log.info({ feed: "platform" }, `fetched ${feed}`);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ message: `fetched ${feed}` });
  });
});

describe("log line size", () => {
  it("cuts a line that quotes a 10 MB calendar line to a few KB, keeping what it is about", () => {
    // Prepare
    const lines: string[] = [];
    const log = createLogger("info", undefined, { write: (line: string) => void lines.push(line) });

    // Act
    log.warn({ feed: "huge" }, `line 1 is not a property: ${"X".repeat(10 * 1024 * 1024)}`);
    log.warn({ feed: "many", fields: Array.from({ length: 2_000 }, (_, i) => `field ${i}`) }, "many fields");

    // Assess
    expect(lines.every((line) => line.length <= MAX_LOG_LINE)).toBe(true);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "warn",
      feed: "huge",
      message: expect.stringMatching(/^line 1 is not a property: X+… \(\d+ more characters cut\)$/),
    });
    expect(JSON.parse(lines[1] ?? "")).toMatchObject({ level: "warn", message: "many fields", truncated: expect.any(Number) });
  });
});
