import { describe, expect, it } from "vitest";
import { packNotices, type ShownNotice } from "../../src/notices/message.ts";
import { MAX_BLOCKS, MAX_TEXT } from "../../src/slack/message.ts";
import { mrkdwnObjects } from "../support/slack-text.ts";

const entry = (iso: string, t: string, minutes = 60) => {
  const s = Date.parse(iso);
  return { s, e: s + minutes * 60_000, t, th: t.slice(0, 8) };
};
const notice = (overrides: Partial<ShownNotice>): ShownNotice => ({
  id: "notice#team#k#moved",
  feedId: "team",
  key: "k",
  afterKey: "k",
  kinds: ["moved"],
  before: entry("2026-03-10T13:00:00Z", "Design review"),
  after: entry("2026-03-12T09:00:00Z", "Design review"),
  feedName: "Team",
  timezone: "Europe/Berlin",
  webhook: "team",
  ...overrides,
});

describe("packNotices", () => {
  it("says where a moved event went, in date tokens, and in the feed's zone in the fallback", () => {
    // Act
    const [packed] = packNotices([notice({})]);

    // Assess
    expect(packed?.message.text).toBe(
      "Calendar change: Design review moved from Tue, Mar 10, 14:00 GMT+1 to Thu, Mar 12, 10:00 GMT+1 (Europe/Berlin)",
    );
    expect(JSON.stringify(packed?.message.blocks)).toContain("<!date^1773147600^{date_short_pretty} at {time}|Tue, Mar 10, 14:00 GMT+1>");
  });

  it("escapes calendar text so that no mention or link can be injected", () => {
    // Act
    const [packed] = packNotices([
      notice({
        kinds: ["cancelled"],
        after: undefined,
        before: entry("2026-03-13T15:00:00Z", "<!channel> demo & <https://evil.example|click>"),
      }),
    ]);

    // Assess
    const text = JSON.stringify(packed?.message);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://evil");
    expect(text).toContain("&lt;!channel&gt; demo &amp; &lt;https://evil.example|click&gt;");
  });

  it("writes every text verbatim, so Slack links no URL or channel name and parses no mention of the calendar's", () => {
    // Act
    const [packed] = packNotices([
      notice({ feedName: "Ops #alerts", after: entry("2026-03-12T09:00:00Z", "Ask @here at https://evil.example") }),
    ]);

    // Assess
    const texts = mrkdwnObjects(packed?.message.blocks);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    for (const text of texts) expect(text).toMatchObject({ verbatim: true });
  });

  it("neutralises a title's own formatting characters, so it cannot end the bold early or fake its own", () => {
    // Act
    const [packed] = packNotices([
      notice({ kinds: ["added"], before: undefined, after: entry("2026-03-13T15:00:00Z", "Sync* `CANCELLED` *ALL HANDS _now_ ~x~") }),
    ]);

    // Assess
    const line = JSON.stringify(packed?.message.blocks[0] ?? {}).match(/"text":"(:new: [^"]*)"/)?.[1] ?? "";
    expect(line.match(/^:new: (.*) on <!date\^/)?.[1]).toBe("*Sync∗ ˋCANCELLEDˋ ∗ALL HANDS ˍnowˍ ∼x∼*");
  });

  it("splits many notices into messages within Slack's limits, keeping each notice once", () => {
    // Prepare
    const many = Array.from({ length: 60 }, (_, i) =>
      notice({ id: `n${i}`, kinds: ["added"], before: undefined, after: entry("2026-03-11T10:00:00Z", `Event ${i} ${"x".repeat(150)}`) }),
    );

    // Act
    const packed = packNotices(many);

    // Assess
    expect(packed.length).toBeGreaterThan(1);
    expect(packed.flatMap((p) => p.notices.map((n) => n.id))).toEqual(many.map((n) => n.id));
    for (const { message } of packed) {
      expect(message.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
      expect(message.text.length).toBeLessThanOrEqual(MAX_TEXT);
    }
  });
});
