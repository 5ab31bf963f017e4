import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** No function of src/ is longer than this, from the line it starts on to the line it ends on. */
const MAX_LINES = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every function-like node with a body (declarations, expressions, arrows, methods, accessors) longer than `max` lines, as `file:line name (n lines)`. */
function longFunctions(file: string, text: string, max: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const nameOf = (node: ts.SignatureDeclaration): string => {
    if (node.name) return node.name.getText(source);
    const parent = node.parent;
    if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText(source);
    return "(anonymous)";
  };
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = lineOf(node.getStart(source));
      const lines = lineOf(node.end) - first + 1;
      if (lines > max) found.push(`${file}:${first} ${nameOf(node)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("function length", () => {
  it(`finds no function in src/ longer than ${MAX_LINES} lines`, () => {
    const long = sourceFiles("src").flatMap((file) => longFunctions(file, readFileSync(file, "utf8"), MAX_LINES));
    expect(long).toEqual([]);
  });

  it("catches a long function, arrow or method, nested or not", () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join("\n");
    const text = [
      `export function long() {\n${body(5)}\n}`,
      `const arrow = () => {\n${body(5)}\n};`,
      `class A {\n  method() {\n${body(5)}\n  }\n}`,
      `function short() {\n  return 1;\n}`,
    ].join("\n");
    expect(longFunctions("x.ts", text, 5)).toEqual(["x.ts:1 long (7 lines)", "x.ts:8 arrow (7 lines)", "x.ts:16 method (7 lines)"]);
  });
});
