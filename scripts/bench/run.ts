/**
 * The bench's phases (scripts/bench.ts is the entry). Every number comes from this run: wall-clock times taken
 * with performance.now() around real engine operations, and API calls from the emulators' request logs.
 */
import * as path from "node:path";
import { EngineStack, ROOT_PROJECT, type StateResource } from "../../test/e2e/harness";
import { scenarioStack, secretValue, startEmulators, type Emulators } from "../../test/e2e/stacks";
import { releaseMessage, type ReleaseInfo } from "../../infra/cli/releases";
import { LOCAL_PASSPHRASE } from "../engine";
import { cliFor, runCli } from "../sandbox/cli";
import { measure, moduleLoadMs, type Sample } from "./measure";

export interface BenchSettings {
  /** Repetitions of the cheap measurements (previews, module loads). */
  reps: number;
  /** Repetitions of `up` with one change. */
  changeReps: number;
  /** Repetitions of `up` from nothing (a `destroy` between two, untimed). */
  upReps: number;
  /** Bound on each engine operation. */
  opTimeoutMs: number;
  progress: (line: string) => void;
}

export interface BenchResults {
  /** node + tsx requiring: an empty module (the baseline), @pulumi/pulumi, slipway's program modules. */
  moduleLoad: { nothing: number[]; pulumiSdk: number[]; slipwayProgram: number[] };
  emptyPreview: Sample[];
  noConfigPreview: Sample[];
  stagingPreview: Sample[];
  upFromNothing: Sample[];
  /** Custom resources in the state after the first `up` (dynamic-provider resources; no components, no providers). */
  resourceCount: number;
  resourceTypes: Record<string, number>;
  upOneChange: Sample[];
  rollback: Sample;
  /** Pulumi.production.yaml (Fly) without slipway:github, up from nothing: the Fly side's calls per resource. */
  production: { up: Sample; resourceCount: number; resourceTypes: Record<string, number> };
}

const REPO = "ghcr.io/acme/shop";
const digest = (n: number): string => `${REPO}@sha256:${n.toString(16).padStart(2, "0").repeat(32)}`;

