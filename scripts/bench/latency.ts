/**
 * `up` with one change and `slipway rollback`, with the emulators running at real time (timeScale 1): each
 * platform wait takes as long as the emulator models it, and the bench divides the wall time by the operation's
 * critical path — the platform waits it cannot avoid, summed — read from the emulators themselves:
 *   - Coolify: every deployment the operation queued, from its `created_at` to its last status change
 *     (pickup, image pull and start, health-check start period and first interval; test/emulators/coolify/rollout.ts);
 *   - Fly: every machine update, stopping + starting→started (test/emulators/fly/state.ts TIMING), one after
 *     another in a rolling update with maxUnavailable 1. The emulator passes checks as soon as a machine is
 *     started, so no check interval is on that path.
 * The rollback is the operations CLI run as a user runs it: `node infra/cli/bin.js rollback <stack> --yes`.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ROOT_PROJECT, killMarked } from "../../test/e2e/harness";
import { callsSince, logMark, startEmulators, type Emulators, type TaggedCall } from "../../test/e2e/stacks";
import { TIMING as FLY_TIMING } from "../../test/emulators/fly/state";
import { releaseMessage, type ReleaseInfo } from "../../infra/cli/releases";
import { flyRollingStack, stagingStack, type BenchStack } from "./stacks";

export interface LatencySample {
  name: string;
  ms: number;
  /** The platform waits the operation could not avoid, summed (see the header). */
  criticalMs: number;
  /** How the critical path was made up, for the report. */
  criticalDetail: string;
  calls: TaggedCall[];
}

export interface LatencyResults {
  staging: { change: LatencySample; rollback: LatencySample };
  fly: { change: LatencySample; rollback: LatencySample; machines: number };
}

const REPO = "ghcr.io/acme/shop";
export const digest = (n: number): string => `${REPO}@sha256:${n.toString(16).padStart(2, "0").repeat(32)}`;

/** `pulumi up` as `slipway deploy` runs a release: image + release info in config, the release in the message. */
export async function releaseUp(b: BenchStack, image: string, n: number, onEvent?: (e: EngineEvent) => void): Promise<void> {
  const info: ReleaseInfo = { tag: `v1.${n}.0`, image, actor: "bench", time: new Date().toISOString() };
  await b.stack.stack.setConfig("slipway:image", { value: JSON.stringify({ kind: "pinned", ref: image }) });
  await b.stack.stack.setConfig("slipway:release", { value: JSON.stringify(info) });
  await b.stack.stack.up({ onEvent, message: releaseMessage(undefined, info) });
}

/** `slipway rollback <stack> --yes` in its own process, against the stack's backend and project copy. */
function cliRollback(b: BenchStack, timeoutMs: number): Promise<void> {
  const s = b.stack;
  const env = { ...process.env, ...s.env, SLIPWAY_PROJECT_DIR: s.workDir };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT_PROJECT, "infra/cli/bin.js"), "rollback", s.stack.name, "--yes"], { cwd: ROOT_PROJECT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      killMarked(s.marker, "SIGKILL");
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`slipway rollback ${s.stack.name} exited ${code}: ${out.slice(-2000)}`));
    });
  });
}

function coolifyCritical(emu: Emulators, before: number): { ms: number; detail: string } {
  const deployments = emu.coolify.state.deployments.slice(before);
  const durations = deployments.map((d) => Date.parse(d.updated_at) - Date.parse(d.created_at));
  const ms = durations.reduce((a, b) => a + b, 0);
  return { ms, detail: `${deployments.length} Coolify deployment(s): ${durations.map((d) => `${(d / 1000).toFixed(1)} s`).join(" + ") || "none"}` };
}

function flyCritical(calls: readonly TaggedCall[]): { ms: number; detail: string } {
  const updates = calls.filter((c) => c.emulator === "fly" && c.operationId === "Machines_update" && c.status >= 200 && c.status < 300).length;
  const each = FLY_TIMING.stopping + FLY_TIMING.startingToStarted;
  return { ms: updates * each, detail: `${updates} machine update(s) one after another × (stopping ${FLY_TIMING.stopping} ms + starting→started ${FLY_TIMING.startingToStarted} ms)` };
}

async function timedOp(
  name: string,
  emu: Emulators,
  critical: (calls: TaggedCall[], deploymentsBefore: number) => { ms: number; detail: string },
  op: () => Promise<void>,
): Promise<LatencySample> {
  const mark = logMark(emu);
  const deploymentsBefore = emu.coolify.state.deployments.length;
  const start = performance.now();
  await op();
  const ms = performance.now() - start;
  const calls = callsSince(emu, mark);
  const c = critical(calls, deploymentsBefore);
  return { name, ms, criticalMs: c.ms, criticalDetail: c.detail, calls };
}

/** Runs the whole latency phase on its own real-time emulators; `progress` reports each step. */
export async function runLatency(opts: { opTimeoutMs: number; progress: (l: string) => void }): Promise<LatencyResults> {
  const emu = await startEmulators({ timeScale: 1 });
  const stacks: BenchStack[] = [];
  try {
    const staging = await stagingStack(emu, "staging-latency");
    stacks.push(staging);
    opts.progress("latency (emulators at real time): staging up from nothing, untimed");
    await releaseUp(staging, digest(1), 1);
    const coolify = (_: TaggedCall[], before: number) => coolifyCritical(emu, before);
    opts.progress("latency: staging up with one change (new image digest)");
    const sChange = await timedOp("staging: up with one change", emu, coolify, () => releaseUp(staging, digest(2), 2));
    opts.progress("latency: staging slipway rollback --yes");
    const sRollback = await timedOp("staging: slipway rollback --yes", emu, coolify, () => cliRollback(staging, opts.opTimeoutMs));

    const fly = await flyRollingStack(emu, opts.opTimeoutMs);
    stacks.push(fly);
    opts.progress("latency: Fly app with 5 machines (rolling, 2 s checks) up from nothing, untimed");
    await releaseUp(fly, digest(1), 1);
    const flyPath = (calls: TaggedCall[]) => flyCritical(calls);
    opts.progress("latency: Fly up with one change (rolling update of every machine)");
    const fChange = await timedOp("Fly 5 machines: up with one change", emu, flyPath, () => releaseUp(fly, digest(2), 2));
    opts.progress("latency: Fly slipway rollback --yes");
    const fRollback = await timedOp("Fly 5 machines: slipway rollback --yes", emu, flyPath, () => cliRollback(fly, opts.opTimeoutMs));
    // The app's machines, as the rolling update touched them (the release command's one-shot machine is not one).
    const machines = new Set(fChange.calls.filter((c) => c.operationId === "Machines_update").map((c) => c.path.split("?")[0])).size;
    return { staging: { change: sChange, rollback: sRollback }, fly: { change: fChange, rollback: fRollback, machines } };
  } finally {
    for (const b of stacks) await b.stack.cleanup().catch(() => undefined);
    await emu.close().catch(() => undefined);
  }
}
