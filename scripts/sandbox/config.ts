import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";

/**
 * The `sandbox` stack's config, derived at run time from the committed stack files instead of a committed
 * Pulumi.sandbox.yaml: a copy would drift from staging the first time someone edits Pulumi.staging.yaml,
 * and the sandbox is meant to show what the staging config really does.
 *
 * - Everything in Pulumi.staging.yaml (Coolify target, pgvector Postgres with backups, the media volume, the
 *   domain, health-gated rolling updates) EXCEPT `slipway:github`: the @pulumi/github provider plugin cannot
 *   be built offline (the Go module proxy refuses its module), so GitHub resources cannot run on this engine.
 * - Plus a Fly part taken from Pulumi.production.yaml (its org, its first region, its machine size and
 *   rollout settings) under the app name `<app>-sandbox`, held to ONE machine: the machine count only
 *   multiplies the same calls, and the engines here share two CPU cores.
 */

const stackFileSchema = z.object({ config: z.record(z.string(), z.unknown()) }).passthrough();

function readStackConfig(file: string): Record<string, unknown> {
  return stackFileSchema.parse(parse(readFileSync(file, "utf8"))).config;
}

const flyScalingSchema = z.object({ regions: z.array(z.string()).min(1) }).passthrough();
const flyTargetSchema = z.object({ org: z.string() }).passthrough();
const volumesSchema = z.array(z.object({ name: z.string(), sizeGb: z.number().optional() }).passthrough());
const appSchema = z.object({ name: z.string(), secretEnv: z.array(z.string()).default([]) }).passthrough();

export interface SandboxConfig {
  /** `slipway:*` config keys with their YAML values, as the stack file will hold them. */
  config: Record<string, unknown>;
  /** Names the config expects under `slipway:secrets` (the app's secret env). */
  secretNames: string[];
  /** The Fly app name, when the Fly part is included. */
  flyApp?: string;
  /** Keys left out of the staging config, and why (printed by the sandbox). */
  dropped: { key: string; reason: string }[];
}

export function sandboxConfig(root: string, options: { fly: boolean }): SandboxConfig {
  const staging = readStackConfig(path.join(root, "Pulumi.staging.yaml"));
  const config: Record<string, unknown> = {};
  const dropped: SandboxConfig["dropped"] = [];
  for (const [key, value] of Object.entries(staging)) {
    if (key === "slipway:github") {
      dropped.push({ key, reason: "the @pulumi/github provider plugin cannot be built offline (the Go module proxy refuses it)" });
      continue;
    }
    config[key] = structuredClone(value);
  }
  const app = appSchema.parse(config["slipway:app"]);
  let flyApp: string | undefined;
  if (options.fly) {
    const production = readStackConfig(path.join(root, "Pulumi.production.yaml"));
    const targets = z.object({ fly: flyTargetSchema }).passthrough().parse(production["slipway:targets"]);
    const scaling = z.object({ fly: flyScalingSchema }).passthrough().parse(production["slipway:scaling"]);
    flyApp = `${app.name}-sandbox`;
    const fly = scaling.fly;
    const machines = 1;
    config["slipway:targets"] = { ...(config["slipway:targets"] as object), fly: { org: targets.fly.org, appName: flyApp } };
    // A Fly volume has a fixed size (staging's Coolify-only volumes have none): production's size for the same name.
    const prodVolumes = z.array(z.object({ name: z.string(), sizeGb: z.number().optional() }).passthrough()).default([]).parse(production["slipway:volumes"]);
    const volumes = z.array(z.object({ name: z.string() }).passthrough()).default([]).parse(config["slipway:volumes"]);
    config["slipway:volumes"] = volumes.map((v) => ({ ...v, sizeGb: (v as { sizeGb?: number }).sizeGb ?? prodVolumes.find((p) => p.name === v.name)?.sizeGb ?? 1 }));
    config["slipway:scaling"] = {
      ...(config["slipway:scaling"] as object),
      fly: { ...fly, regions: fly.regions.slice(0, 1), minRunning: machines, maxMachines: machines, maxUnavailable: machines },
    };
    // A Fly volume has a fixed size (a Coolify one has none): staging's volumes take production's size by name.
    const sizes = new Map(volumesSchema.parse(production["slipway:volumes"] ?? []).map((v) => [v.name, v.sizeGb]));
    config["slipway:volumes"] = volumesSchema.parse(config["slipway:volumes"] ?? []).map((v) => (v.sizeGb !== undefined ? v : { ...v, sizeGb: sizes.get(v.name) }));
  }
  return { config, secretNames: app.secretEnv, flyApp, dropped };
}

/**
 * Writes the derived config into the stack file `pulumi stack init` created in `workDir`, keeping what the
 * engine put there (the passphrase provider's `encryptionsalt`). Secrets are set afterwards through the engine,
 * so they are only ever written encrypted.
 */
export function writeStackFile(workDir: string, stackName: string, config: Record<string, unknown>): string {
  const file = path.join(workDir, `Pulumi.${stackName}.yaml`);
  let existing: Record<string, unknown> = {};
  try {
    existing = z.record(z.string(), z.unknown()).parse(parse(readFileSync(file, "utf8")) ?? {});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const header = "# Generated by scripts/sandbox.ts from Pulumi.staging.yaml (minus slipway:github) + a Fly part; temporary.\n";
  writeFileSync(file, header + stringify({ ...existing, config }));
  return file;
}
