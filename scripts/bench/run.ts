/**
 * The bench's phases (scripts/bench.ts is the entry). Every number comes from this run: wall-clock times taken
 * around real engine operations, the probe lines of the engine's node processes (scripts/bench/probe.js), and
 * API calls from the emulators' request logs.
 */
import type { StateResource } from "../../test/e2e/harness";
import { startEmulators, type Emulators, type TaggedCall } from "../../test/e2e/stacks";
import { LOCAL_PASSPHRASE } from "../engine";
import { runLatency, releaseUp, digest, type LatencyResults } from "./latency";
import { measure } from "./measure";
import { probeLinesSince, splitOf, type Split } from "./split";
import { emptyStack, sandboxStack, stagingStack, type BenchStack } from "./stacks";

export interface BenchSettings {
  /** Rounds of the interleaved no-op previews. */
  reps: number;
  /** Bound on each engine operation. */
  opTimeoutMs: number;
  progress: (line: string) => void;
}

/** One measured no-op preview. */
export interface PreviewSample {
  ms: number;
  split?: Split;
  calls: TaggedCall[];
}

export interface Inventory {
  count: number;
  types: Record<string, number>;
}

export interface BenchResults {
  /** Interleaved no-op previews, per stack: empty (JS), empty-ts (TypeScript under tsx), staging, sandbox. */
  previews: Record<"empty" | "empty-ts" | "staging" | "sandbox", PreviewSample[]>;
  /** Resources in each slipway stack's state (everything the engine tracks, the stack and providers included). */
  inventory: { staging: Inventory; sandbox: Inventory };
  /** `up` from nothing of each preview stack, once (untimed setup, reported for scale). */
  setupMs: { staging: number; sandbox: number };
  latency: LatencyResults;
}

function inventory(state: StateResource[]): Inventory {
  const types: Record<string, number> = {};
  for (const r of state) types[r.type] = (types[r.type] ?? 0) + 1;
  return { count: state.length, types };
}

async function previewOnce(b: BenchStack, emu: Emulators | undefined, opTimeoutMs: number): Promise<PreviewSample> {
  const before = probeLinesSince(b.probeFile, 0).size;
  const t0 = Date.now();
  const sample = await measure(b.stack, emu, opTimeoutMs, async ({ onEvent }) => {
    const r = await b.stack.stack.preview({ onEvent });
    const changed = Object.entries(r.changeSummary ?? {}).filter(([op, n]) => op !== "same" && n > 0);
    // A no-op preview that plans a change is a broken bench (or a real diff): neither may be reported as timing.
    if (changed.length > 0) throw new Error(`${b.name}: the no-op preview plans ${changed.map(([op, n]) => `${op} ${n}`).join(", ")}`);
    return "no change";
  });
  const t1 = Date.now();
  const { lines } = probeLinesSince(b.probeFile, before);
  return { ms: sample.ms, split: splitOf(lines, t0, t1), calls: sample.calls };
}

export async function runBench(settings: BenchSettings): Promise<BenchResults> {
  const { reps, progress, opTimeoutMs } = settings;
  process.env.PULUMI_CONFIG_PASSPHRASE = LOCAL_PASSPHRASE;
  const stacks: BenchStack[] = [];
  const emulators: Emulators[] = [];
  try {
    progress("empty programs (JavaScript, and TypeScript under tsx): up once");
    const empty = await emptyStack("empty", opTimeoutMs);
    stacks.push(empty);
    await empty.stack.stack.up();
    const emptyTs = await emptyStack("empty-ts", opTimeoutMs);
    stacks.push(emptyTs);
    await emptyTs.stack.stack.up();

    const emu = await startEmulators();
    emulators.push(emu);
    // The sandbox serves the same domains as staging: on one Coolify they would conflict, as on a real one.
    const emu2 = await startEmulators();
    emulators.push(emu2);
    progress("staging stack (Pulumi.staging.yaml without slipway:github): up from nothing");
    const staging = await stagingStack(emu);
    stacks.push(staging);
    let t = performance.now();
    await releaseUp(staging, digest(1), 1);
    const stagingSetup = performance.now() - t;
    progress("sandbox stack (staging + one Fly machine, as npm run sandbox deploys it): up from nothing");
    const sandbox = await sandboxStack(emu2, opTimeoutMs);
    stacks.push(sandbox);
    t = performance.now();
    await releaseUp(sandbox, digest(1), 1);
    const sandboxSetup = performance.now() - t;

    // Interleaved, so every kind of preview sees the same machine load (the cores are shared).
    const previews: BenchResults["previews"] = { empty: [], "empty-ts": [], staging: [], sandbox: [] };
    for (let i = 0; i < reps; i++) {
      progress(`no-op previews, round ${i + 1}/${reps}: empty / staging / empty-ts / sandbox`);
      previews.empty.push(await previewOnce(empty, undefined, opTimeoutMs));
      previews.staging.push(await previewOnce(staging, emu, opTimeoutMs));
      previews["empty-ts"].push(await previewOnce(emptyTs, undefined, opTimeoutMs));
      previews.sandbox.push(await previewOnce(sandbox, emu2, opTimeoutMs));
    }
    const inv = { staging: inventory(await staging.stack.exportState()), sandbox: inventory(await sandbox.stack.exportState()) };
    for (const b of stacks) await b.stack.cleanup().catch(() => undefined);
    stacks.length = 0;
    for (const e of emulators.splice(0)) await e.close();

    const latency = await runLatency({ opTimeoutMs, progress });
    return { previews, inventory: inv, setupMs: { staging: stagingSetup, sandbox: sandboxSetup }, latency };
  } finally {
    for (const b of stacks) await b.stack.cleanup().catch(() => undefined);
    for (const e of emulators) await e.close().catch(() => undefined);
  }
}
