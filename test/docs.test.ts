import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

/** The README stays a front door: what it is, the commands, configuration, deploy, architecture. */
const README_MAX_LINES = 320;

/** Folders of the repository whose files the documentation names in `code` spans. */
const REPOSITORY_PATH = /^(?:\.ci|bench|docs|events|scripts|src|test)\/[\w./-]*$/;

/** The README and every page under docs/, as repository-relative paths. */
const PAGES = [
  "README.md",
  ...readdirSync("docs")
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** Markdown text without fenced code blocks, whose links and paths are examples, not references. */
const prose = (markdown: string) => markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");

/**
 * The anchor GitHub gives a heading: its text as rendered (code and emphasis marks and link targets
 * dropped), lower-cased, punctuation removed except `-` and `_`, each space a `-`; a repeated one
 * gets `-1`, `-2`, ….
 */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6} +(.+?) *#* *$/gm)) {
    const text = (heading as string).replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Relative links (`[text](target)`) of a page that lead nowhere: a missing file or heading. */
function brokenLinks(page: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const broken: string[] = [];
  for (const [, target] of prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const link = target as string;
    if (/^[a-z][a-z+.-]*:/i.test(link)) continue;
    const [file = "", anchor] = link.split("#");
    const path = file === "" ? page : normalize(join(dirname(page), decodeURIComponent(file)));
    const text = read(path);
    if (text === undefined) broken.push(`${page}: ${link} (no file ${path})`);
    else if (anchor !== undefined && path.endsWith(".md") && !anchorsOf(text).has(anchor)) {
      broken.push(`${page}: ${link} (no heading #${anchor} in ${path})`);
    }
  }
  return broken;
}

/** Repository paths a page names in `code` spans (`src/run/stages.ts`) that do not exist. */
function missingPaths(page: string, markdown: string, exists: (path: string) => boolean): string[] {
  return [...prose(markdown).matchAll(/`([^`\n]+)`/g)]
    .map(([, span]) => span as string)
    .filter((span) => REPOSITORY_PATH.test(span) && !exists(span))
    .map((span) => `${page}: ${span}`);
}

/** A file's text, or undefined when there is none (a folder counts as there, with no headings). */
function readRepositoryFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

describe("the README and docs/", () => {
  it("keeps the README a front door of at most 320 lines", () => {
    expect(readFileSync("README.md", "utf8").trimEnd().split("\n").length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it("links every page under docs/ from the README", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(PAGES.filter((page) => page !== "README.md" && !readme.includes(`](${page})`))).toEqual([]);
  });

  it("has no relative link to a missing file or heading", () => {
    // Assess: the pages are read, and hold links to check
    expect(PAGES.length).toBeGreaterThan(5);
    const links = PAGES.flatMap((page) => [...prose(readFileSync(page, "utf8")).matchAll(/\]\((?!https?:)[^)]+\)/g)]);
    expect(links.length).toBeGreaterThan(20);
    expect(PAGES.flatMap((page) => brokenLinks(page, readFileSync(page, "utf8"), readRepositoryFile))).toEqual([]);
  });

  it("names only files and folders of the repository that exist", () => {
    expect(PAGES.flatMap((page) => missingPaths(page, readFileSync(page, "utf8"), existsSync))).toEqual([]);
  });

  it("would catch a link to a missing page or heading, and a path that does not exist", () => {
    // Prepare: a page beside a second one, as README.md sits beside docs/
    const files: Record<string, string> = {
      "docs/b.md": "# B\n\n## `npm run -s bench:scale`\n\n## Exactly once: the ledger\n\n## Exactly once: the ledger\n",
    };
    const page = [
      "[fine](docs/b.md#npm-run--s-benchscale) [fine](docs/b.md#exactly-once-the-ledger-1) [web](https://example.com/x)",
      "[gone](docs/c.md) [no heading](docs/b.md#deadline) [self](#nowhere)",
      "`src/there.ts` `src/gone.ts` `npm run -s bench:scale` `../elsewhere/x.ts`",
      "```sh\n[example](docs/none.md) `src/none.ts`\n```",
    ].join("\n");
    const read = (path: string) => (path === "README.md" ? page : files[path]);

    // Act / Assess
    expect(brokenLinks("README.md", page, read)).toEqual([
      "README.md: docs/c.md (no file docs/c.md)",
      "README.md: docs/b.md#deadline (no heading #deadline in docs/b.md)",
      "README.md: #nowhere (no heading #nowhere in README.md)",
    ]);
    expect(missingPaths("README.md", page, (path) => path === "src/there.ts")).toEqual(["README.md: src/gone.ts"]);
  });
});
