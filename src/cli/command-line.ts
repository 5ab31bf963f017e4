import { writeSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Prints `message` and the usage line on standard error and exits with status 2. */
export function usageError(usage: string, message: string): never {
  // Written synchronously: the process exits right after.
  writeSync(2, `${message}\n${usage}\n`);
  process.exit(2);
}

/**
 * Reads a command's flags. `--help` prints the usage; an unknown or incomplete flag is answered
 * with one line and the usage, never a stack trace.
 */
export function readCommandLine<const O extends Options>(
  usage: string,
  options: O,
  args: string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>> {
  if (args.includes("--help") || args.includes("-h")) {
    writeSync(1, `${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's message goes on to explain `--` for positionals; its first sentence is the point.
    return usageError(usage, (error as Error).message.split(". ")[0] ?? String(error));
  }
}
