import { createInterface } from "node:readline/promises";
import { summaryLine } from "../markdown";
import { formatReleases, releasesFrom, rollbackMessage, selectRollbackTarget, type HistoryEntry } from "../releases";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { announcerFor, settingsFrom } from "../notify";
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

/** What a rollback reads before it changes anything: the history with its recorded config, and today's config. */
export interface RollbackReads {
  history: HistoryEntry[];
  config: ConfigMap;
}

/** Read-only, so the deploy lock can run it while it settles (commands/lock.ts). */
export async function rollbackReads(stack: Stack): Promise<RollbackReads> {
  const [history, config] = await Promise.all([stack.history(undefined, undefined, true), stack.getAllConfig()]);
  return { history: history as HistoryEntry[], config };
}

/**
 * Restores the config recorded with an earlier update (secrets included, re-encrypted by the stack's secrets
 * provider) and runs `up`. That config carries the release's `slipway:release.image`, so the program runs exactly
 * the recorded digest and builds nothing. Shows the config keys first; without `--yes` it previews the resource
 * changes and asks. With `--yes` there is nobody to show a preview to: `up` (with the same refresh) runs the same
 * program on the same state, so a preview first would only do that work twice; the changes are printed from the
 * update instead. The stack file is put back as it was whatever happens (the rollback lives in the stack's
 * history). `opened` is the stack the deploy lock was taken on (commands/lock.ts), so it is not selected twice.
 */
export async function rollbackCommand(stackName: string, to: string | undefined, yes: boolean, log: Log, print: Log, opened?: Stack, read?: RollbackReads): Promise<number> {
  const stack = opened ?? (await openStack(stackName)).stack;
  return keepingStackFile(PROJECT_DIR, stackName, async () => {
    const { history, config } = read ?? (await rollbackReads(stack));
    const releases = releasesFrom(history);
    const target = selectRollbackTarget(releases, to);
    const keys = await restoreConfig(stack, target.config, config);
    print(`rollback ${stackName} to update #${target.version}${target.info.tag ? ` (${target.info.tag})` : ""}, image ${target.info.image}`);
    print(`config that changes: ${keys.length > 0 ? keys.join(", ") : "none"}`);
    if (!yes) {
      const preview = await stack.preview({ diff: true, refresh: true, color: "never", onOutput: (o) => log(plain(o).trimEnd()) });
      print(`resources: ${summaryLine(preview.changeSummary as Record<string, number>)}`);
      if (!(await confirm("Roll back?"))) {
        print(process.stdin.isTTY ? "rollback cancelled; nothing changed" : "rollback needs --yes when not run in a terminal; nothing changed");
        return 1;
      }
    }
    // The stack's config is now exactly the recorded one, so the notifications it asks for are read from that
    // (as `pulumi config` would show them after the restore) instead of asking the CLI again.
    const record = await announcerFor(stackName, settingsFrom(stackName, target.config), print).begin("rollback", target.info, target.version);
    // With refresh, what changed on the platforms since (by hand, or by a failed update) is undone too.
    const result = await stack
      .up({ color: "never", refresh: true, message: rollbackMessage(target.version), onOutput: (o) => log(plain(o).trimEnd()) })
      .catch(async (error: unknown) => {
        await record.end("failure", { reason: `pulumi up failed: ${plain(error instanceof Error ? error.message : String(error)).split("\n")[0]}` });
        throw error;
      });
    if (yes) print(`resources: ${summaryLine((result.summary.resourceChanges ?? {}) as Record<string, number>)}`);
    const update = await latestVersion(stack);
    print(`rolled back: update #${update} runs what update #${target.version} ran`);
    await record.end("success", { url: result.outputs.url?.value as string | undefined, update });
    return 0;
  });
}
