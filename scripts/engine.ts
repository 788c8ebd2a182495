import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { z } from "zod";

/**
 * Where the offline Pulumi engine lives and the environment every engine run needs. Used by the e2e
 * harness, the sandbox, the bench and the operations CLI, so they all run the same engine the same way.
 * scripts/bootstrap-engine.sh builds the engine and writes `engine.json`; this module only reads it.
 */

/** The repository root (this file is `scripts/engine.ts`). */
export const repoRoot: string = path.resolve(__dirname, "..");

const pluginSchema = z.object({
  name: z.string(),
  version: z.string(),
  status: z.enum(["installed", "unavailable", "skipped"]),
  detail: z.string(),
});

const manifestSchema = z.object({
  sdkVersion: z.string(),
  cliVersion: z.string(),
  cliSource: z.string(),
  cache: z.string(),
  binDir: z.string(),
  pulumiHome: z.string(),
  plugins: z.array(pluginSchema),
  actionlint: z.string().nullable(),
  buildSeconds: z.record(z.string(), z.number().nullable()),
  writtenAt: z.string(),
});

/** What the bootstrap recorded: versions, paths, and each provider plugin's status with the reason. */
export type EngineManifest = z.infer<typeof manifestSchema>;
export type EnginePlugin = z.infer<typeof pluginSchema>;

/** The installed @pulumi/pulumi version, which names the cache directory. */
export function sdkVersion(root: string = repoRoot): string {
  const pkg = z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(path.join(root, "node_modules/@pulumi/pulumi/package.json"), "utf8")));
  return pkg.version;
}

/** `${SLIPWAY_CACHE:-~/.cache/slipway}/pulumi-<sdk version>`, as in scripts/bootstrap-engine.sh. */
export function engineCacheDir(root: string = repoRoot): string {
  const base = process.env.SLIPWAY_CACHE || path.join(homedir(), ".cache", "slipway");
  return path.join(base, `pulumi-${sdkVersion(root)}`);
}

/**
 * Reads and validates `engine.json`. Throws with the command to run when the engine is not bootstrapped,
 * rather than letting a later `pulumi` call fail with "command not found".
 */
export function engineManifest(root: string = repoRoot): EngineManifest {
  const file = path.join(engineCacheDir(root), "engine.json");
  if (!existsSync(file)) {
    throw new Error(`slipway: the Pulumi engine is not bootstrapped (${file} is missing); run: npm run engine`);
  }
  return manifestSchema.parse(JSON.parse(readFileSync(file, "utf8")));
}

/**
 * Runs scripts/bootstrap-engine.sh (a no-op when the cache is warm) and returns the manifest.
 * The wait is bounded: a cold build takes minutes, a hung one must not hang a test run forever.
 */
export function bootstrapEngine(root: string = repoRoot, timeoutMs = 90 * 60_000): EngineManifest {
  const r = spawnSync("bash", [path.join(root, "scripts/bootstrap-engine.sh")], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: timeoutMs,
  });
  if (r.status !== 0) {
    throw new Error(`slipway: scripts/bootstrap-engine.sh failed (exit ${r.status ?? r.signal})`);
  }
  return engineManifest(root);
}

/** The `pulumi` binary. */
export function pulumiBin(root: string = repoRoot): string {
  return path.join(engineManifest(root).binDir, "pulumi");
}

/** Options for {@link engineEnv}. */
export interface EngineEnvOptions {
  /** A backend URL, e.g. `file:///tmp/x`. @default undefined — the caller passes `--backend`/a workspace. */
  backendUrl?: string;
  /**
   * Passphrase of the passphrase secrets provider.
   * @default process.env.PULUMI_CONFIG_PASSPHRASE, else a fixed local-only passphrase (the local
   * file backend of tests and the sandbox holds no real secrets; real stacks set their own).
   */
  passphrase?: string;
  /** PULUMI_HOME. @default the engine cache's home, where the provider plugins are installed. */
  pulumiHome?: string;
}

/** The passphrase used when none is given: only for local, throwaway backends. */
export const LOCAL_PASSPHRASE = "slipway-local-only";

/**
 * The environment for every engine run: the engine's bin dir first on PATH (so the bundled language
 * host and dynamic-provider plugin are found), PULUMI_HOME with the installed plugins, and the settings
 * that keep the engine from reaching the network (update check, plugin downloads).
 */
export function engineEnv(opts: EngineEnvOptions = {}, root: string = repoRoot): Record<string, string> {
  const m = engineManifest(root);
  const env: Record<string, string> = {
    PATH: [m.binDir, process.env.PATH ?? ""].filter(Boolean).join(path.delimiter),
    PULUMI_HOME: opts.pulumiHome ?? m.pulumiHome,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_CONFIG_PASSPHRASE: opts.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE ?? LOCAL_PASSPHRASE,
  };
  if (opts.backendUrl) env.PULUMI_BACKEND_URL = opts.backendUrl;
  return env;
}

/**
 * The Automation API's handle on this engine's CLI. The engine may be newer than @pulumi/pulumi when
 * the exact version could not be built (see engine.json `cliVersion`); newer is what the SDK accepts.
 */
export function pulumiCommand(root: string = repoRoot): Promise<PulumiCommand> {
  return PulumiCommand.get({ root: engineManifest(root).cache });
}

/** The status of one provider plugin, so tests can say exactly why a plugin-backed case cannot run. */
export function pluginStatus(name: string, root: string = repoRoot): EnginePlugin | undefined {
  return engineManifest(root).plugins.find((p) => p.name === name);
}
