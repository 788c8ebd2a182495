import { createInterface } from "node:readline/promises";
import { summaryLine } from "../markdown";
import { formatReleases, releasesFrom, rollbackMessage, selectRollbackTarget, type HistoryEntry } from "../releases";
import { announcer } from "../notify";
import { keepingStackFile } from "../stackfile";
import { latestVersion, openStack, plain, restoreConfig, PROJECT_DIR, type Log } from "../workspace";

export async function releasesCommand(stackName: string, print: Log): Promise<number> {
  const { stack } = await openStack(stackName);
  print(formatReleases(releasesFrom((await stack.history()) as HistoryEntry[])));
  return 0;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Restores the config recorded with an earlier update (secrets included, re-encrypted by the stack's secrets
 * provider) and runs `up`. That config carries the release's `slipway:release.image`, so the program runs exactly
 * the recorded digest and builds nothing. Shows the config keys and the resource changes first; asks unless
 * `--yes`. The stack file is put back as it was whatever happens (the rollback lives in the stack's history).
 */
export async function rollbackCommand(stackName: string, to: string | undefined, yes: boolean, log: Log, print: Log): Promise<number> {
  const { stack } = await openStack(stackName);
  return keepingStackFile(PROJECT_DIR, stackName, async () => {
    const releases = releasesFrom((await stack.history(undefined, undefined, true)) as HistoryEntry[]);
    const target = selectRollbackTarget(releases, to);
    const keys = await restoreConfig(stack, target.config);
    print(`rollback ${stackName} to update #${target.version}${target.info.tag ? ` (${target.info.tag})` : ""}, image ${target.info.image}`);
    print(`config that changes: ${keys.length > 0 ? keys.join(", ") : "none"}`);
    const preview = await stack.preview({ diff: true, refresh: true, color: "never", onOutput: (o) => log(plain(o).trimEnd()) });
    print(`resources: ${summaryLine(preview.changeSummary as Record<string, number>)}`);
    if (!yes && !(await confirm("Roll back?"))) {
      print(process.stdin.isTTY ? "rollback cancelled; nothing changed" : "rollback needs --yes when not run in a terminal; nothing changed");
      return 1;
    }
    const record = await (await announcer(stack, stackName, print)).begin("rollback", target.info, target.version);
    // With refresh, what changed on the platforms since (by hand, or by a failed update) is undone too.
    const result = await stack
      .up({ color: "never", refresh: true, message: rollbackMessage(target.version), onOutput: (o) => log(plain(o).trimEnd()) })
      .catch(async (error: unknown) => {
        await record.end("failure", { reason: `pulumi up failed: ${plain(error instanceof Error ? error.message : String(error)).split("\n")[0]}` });
        throw error;
      });
    print(`rolled back: update #${await latestVersion(stack)} runs what update #${target.version} ran`);
    await record.end("success", { url: result.outputs.url?.value as string | undefined, update: await latestVersion(stack) });
    return 0;
  });
}
