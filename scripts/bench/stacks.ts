/**
 * The stacks the bench measures, made the way the e2e tests and the sandbox make them: the real program and
 * stack files on the real engine, against the local emulators. Every node process of a bench stack carries the
 * probe (scripts/bench/probe.js), which appends what it measured to the stack's probe file.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { EngineStack, ROOT_PROJECT } from "../../test/e2e/harness";
import { scenarioStack, secretValue, setSecrets, type Emulators } from "../../test/e2e/stacks";
import { sandboxConfig, writeStackFile } from "../sandbox/config";

export interface BenchStack {
  name: string;
  stack: EngineStack;
  /** Where the stack's node processes append their probe lines. */
  probeFile: string;
}

const probeDir = mkdtempSync(path.join(tmpdir(), "slipway-bench-probe-"));

/** The environment that loads the probe into every node process of a stack. */
function probeEnv(name: string): { env: Record<string, string>; probeFile: string } {
  const probeFile = path.join(probeDir, `${name}.jsonl`);
  const probe = `--require ${path.join(__dirname, "probe.js")}`;
  return { probeFile, env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, probe].filter(Boolean).join(" "), SLIPWAY_PROBE_FILE: probeFile } };
}

const appSecrets = (): Record<string, string> => ({
  SESSION_SECRET: secretValue("session"),
  STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}`,
});

/** An empty program (scripts/bench/empty: plain JS like slipway's entry, or empty-ts: TypeScript under tsx). */
export async function emptyStack(kind: "empty" | "empty-ts", opTimeoutMs: number): Promise<BenchStack> {
  const p = probeEnv(kind);
  const stack = await EngineStack.create({ project: path.join(__dirname, kind), stackName: "bench", env: p.env, opTimeoutMs });
  return { name: kind, stack, probeFile: p.probeFile };
}

/** Pulumi.staging.yaml without slipway:github (its plugin cannot be built offline): 4 Coolify-side resources. */
export async function stagingStack(emu: Emulators, name = "staging"): Promise<BenchStack> {
  const p = probeEnv(name);
  const stack = await scenarioStack({ emulators: emu, stackFile: "staging", drop: ["slipway:github"], secrets: appSecrets(), env: p.env });
  return { name, stack, probeFile: p.probeFile };
}

/** The sandbox's stack (scripts/sandbox/config.ts): staging on Coolify plus one Fly machine, ~35 resources. */
export async function sandboxStack(emu: Emulators, opTimeoutMs: number): Promise<BenchStack> {
  const p = probeEnv("sandbox");
  const cfg = sandboxConfig(ROOT_PROJECT, { fly: true });
  const stack = await EngineStack.create({ project: ROOT_PROJECT, stackName: "sandbox", env: { ...emu.env, ...p.env }, opTimeoutMs });
  writeStackFile(stack.workDir, "sandbox", cfg.config);
  await setSecrets(stack, Object.fromEntries(cfg.secretNames.map((n) => [n, secretValue(n.toLowerCase())])));
  return { name: "sandbox", stack, probeFile: p.probeFile };
}

/**
 * Pulumi.production.yaml's Fly app without slipway:github, as ONE group of five machines updated one at a time
 * (`strategy: rolling`, `maxUnavailable: 1`) with health checks every 2 s (grace 2 s). Without the media volume
 * and the database: a machine with its own volume is a group of one (stacks/compose-fly.ts), and five groups
 * of one update in parallel — not the rolling update this measures.
 */
export async function flyRollingStack(emu: Emulators, opTimeoutMs: number): Promise<BenchStack> {
  const file = parse(readFileSync(path.join(ROOT_PROJECT, "Pulumi.production.yaml"), "utf8")) as { config: Record<string, unknown> };
  const config = { ...file.config };
  delete config["slipway:github"];
  delete config["slipway:volumes"];
  config["slipway:database"] = { kind: "none" };
  const app = config["slipway:app"] as { healthCheck: Record<string, unknown> };
  config["slipway:app"] = { ...app, healthCheck: { ...app.healthCheck, intervalSeconds: 2, timeoutSeconds: 1, gracePeriodSeconds: 2 } };
  const scaling = config["slipway:scaling"] as { fly: Record<string, unknown> };
  config["slipway:scaling"] = { ...scaling, fly: { ...scaling.fly, minRunning: 5, maxMachines: 5, strategy: "rolling", maxUnavailable: 1 } };
  const p = probeEnv("fly-rolling");
  const stack = await EngineStack.create({ project: ROOT_PROJECT, stackName: "fly-rolling", env: { ...emu.env, ...p.env }, opTimeoutMs });
  writeStackFile(stack.workDir, "fly-rolling", config);
  await setSecrets(stack, appSecrets());
  return { name: "fly-rolling", stack, probeFile: p.probeFile };
}