export async function runBench(settings: BenchSettings): Promise<BenchResults> {
  const { reps, progress } = settings;
  process.env.PULUMI_CONFIG_PASSPHRASE = LOCAL_PASSPHRASE;
  const stacks: EngineStack[] = [];
  let emu: Emulators | undefined;
  try {
    progress("module load outside the engine (node --import=tsx, require, exit)");
    const moduleLoad = { nothing: [] as number[], pulumiSdk: [] as number[], slipwayProgram: [] as number[] };
    moduleLoadMs(path.join(ROOT_PROJECT, "stacks/program.ts")); // warm tsx's transpile cache once, untimed
    for (let i = 0; i < reps; i++) {
      moduleLoad.nothing.push(moduleLoadMs(path.join(__dirname, "empty/index.ts")));
      moduleLoad.pulumiSdk.push(moduleLoadMs("@pulumi/pulumi"));
      moduleLoad.slipwayProgram.push(moduleLoadMs(path.join(ROOT_PROJECT, "stacks/program.ts")));
    }

    progress("empty program: up once (its previews run later, interleaved with slipway's)");
    const empty = await EngineStack.create({ project: path.join(__dirname, "empty"), stackName: "bench", opTimeoutMs: settings.opTimeoutMs });
    stacks.push(empty);
    await empty.stack.up();
    const noConfig = await EngineStack.create({ project: ROOT_PROJECT, stackName: "bench-noconfig", opTimeoutMs: settings.opTimeoutMs });
    stacks.push(noConfig);

    emu = await startEmulators();
    const e = emu;
    const s = await scenarioStack({
      emulators: e,
      stackFile: "staging",
      drop: ["slipway:github"],
      secrets: { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}` },
    });
    stacks.push(s);
    let release = 0;
    const releaseUp = async (onEvent: (ev: import("@pulumi/pulumi/automation").EngineEvent) => void, image: string): Promise<string> => {
      release++;
      const info: ReleaseInfo = { tag: `v1.${release}.0`, image, actor: "bench", time: new Date().toISOString() };
      await s.stack.setConfig("slipway:image", { value: JSON.stringify({ kind: "pinned", ref: image }) });
      await s.stack.setConfig("slipway:release", { value: JSON.stringify(info) });
      return summary(await s.stack.up({ onEvent, message: releaseMessage(undefined, info) }));
    };

    progress("staging stack (Pulumi.staging.yaml without slipway:github): up from nothing");
    const upFromNothing: Sample[] = [];
    for (let i = 0; i < settings.upReps; i++) {
      if (i > 0) await measure(s, e, settings.opTimeoutMs, async () => summary(await s.stack.destroy()));
      upFromNothing.push(await measure(s, e, settings.opTimeoutMs, ({ onEvent }) => releaseUp(onEvent, digest(1))));
    }
    const { count: resourceCount, types: resourceTypes } = inventory(await s.exportState());

    // Interleaved, so the three kinds of preview see the same machine load (the cores are shared): the
    // empty program, slipway with an empty config (stops at validation), the staging stack with no change.
    progress("no-op previews, interleaved: empty program / slipway with an empty config / staging stack");
    const emptyPreview: Sample[] = [];
    const noConfigPreview: Sample[] = [];
    const stagingPreview: Sample[] = [];
    for (let i = 0; i < reps; i++) {
      emptyPreview.push(await measure(empty, undefined, settings.opTimeoutMs, async ({ onEvent }) => summary(await empty.stack.preview({ onEvent }))));
      noConfigPreview.push(
        await measure(noConfig, undefined, settings.opTimeoutMs, async ({ onEvent }) => summary(await noConfig.stack.preview({ onEvent })), {
          expectFailure: /invalid slipway stack config/,
        }),
      );
      stagingPreview.push(await measure(s, e, settings.opTimeoutMs, async ({ onEvent }) => summary(await s.stack.preview({ onEvent }))));
    }

    progress("staging stack: up with one change (a new image digest)");
    const upOneChange: Sample[] = [];
    for (let i = 0; i < settings.changeReps; i++) {
      upOneChange.push(await measure(s, e, settings.opTimeoutMs, ({ onEvent }) => releaseUp(onEvent, digest(2 + i))));
    }

    progress("staging stack: slipway rollback --yes (in-process CLI)");
    const main = await cliFor(s, e, []);
    const rollback = await measure(s, e, settings.opTimeoutMs, async () => {
      const r = await runCli(main, ["rollback", "staging", "--yes"], () => undefined);
      if (r.code !== 0) throw new Error(`slipway rollback exited ${r.code}: ${r.printed.join(" / ")}`);
      return r.printed.filter((l) => /^(rollback|resources|rolled back)/.test(l)).join("; ");
    });
    const running = e.coolify.state.applications[0]?.running?.image;
    if (running !== digest(1 + settings.changeReps - 1)) {
      throw new Error(`after the rollback Coolify runs ${running ?? "nothing"}, expected the previous release ${digest(1 + settings.changeReps - 1)}`);
    }

    progress("production stack (Pulumi.production.yaml without slipway:github, Fly): up from nothing");
    const p = await scenarioStack({
      emulators: e,
      stackFile: "production",
      drop: ["slipway:github"],
      secrets: { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}` },
    });
    stacks.push(p);
    const productionUp = await measure(p, e, settings.opTimeoutMs, async ({ onEvent }) => summary(await p.stack.up({ onEvent })));
    const production = { up: productionUp, ...renameInventory(inventory(await p.exportState())) };

    return { moduleLoad, emptyPreview, noConfigPreview, stagingPreview, upFromNothing, resourceCount, resourceTypes, upOneChange, rollback, production };
  } finally {
    for (const st of stacks) await st.cleanup().catch(() => undefined);
    await emu?.close().catch(() => undefined);
  }
}

/** Custom resources in a state (dynamic-provider resources; no components, no providers), by type. */
function inventory(state: StateResource[]): { count: number; types: Record<string, number> } {
  const custom = state.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const types: Record<string, number> = {};
  for (const r of custom) types[r.type] = (types[r.type] ?? 0) + 1;
  return { count: custom.length, types };
}

function renameInventory(i: { count: number; types: Record<string, number> }): { resourceCount: number; resourceTypes: Record<string, number> } {
  return { resourceCount: i.count, resourceTypes: i.types };
}

function summary(r: { changeSummary?: Record<string, number>; summary?: { resourceChanges?: Record<string, number> } }): string {
  const counts = r.changeSummary ?? r.summary?.resourceChanges ?? {};
  return Object.entries(counts).map(([op, n]) => `${op} ${n}`).join(", ");
}
