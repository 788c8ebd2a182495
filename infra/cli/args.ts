import { parseArgs } from "node:util";
import { isPinnedImage, PINNED_IMAGE_PHRASE } from "../../components/rules";

/** One parsed `slipway` invocation. */
export type Command =
  | { kind: "preview"; stack: string }
  | { kind: "deploy"; stack: string; image?: string; promoteFrom?: string; message?: string }
  | { kind: "rollback"; stack: string; to?: string; yes: boolean }
  | { kind: "releases"; stack: string }
  | { kind: "pr"; action: "up" | "down"; number: number; image?: string }
  | { kind: "lock"; action: "status" | "release"; stack: string }
  | { kind: "recover"; stack: string }
  | { kind: "gate"; gate: "tag"; tag: string }
  | { kind: "gate"; gate: "hours"; days?: string; from?: string; to?: string; tz?: string; at?: string }
  | { kind: "gate"; gate: "healthy"; url: string }
  | { kind: "help" };

export const USAGE = `usage: slipway <command>

  preview <stack>                                 pulumi preview + a Markdown summary for a PR comment
  deploy <stack> [--image <ref> | --promote-from <stack>] [--message <text>]
                                                  preview, up, health gate; rolls back by itself on failure.
                                                  --promote-from: the digest <stack> ran healthy for this commit
  rollback <stack> [--to <release|update-version>] [--yes]
                                                  redeploy an earlier release from the stack's own history
  releases <stack>                                the release history
  pr up <number> [--image <ref>] | pr down <number>
                                                  the per-PR preview stack pr-<number>; --image: the digest built
                                                  for the PR's head commit (without it: the preview's last image)
  lock status <stack> | lock release <stack>      the stack's deploy lock (release one left by a killed run)
  recover <stack>                                 after a killed run: clear its locks, record or clear its pending creates
  gate tag <tag>                                  passes for vX.Y.Z
  gate hours [--days Mon-Fri] [--from 09:00] [--to 17:00] [--tz <IANA zone>] [--at <ISO time>]
  gate healthy <url>                              passes once <url> answers 2xx

<stack> is a stack name such as staging, production or pr-42.`;

/** A wrong invocation: the message says what was wrong, `USAGE` lists the valid forms. */
export class UsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n\n${USAGE}`);
    this.name = "UsageError";
  }
}

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9._-]+){0,2}$/;

function stackArg(value: string | undefined, command: string): string {
  if (value === undefined) throw new UsageError(`slipway ${command}: missing <stack>`);
  if (!STACK_NAME.test(value)) throw new UsageError(`slipway ${command}: "${value}" is not a stack name`);
  return value;
}

/** `--image`, by the one digest rule every layer uses (components/rules.ts). */
function imageArg(value: string | undefined, command: string): string | undefined {
  if (value !== undefined && !isPinnedImage(value)) throw new UsageError(`slipway ${command}: --image expected ${PINNED_IMAGE_PHRASE}, got "${value}"`);
  return value;
}

function noExtra(positionals: string[], expected: number, command: string): void {
  if (positionals.length > expected) {
    throw new UsageError(`slipway ${command}: unexpected argument "${positionals[expected]}"`);
  }
}

/** Parses argv (without node and the script). Throws `UsageError` for anything it cannot run. */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") return { kind: "help" };
  type Options = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;
  const parse = (options: Options): { positionals: string[]; values: Record<string, string | boolean | undefined> } => {
    try {
      const { positionals, values } = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
      return { positionals, values: values as Record<string, string | boolean | undefined> };
    } catch (error) {
      throw new UsageError(`slipway ${name}: ${(error as Error).message}`);
    }
  };
  switch (name) {
    case "preview":
    case "recover":
    case "releases": {
      const { positionals } = parse({});
      noExtra(positionals, 1, name);
      return { kind: name, stack: stackArg(positionals[0], name) };
    }
    case "deploy": {
      const { positionals, values } = parse({ image: { type: "string" }, "promote-from": { type: "string" }, message: { type: "string" } });
      noExtra(positionals, 1, name);
      const image = imageArg(values.image as string | undefined, "deploy");
      const from = values["promote-from"] as string | undefined;
      if (from !== undefined && image !== undefined) throw new UsageError("slipway deploy: give --image or --promote-from, not both");
      const promoteFrom = from === undefined ? undefined : stackArg(from, "deploy --promote-from");
      return { kind: "deploy", stack: stackArg(positionals[0], name), image, promoteFrom, message: values.message as string | undefined };
    }
    case "rollback": {
      const { positionals, values } = parse({ to: { type: "string" }, yes: { type: "boolean", short: "y" } });
      noExtra(positionals, 1, name);
      return { kind: "rollback", stack: stackArg(positionals[0], name), to: values.to as string | undefined, yes: values.yes === true };
    }
    case "pr": {
      const { positionals, values } = parse({ image: { type: "string" } });
      const [action, num] = positionals;
      if (action !== "up" && action !== "down") throw new UsageError(`slipway pr: expected "up" or "down", got ${action === undefined ? "nothing" : `"${action}"`}`);
      noExtra(positionals, 2, "pr");
      if (num === undefined || !/^[1-9][0-9]{0,8}$/.test(num)) {
        throw new UsageError(`slipway pr ${action}: expected a pull request number, got ${num === undefined ? "nothing" : `"${num}"`}`);
      }
      const image = imageArg(values.image as string | undefined, "pr up");
      if (image !== undefined && action === "down") throw new UsageError("slipway pr down: --image is only for pr up");
      return { kind: "pr", action, number: Number(num), image };
    }
    case "lock": {
      const { positionals } = parse({});
      const [action, stack] = positionals;
      if (action !== "status" && action !== "release") {
        throw new UsageError(`slipway lock: expected "status" or "release", got ${action === undefined ? "nothing" : `"${action}"`}`);
      }
      noExtra(positionals, 2, "lock");
      return { kind: "lock", action, stack: stackArg(stack, `lock ${action}`) };
    }
    case "gate":
      return parseGate(rest);
    default:
      throw new UsageError(`slipway: unknown command "${name}"`);
  }
}

function parseGate(rest: string[]): Command {
  const [gate, ...args] = rest;
  const parsed = (() => {
    try {
      return parseArgs({
        args,
        options: { days: { type: "string" }, from: { type: "string" }, to: { type: "string" }, tz: { type: "string" }, at: { type: "string" } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(`slipway gate: ${(error as Error).message}`);
    }
  })();
  const [value] = parsed.positionals;
  switch (gate) {
    case "tag":
      if (value === undefined) throw new UsageError("slipway gate tag: missing <tag>");
      noExtra(parsed.positionals, 1, "gate tag");
      return { kind: "gate", gate: "tag", tag: value };
    case "healthy":
      if (value === undefined) throw new UsageError("slipway gate healthy: missing <url>");
      noExtra(parsed.positionals, 1, "gate healthy");
      return { kind: "gate", gate: "healthy", url: value };
    case "hours":
      noExtra(parsed.positionals, 0, "gate hours");
      return { kind: "gate", gate: "hours", ...parsed.values };
    default:
      throw new UsageError(`slipway gate: expected "tag", "hours" or "healthy", got ${gate === undefined ? "nothing" : `"${gate}"`}`);
  }
}
