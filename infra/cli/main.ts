import { parseCommand, UsageError, USAGE, type Command } from "./args";
import { checkBusinessHours, checkHealthy, checkTag, parseBusinessHours } from "./gates";
import { resolvingFetch } from "./health";
import type { Log } from "./workspace";

/**
 * `npx slipway <command>`: progress (the engine's own output) goes to stderr, results (Markdown, tables,
 * summaries) to stdout. Returns the exit code; never throws for a usage mistake.
 */
export async function main(argv: readonly string[], log: Log = (l) => process.stderr.write(`${l}\n`), print: Log = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      log(error.message);
      return 2;
    }
    throw error;
  }
  try {
    return await run(command, log, print);
  } catch (error) {
    log(`slipway: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function run(command: Command, log: Log, print: Log): Promise<number> {
  switch (command.kind) {
    case "help":
      print(USAGE);
      return 0;
    case "gate": {
      const result =
        command.gate === "tag"
          ? checkTag(command.tag)
          : command.gate === "hours"
            ? checkBusinessHours(command.at ? new Date(command.at) : new Date(), parseBusinessHours(command))
            : await checkHealthy(command.url, { fetch: resolvingFetch() });
      print(`${result.ok ? "pass" : "fail"}: ${result.message}`);
      return result.ok ? 0 : 1;
    }
    // The engine-backed commands load the Automation API lazily (require, which tsx's CommonJS hook serves):
    // `gate` and usage errors stay instant.
    case "preview":
      return (require("./commands/preview") as typeof import("./commands/preview")).previewCommand(command.stack, log, print);
    // Commands that change a stack hold its deploy lock for their whole sequence (commands/lock.ts).
    case "deploy":
      return locked().lockedCommand(command.stack, `deploy ${command.stack}`, () =>
        (require("./commands/deploy") as typeof import("./commands/deploy")).deployCommand(command.stack, command, log, print));
    case "rollback": {
      const rollback = require("./commands/rollback") as typeof import("./commands/rollback");
      return locked().lockedCommand(command.stack, `rollback ${command.stack}`, (stack, read) =>
        rollback.rollbackCommand(command.stack, command.to, command.yes, log, print, stack, read), { read: rollback.rollbackReads });
    }
    case "releases":
      // Selecting a stack writes its Pulumi.<stack>.yaml when there is none (a pr-<n> stack): put back as found.
      return keeping(command.stack, () => (require("./commands/rollback") as typeof import("./commands/rollback")).releasesCommand(command.stack, print));
    case "pr": {
      const pr = require("./commands/pr") as typeof import("./commands/pr");
      // The template and the preview's secrets are checked before the lock creates the stack: a missing secret touches nothing.
      const config = command.action === "up" ? pr.prUpConfig(command.number) : undefined;
      return locked().lockedCommand(pr.prStackName(command.number), `pr ${command.action} ${command.number}`,
        () => pr.prCommand(command.action, command.number, log, print, { image: command.image, config }),
        command.action === "up" ? { create: true } : { optional: true });
    }
    case "lock":
      return locked().lockCommand(command.action, command.stack, print);
    case "recover":
      return (require("./commands/recover") as typeof import("./commands/recover")).recoverCommand(command.stack, log, print);
  }
}

function keeping<T>(stackName: string, fn: () => Promise<T>): Promise<T> {
  const { keepingStackFile } = require("./stackfile") as typeof import("./stackfile");
  const { PROJECT_DIR } = require("./workspace") as typeof import("./workspace");
  return keepingStackFile(PROJECT_DIR, stackName, fn);
}

/**
 * The stack-changing commands, locked, with the stack file put back as it was around the WHOLE sequence — the lock's
 * own stack selection (which creates `Pulumi.pr-<n>.yaml` for a new PR stack) included (stackfile.ts).
 */
function locked(): Pick<typeof import("./commands/lock"), "lockCommand"> & { lockedCommand: typeof import("./commands/lock").lockedCommand } {
  const lock = require("./commands/lock") as typeof import("./commands/lock");
  const { keepingStackFile } = require("./stackfile") as typeof import("./stackfile");
  const { PROJECT_DIR } = require("./workspace") as typeof import("./workspace");
  return {
    lockCommand: lock.lockCommand,
    lockedCommand: (stackName, ...rest) => keepingStackFile(PROJECT_DIR, stackName, () => lock.lockedCommand(stackName, ...rest)),
  };
}
