import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The CLI hands a release's facts to the program through stack config (`slipway:release`, a rollback's restored
 * config), because the engine records the config of every update in the stack's history — that history is the
 * release ledger. The stack file is only the vehicle: once the operation is over, the file is put back byte for
 * byte, so the working copy is as the user left it and nothing needs committing or reverting. What a release
 * recorded lives in the stack's history and outputs.
 */

/** `Pulumi.<stack>.yaml` (or `.yml`) in `projectDir`; `acme/staging` → `Pulumi.staging.yaml`, as pulumi names it. */
export function stackFilePath(projectDir: string, stackName: string): string {
  const short = stackName.split("/").pop() ?? stackName;
  const yml = path.join(projectDir, `Pulumi.${short}.yml`);
  return existsSync(yml) ? yml : path.join(projectDir, `Pulumi.${short}.yaml`);
}

/**
 * Runs `fn`, then restores the stack file as it was before (removes it when it did not exist) — after success,
 * failure, and on SIGINT/SIGTERM (restored, then the signal takes its normal course).
 */
export async function keepingStackFile<T>(projectDir: string, stackName: string, fn: () => Promise<T>): Promise<T> {
  const file = stackFilePath(projectDir, stackName);
  const before = existsSync(file) ? readFileSync(file) : undefined;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    if (before === undefined) rmSync(file, { force: true });
    else if (!existsSync(file) || !readFileSync(file).equals(before)) writeFileSync(file, before);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await fn();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    restore();
  }
}
