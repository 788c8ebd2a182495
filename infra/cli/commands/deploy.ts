import { execFileSync } from "node:child_process";
import type { Stack } from "@pulumi/pulumi/automation";
import { checkHealthy } from "../gates";
import { resolvingFetch } from "../health";
import { summaryLine } from "../markdown";
import {
  releaseMessage,
  releasesFrom,
  rollbackMessage,
  type HistoryEntry,
  type Release,
  type ReleaseInfo,
} from "../releases";
import { announcer } from "../notify";
import { latestVersion, openStack, plain, restoreConfig, PROJECT_DIR, type Log } from "../workspace";

export interface DeployOptions {
  image?: string;
  message?: string;
}

/** What the release records about itself, from the CI environment when there is one. */
export function releaseInfo(image: string | undefined, env: NodeJS.ProcessEnv = process.env, now = new Date()): ReleaseInfo {
  const gitCommit = (): string | undefined => {
    try {
      return execFileSync("git", ["rev-parse", "HEAD"], { cwd: PROJECT_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return undefined;
    }
  };
  const tag = env.GITHUB_REF_TYPE === "tag" ? env.GITHUB_REF_NAME : env.SLIPWAY_RELEASE_TAG;
  return {
    commit: env.GITHUB_SHA ?? env.SLIPWAY_RELEASE_COMMIT ?? gitCommit(),
    tag: tag || undefined,
    image,
    actor: env.GITHUB_ACTOR ?? env.USER ?? "unknown",
    time: now.toISOString(),
  };
}

/** Health gate settings: bounded, and tunable so tests and the sandbox stay quick. */
function gateOptions(env: NodeJS.ProcessEnv = process.env) {
  return {
    fetch: resolvingFetch(env.SLIPWAY_RESOLVE),
    attempts: Number(env.SLIPWAY_HEALTH_ATTEMPTS ?? 10),
    intervalMs: Number(env.SLIPWAY_HEALTH_INTERVAL_MS ?? 6000),
    timeoutMs: Number(env.SLIPWAY_HEALTH_TIMEOUT_MS ?? 10_000),
  };
}

async function history(stack: Stack): Promise<Release[]> {
  return releasesFrom((await stack.history(undefined, undefined, true)) as HistoryEntry[]);
}

/**
 * preview → up → health gate. A failed `up` or a failed gate rolls the stack back to the last healthy release
 * (the newest succeeded update before this one that no automatic rollback marked unhealthy) and exits 1.
 */
export async function deployCommand(stackName: string, options: DeployOptions, log: Log, print: Log): Promise<number> {
  const { stack } = await openStack(stackName);
  const before = (await history(stack)).filter((r) => r.result === "succeeded" && r.healthy).at(-1);

  const info = releaseInfo(options.image);
  if (options.image) await stack.setConfig("slipway:image", { value: JSON.stringify({ kind: "pinned", ref: options.image }) });
  await stack.setConfig("slipway:release", { value: JSON.stringify(info) });
  const announce = await announcer(stack, stackName, print);
  const record = await announce.begin("deploy", info);

  const preview = await stack.preview({ color: "never", onOutput: (o) => log(plain(o).trimEnd()) });
  print(`preview: ${summaryLine(preview.changeSummary as Record<string, number>)}`);

  let failure: string | undefined;
  let healthUrl: string | undefined;
  let url: string | undefined;
  try {
    const result = await stack.up({ color: "never", message: releaseMessage(options.message, info), onOutput: (o) => log(plain(o).trimEnd()) });
    print(`up: ${summaryLine((result.summary.resourceChanges ?? {}) as Record<string, number>)} (update #${await latestVersion(stack)})`);
    healthUrl = result.outputs.healthUrl?.value as string | undefined;
    url = result.outputs.url?.value as string | undefined;
    const gateOff = result.outputs.healthGateOff?.value as string | undefined;
    if (gateOff) {
      print(`health gate: off (slipway:app.healthGate: ${gateOff})`);
    } else if (healthUrl) {
      const gate = await checkHealthy(healthUrl, gateOptions());
      print(`health gate: ${gate.message}`);
      if (!gate.ok) failure = `health gate failed: ${gate.message}`;
    } else {
      print("health gate: skipped (the stack exports no healthUrl)");
    }
  } catch (error) {
    failure = `pulumi up failed: ${plain(error instanceof Error ? error.message : String(error)).split("\n").slice(-8).join("\n")}`;
  }
  if (!failure) {
    print(`deployed ${stackName}${info.image ? ` with ${info.image}` : ""}`);
    await record.end("success", { url, update: await latestVersion(stack) });
    return 0;
  }

  print(failure);
  await record.end("failure", { url, reason: failure.split("\n")[0] });
  if (!before) {
    print("automatic rollback: impossible, this stack has no earlier healthy release");
    return 1;
  }
  const failed = (await history(stack)).at(-1);
  print(`automatic rollback to update #${before.version}${before.info.tag ? ` (${before.info.tag})` : ""}`);
  await restoreConfig(stack, before.config);
  const rollback = await announce.begin("automatic-rollback", before.info, before.version);
  // refresh first: the failed update may already have changed the platform (Coolify keeps the new image
  // configured while the old container serves), and only a refresh lets the engine see what to undo.
  const restored = await stack
    .up({
      color: "never",
      refresh: true,
      message: rollbackMessage(before.version, failed && failed.version > before.version ? failed.version : undefined),
      onOutput: (o) => log(plain(o).trimEnd()),
    })
    .catch(async (error: unknown) => {
      await rollback.end("failure", { reason: `pulumi up failed: ${plain(error instanceof Error ? error.message : String(error)).split("\n")[0]}` });
      throw error;
    });
  print(`rolled back: update #${await latestVersion(stack)} runs what update #${before.version} ran`);
  await rollback.end("success", { url: restored.outputs.url?.value as string | undefined, update: await latestVersion(stack) });
  return 1;
}
