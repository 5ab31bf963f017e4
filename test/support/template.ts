import { readFileSync } from "node:fs";
import { parse, type Tags } from "yaml";

/** CloudFormation's short-form intrinsic functions, read as their long form (`!Ref x` → `{ Ref: x }`). */
const INTRINSICS = [
  "Ref",
  "Sub",
  "GetAtt",
  "If",
  "Equals",
  "Not",
  "And",
  "Or",
  "Join",
  "Select",
  "Split",
  "FindInMap",
  "Base64",
  "Cidr",
  "ImportValue",
  "GetAZs",
  "Condition",
  "Transform",
];

const tags: Tags = INTRINSICS.flatMap((name) => {
  const key = name === "Ref" || name === "Condition" ? name : `Fn::${name}`;
  const resolve = (value: unknown) => ({ [key]: name === "GetAtt" && typeof value === "string" ? value.split(".") : value });
  return (["scalar", "seq", "map"] as const).map((collection) => ({
    tag: `!${name}`,
    collection: collection === "scalar" ? undefined : collection,
    resolve: (value: unknown) => resolve(collection === "scalar" ? value : (value as { toJSON(): unknown }).toJSON()),
  })) as Tags;
});

/** `template.yaml`, parsed with CloudFormation's tags. */
export function readTemplate(path = "template.yaml"): Record<string, any> {
  return parse(readFileSync(path, "utf8"), { customTags: tags }) as Record<string, any>;
}
