import { spawn } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "../../scripts/engine";
import type { EngineStack } from "./harness";
import { scenarioStack, secretValue, type Emulators } from "./stacks";

/** The CLI as `npx slipway` runs it. */
export const SLIPWAY_BIN = path.join(repoRoot, "infra/cli/bin.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The child is SIGKILLed after this long, so a hung run fails its test instead of the suite. @default 360 000 */
  timeoutMs?: number;
}

/** Runs a command to completion and collects its output; bounded by `timeoutMs`. */
export function runCommand(command: string, args: string[], o: RunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: o.cwd, env: o.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 360_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

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
