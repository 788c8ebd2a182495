import * as path from "node:path";
import { repoRoot } from "../../scripts/engine";
import type { EngineStack } from "./harness";
import { runCommand, type CliRun, type RunOptions } from "./process";
import { scenarioStack, secretValue, type Emulators } from "./stacks";

export { runCommand, type CliRun, type RunOptions };

/** The CLI as `npx slipway` runs it. */
export const SLIPWAY_BIN = path.join(repoRoot, "infra/cli/bin.js");

/** `npx slipway <args>` in the stack's checkout. */
export function runSlipway(args: string[], o: RunOptions): Promise<CliRun> {
  return runCommand(process.execPath, [SLIPWAY_BIN, ...args], o);
}

/** The two secrets Pulumi.staging.yaml's header asks an operator to set, with fresh values. */
export function stagingSecrets(): Record<string, string> {
  return { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}` };
}

/**
 * The staging stack most e2e files start from: Pulumi.staging.yaml without `slipway:github` (its provider plugin
 * cannot be built offline; engine.json records why), its secrets set.
 */
export function stagingStack(emulators: Emulators, env?: Record<string, string>): Promise<EngineStack> {
  return scenarioStack({ emulators, stackFile: "staging", drop: ["slipway:github"], secrets: stagingSecrets(), env });
}
