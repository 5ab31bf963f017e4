import { describe, expect, it } from "vitest";
import { configOf } from "../../src/config/schema.ts";
import { buildAgenda } from "../../src/digests/agenda.ts";
import { digestsOf } from "../../src/digests/digest.ts";
import { MAX_MESSAGE_CHARS, renderDigest } from "../../src/digests/message.ts";
import { dueDigests } from "../../src/digests/schedule.ts";
import { MAX_BLOCKS, MAX_TEXT } from "../../src/slack/message.ts";
import { occurrence } from "../support/builders.ts";

describe("a long week", () => {
  it("splits into messages within Slack's limits, measured after escaping, every event present once", () => {
    // Prepare: 420 events in one week, titles and locations full of characters that escaping lengthens
    const config = configOf({
      timezone: "Europe/Berlin",
      webhooks: { team: "http://127.0.0.1:9/services/T/B/secret" },
      feeds: [{ id: "busy", name: "Busy & <loud>", url: "http://127.0.0.1:9/b.ics", webhook: "team" }],
      digests: [{ webhook: "team", weekly: "MO 08:00" }],
    });
    const [feed] = config.feeds;
    const [due] = dueDigests(digestsOf(config, config.feeds), {
      from: new Date("2026-03-23T07:00:00Z"),
      to: new Date("2026-03-23T07:05:00Z"),
    });
    const occurrences = Array.from({ length: 420 }, (_, i) =>
      occurrence({
        uid: `event-${i}@busy`,
        summary: `Event ${i} ${"<&>".repeat(60)}`,
        location: "&".repeat(150),
        start: new Date(Date.parse("2026-03-23T08:00:00Z") + i * 20 * 60_000),
        // Ten minutes on a twenty-minute grid: none runs past midnight into a second day.
        end: new Date(Date.parse("2026-03-23T08:10:00Z") + i * 20 * 60_000),
        url: `https://zoom.us/j/${i}?pwd=${"a&b".repeat(50)}`,
      }),
    );

    // Act
    const messages = renderDigest(buildAgenda(due!, [{ feed: feed!, occurrences }]));

    // Assess
    expect(messages.length).toBeGreaterThan(5);
    for (const [index, message] of messages.entries()) {
      expect(message.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
      expect(message.text.length).toBeLessThanOrEqual(MAX_TEXT);
      let chars = 0;
      for (const block of message.blocks as { type: string; text?: { text: string } }[]) {
        const text = block.text?.text ?? "";
        chars += text.length;
        if (block.type === "section") expect(text.length).toBeLessThanOrEqual(MAX_TEXT);
        if (block.type === "header") expect(text.length).toBeLessThanOrEqual(150);
      }
      expect(chars).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
      expect(message.blocks[0]).toMatchObject({
        type: "header",
        text: { text: expect.stringMatching(index === 0 ? /^This week · Mar 23 – Mar 29$/ : /\(continued\)$/) },
      });
    }
    const all = messages.flatMap((m) => JSON.stringify(m.blocks).match(/\*Event \d+ /g) ?? []);
    expect(all).toHaveLength(420);
    expect(new Set(all).size).toBe(420);
    expect(JSON.stringify(messages)).not.toContain("<&>");
    expect(JSON.stringify(messages)).toContain("&lt;&amp;&gt;");
  });
});
