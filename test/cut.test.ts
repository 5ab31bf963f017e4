import { describe, expect, it } from "vitest";
import { Warnings } from "../src/calendar/warnings.ts";
import { cutForLog, cutText } from "../src/cut.ts";
import { truncate } from "../src/slack/message.ts";

describe("cutting text", () => {
  it("never leaves half of an emoji at the cut", () => {
    // Prepare: the emoji's two halves on either side of the cut
    const title = `${"a".repeat(148)}😀b`;

    // Act
    const cut = cutText(title, 149);
    const shown = truncate(title, 150);

    // Assess
    expect(cut).toBe(`${"a".repeat(148)}…`);
    expect(shown).toBe(`${"a".repeat(148)}…`);
    expect(shown).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(cutText("short", 10)).toBe("short");
  });

  it("drops a token that crosses the cut of a logged text whole, so no half of a secret is logged", () => {
    // Prepare: a feed's own text holding its private address, as a warning names it
    const secret = "private-0123456789abcdef0123456789abcdef";
    const text = `${"x".repeat(225)} https://calendar.google.com/calendar/ical/team/${secret}/basic.ics`;
    const warnings = new Warnings();

    // Act
    warnings.add(text);
    const [logged] = warnings.list();

    // Assess: cut where the token starts, not inside it
    expect(logged).toMatch(/\/ical\/team\/…$/);
    expect(logged).not.toContain("private-");
    expect(cutForLog(`${"y".repeat(400)}`, 300)).toBe(`${"y".repeat(300)}…`);
  });
});
