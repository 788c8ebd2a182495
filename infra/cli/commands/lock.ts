import type { Stack } from "@pulumi/pulumi/automation";
import { describeLock, readLocks, releaseAllLocks, withLock, type TagStore } from "../lock";
import { openStack, type Log } from "../workspace";

/**
 * Runs a stack-changing command (deploy, rollback, pr up/down) holding the stack's deploy lock for its whole
 * sequence. `create` opens a stack that may not exist yet (pr up); `optional` runs `work` unlocked when the stack
 * does not exist (pr down of a PR that never had a stack: nothing to protect). `work` gets the stack the lock was
 * taken on (undefined in that unlocked case), so it need not select it again, and what `read` read.
 *
 * The reads — the pending-operations check and the command's own `read` (history, config: nothing that
 * writes) — run while the lock settles (lock.ts `whileSettling`), not after it: the settle is a wait, and the
 * reads see what they would see after it.
 */
export async function lockedCommand<R = undefined>(
  stackName: string,
  command: string,
  work: (stack: Stack | undefined, read: R | undefined) => Promise<number>,
  options: { create?: boolean; optional?: boolean; read?: (stack: Stack) => Promise<R> } = {},
): Promise<number> {
  let opened;
  try {
    opened = await openStack(stackName, { create: options.create });
  } catch (error) {
    if (options.optional) return work(undefined, undefined);
    throw error;
  }
  const { stack } = opened;
  let reads: Promise<[string | undefined, R | undefined]> | undefined;
  const startReads = (): Promise<[string | undefined, R | undefined]> => {
    // A killed run's pending creates may exist on the platform already: resolve them before changing anything.
    const started = Promise.all([
      (require("./recover") as typeof import("./recover")).refuseWhenPending(stack, stackName),
      options.read ? options.read(stack) : Promise.resolve(undefined),
    ]);
    // Awaited once the lock is ours; when it is refused, that error is the one to report.
    started.catch(() => undefined);
    reads = started;
    return started;
  };
  return withLock(
    stackName,
    tagsOf(stack),
    command,
    async () => {
      const [pending, read] = await (reads ?? startReads());
      if (pending) throw new Error(pending);
      return work(stack, read);
    },
    { whileSettling: () => void startReads() },
  );
}

/**
 * The stack's tags, where a stack that the command itself removed (pr down) has none: its tags went with it
 * (the DIY backend deletes the tags file with the stack, pkg/backend/diy/stack_tags.go deleteStackTags).
 */
function tagsOf(stack: Stack): TagStore {
  const gone = async () => !(await stack.workspace.listStacks()).some((s) => s.name === stack.name);
  return {
    listTags: async () => {
      try {
        return await stack.listTags();
      } catch (error) {
        if (await gone()) return {};
        throw error;
      }
    },
    setTag: (key, value) => stack.setTag(key, value),
    removeTag: (key) => stack.removeTag(key),
  };
}

/** `slipway lock status <stack>` / `slipway lock release <stack>`. */
export async function lockCommand(action: "status" | "release", stackName: string, print: Log): Promise<number> {
  const { stack } = await openStack(stackName);
  if (action === "status") {
    const locks = await readLocks(stack);
    print(locks.length === 0 ? `${stackName}: not locked` : locks.map((l) => `${stackName}: locked by ${describeLock(l)}`).join("\n"));
    return 0;
  }
  const removed = await releaseAllLocks(stack);
  print(removed.length === 0 ? `${stackName}: was not locked; nothing removed` : removed.map((l) => `${stackName}: released ${describeLock(l)}`).join("\n"));
  return 0;
}
