import { execFileSync } from "node:child_process";
import type { Stack } from "@pulumi/pulumi/automation";
import { checkHealthy } from "../gates";
import { resolvingFetch } from "../health";
import { imageSourceFor, promotedImage } from "../image-source";
import { summaryLine } from "../markdown";
import {
  buildMessage,
  releaseMessage,
  releasesFrom,
  rollbackMessage,
  type HistoryEntry,
  type Release,
  type ReleaseInfo,
} from "../releases";
import { announcer } from "../notify";
import { keepingStackFile } from "../stackfile";
import { latestVersion, openStack, plain, restoreConfig, PROJECT_DIR, type Log } from "../workspace";

export interface DeployOptions {
  /** The digest to release (CI built or received it). */
  image?: string;
  /** Promote: the digest this stack ran healthy for the release's commit, from its release history. */
  promoteFrom?: string;
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
    // An explicit release commit wins over GITHUB_SHA: on a pull_request event GITHUB_SHA is the test merge commit,
    // and the PR workflow sets SLIPWAY_RELEASE_COMMIT to the head commit it built (the program reads it first too).
    commit: env.SLIPWAY_RELEASE_COMMIT || env.GITHUB_SHA || gitCommit(),
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

/** The stack's releases; with `showSecrets` the recorded secrets too (a rollback re-encrypts them). */
export async function history(stack: Stack, showSecrets = true): Promise<Release[]> {
  return releasesFrom((await stack.history(undefined, undefined, showSecrets)) as HistoryEntry[]);
}

const lastLines = (error: unknown) => plain(error instanceof Error ? error.message : String(error)).split("\n").slice(-8).join("\n");
/**
 * The one line a notice gives as the reason: the engine's first `error:` line (a resource's diagnostic) says why;
 * the last lines of its output, which the terminal shows, are the update's summary (`Resources: …`).
 */
export function errorLine(error: unknown): string {
  const lines = plain(error instanceof Error ? error.message : String(error)).split("\n").map((l) => l.trim()).filter(Boolean);
  const errors = lines.map((l) => /(?:^|\s)error: (.+)$/.exec(l)?.[1]).filter((e): e is string => e !== undefined);
  return errors.find((e) => e !== "update failed") ?? errors[0] ?? lines[0] ?? "";
}

/**
 * Decides the image (see image-source.ts), then preview → up → health gate. The release's facts — commit, tag,
 * image digest, actor, time — go into `slipway:release` for the run, so the engine records them with the update;
 * the stack file is put back afterwards. A failed build, `up` or gate rolls the stack back to the last healthy
 * release (pinning the digest that release recorded) and exits 1.
 */
export async function deployCommand(stackName: string, options: DeployOptions, log: Log, print: Log): Promise<number> {
  const { stack } = await openStack(stackName);
  return keepingStackFile(PROJECT_DIR, stackName, () => deploy(stack, stackName, options, log, print));
}

/** The release sequence on an opened stack: what `deploy` runs, and `pr up` on a preview stack it just configured. */
export async function deploy(stack: Stack, stackName: string, options: DeployOptions, log: Log, print: Log): Promise<number> {
  const onOutput = (o: string) => log(plain(o).trimEnd());
  const before = (await history(stack)).filter((r) => r.result === "succeeded" && r.healthy && r.info.image).at(-1);
  const source = options.promoteFrom ? ({ kind: "promote", from: options.promoteFrom } as const) : imageSourceFor(await stack.getAllConfig(), options.image);
  const base = releaseInfo(undefined);
  let image: string | undefined;
  let failure: string | undefined;
  /** What the notices say about a failure: one line. */
  let reason: string | undefined;

  switch (source.kind) {
    case "given":
      image = source.image;
      break;
    case "keep": {
      const current = (await stack.outputs()).imageRef?.value;
      if (typeof current !== "string") {
        print(`refused: ${stackName} has no release yet; its first deploy needs --image <repo>@sha256:<digest> (the image built for this commit)`);
        return 1;
      }
      image = current;
      print(`image: ${current} (kept: no --image given)`);
      break;
    }
    case "promote": {
      const { stack: from } = await openStack(source.from);
      // Only the source's release record is read: never its secrets (another environment's passphrase may differ).
      const found = promotedImage(source.from, await history(from, false), base.commit);
      if ("refusal" in found) {
        print(`refused: ${found.refusal}`);
        return 1;
      }
      image = found.image;
      print(`image: ${image} — what ${source.from} ran healthy for ${base.commit?.slice(0, 7)} (its update #${found.from.version})`);
      break;
    }
    case "build": {
      if (!base.commit) throw new Error("a kind build/flox release needs the commit to build (GITHUB_SHA, SLIPWAY_RELEASE_COMMIT or git HEAD)");
      // Built once, for this commit; the release below pins the digest, so no later run rebuilds it.
      await stack.setConfig("slipway:release", { value: JSON.stringify(base) });
      try {
        const built = await stack.up({ color: "never", message: buildMessage(base), onOutput });
        image = built.outputs.imageRef?.value as string;
        print(`build: ${image} (update #${await latestVersion(stack)})`);
      } catch (error) {
        failure = `build failed: ${lastLines(error)}`;
        reason = `build failed: ${errorLine(error)}`;
      }
      break;
    }
  }

  const info = { ...base, image };
  const announce = await announcer(stack, stackName, print);
  const record = await announce.begin("deploy", info);
  let healthUrl: string | undefined;
  let url: string | undefined;
  if (!failure) {
    await stack.setConfig("slipway:release", { value: JSON.stringify(info) });
    const preview = await stack.preview({ color: "never", onOutput });
    print(`preview: ${summaryLine(preview.changeSummary as Record<string, number>)}`);
    try {
      const result = await stack.up({ color: "never", message: releaseMessage(options.message, info), onOutput });
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
      failure = `pulumi up failed: ${lastLines(error)}`;
      reason = `pulumi up failed: ${errorLine(error)}`;
    }
  }
  if (!failure) {
    print(`deployed ${stackName} with ${image}`);
    await record.end("success", { url, update: await latestVersion(stack) });
    return 0;
  }

  print(failure);
  await record.end("failure", { url, reason: reason ?? failure.split("\n")[0] });
  await rollBackTo(stack, before, announce, log, print);
  return 1;
}

/** The automatic rollback: the last healthy release's recorded config, whose `slipway:release.image` pins its digest. */
async function rollBackTo(stack: Stack, before: Release | undefined, announce: Awaited<ReturnType<typeof announcer>>, log: Log, print: Log): Promise<void> {
  if (!before) {
    print("automatic rollback: impossible, this stack has no earlier healthy release");
    return;
  }
  const failed = (await history(stack)).at(-1);
  print(`automatic rollback to update #${before.version}${before.info.tag ? ` (${before.info.tag})` : ""}, image ${before.info.image}`);
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
      await rollback.end("failure", { reason: `pulumi up failed: ${errorLine(error)}` });
      throw error;
    });
  print(`rolled back: update #${await latestVersion(stack)} runs what update #${before.version} ran`);
  await rollback.end("success", { url: restored.outputs.url?.value as string | undefined, update: await latestVersion(stack) });
}
