import { cpus, loadavg, totalmem, type as osType, release as osRelease } from "node:os";
import type { EngineManifest } from "../engine";
import { countCalls, markdownTable, median, textTable } from "../sandbox/report";
import type { LatencySample } from "./latency";
import type { BenchResults, PreviewSample } from "./run";
import type { Split } from "./split";

/** Turns the bench's measurements into the printed tables and docs/BENCHMARKS.md. Nothing here is measured. */

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  engine: string;
  loadBefore: number[];
}

export function machine(manifest: EngineManifest): Machine {
  const c = cpus();
  return {
    date: new Date().toISOString(),
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${osRelease()}`,
    node: process.version,
    engine: `pulumi ${manifest.cliVersion} (${manifest.cliSource}), @pulumi/pulumi ${manifest.sdkVersion}`,
    loadBefore: loadavg().map((l) => Math.round(l * 10) / 10),
  };
}

/** The goals of issue 13: no-op preview medians as a multiple of the empty program's. */
export const GOALS = { staging: 1.5, sandbox: 2, flyRollbackMs: 30_000 } as const;

const s = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? "-" : `${(ms / 1000).toFixed(2)} s`);
const med = (xs: readonly PreviewSample[]): number => median(xs.map((x) => x.ms));
const ratio = (r: BenchResults, k: "staging" | "sandbox", base: "empty" | "empty-ts" = "empty"): number => med(r.previews[k]) / med(r.previews[base]);

export interface Verdict {
  line: string;
  met: boolean;
}

export function verdicts(r: BenchResults): Verdict[] {
  const v = (name: string, value: number, goal: number, unit: "×" | "s"): Verdict => {
    const met = value <= goal;
    const shown = unit === "×" ? `${value.toFixed(2)}×` : s(value);
    const goalShown = unit === "×" ? `${goal}×` : s(goal);
    return { met, line: `${met ? "MET " : "MISSED"}  ${name}: ${shown} (goal ≤ ${goalShown})` };
  };
  return [
    v("no-op preview, staging / empty program", ratio(r, "staging"), GOALS.staging, "×"),
    v(`no-op preview, sandbox (${r.inventory.sandbox.count} resources in state) / empty program`, ratio(r, "sandbox"), GOALS.sandbox, "×"),
    v(`rollback of the ${r.latency.fly.machines}-machine rolling Fly app (2 s checks), wall time`, r.latency.fly.rollback.ms, GOALS.flyRollbackMs, "s"),
  ];
}

export function previewRows(r: BenchResults): string[][] {
  const row = (name: string, k: keyof BenchResults["previews"]): string[] => {
    const xs = r.previews[k].map((x) => x.ms);
    return [name, s(median(xs)), String(xs.length), xs.length > 1 ? `${s(Math.min(...xs))} – ${s(Math.max(...xs))}` : ""];
  };
  return [
    row("empty program (JavaScript entry, as slipway's) — the baseline", "empty"),
    row(`staging stack (${r.inventory.staging.count} resources in state)`, "staging"),
    row(`sandbox stack (${r.inventory.sandbox.count} resources in state)`, "sandbox"),
    row("empty program in TypeScript under tsx (the previous baseline, for comparison)", "empty-ts"),
    ["ratio staging / empty", `${ratio(r, "staging").toFixed(2)}×`, "", `goal ≤ ${GOALS.staging}×`],
    ["ratio sandbox / empty", `${ratio(r, "sandbox").toFixed(2)}×`, "", `goal ≤ ${GOALS.sandbox}×`],
    ["ratio staging / empty TypeScript under tsx", `${ratio(r, "staging", "empty-ts").toFixed(2)}×`, "", "for comparison"],
  ];
}

const SPLIT_PARTS: { key: keyof Split; label: string }[] = [
  { key: "engineToProgram", label: "call → program process started (CLI, engine, language host)" },
  { key: "runner", label: "program process → entry required (node, @pulumi/pulumi's runner, Stack resource)" },
  { key: "sdkIndex", label: "@pulumi/pulumi's index loaded by the program" },
  { key: "programTooling", label: "typescript + @npmcli/arborist loaded in the program" },
  { key: "programModules", label: "slipway's modules (entry, bundle check + load, zod, platform SDKs)" },
  { key: "pluginAfterProgram", label: "program process → plugin process started (the preload's Invoke)" },
  { key: "registrations", label: "modules loaded → last registration answered (config, composition, engine steps, check/diff)" },
  { key: "programExit", label: "last registration → program exited" },
  { key: "programTraces", label: "  of which: stack traces formatted in the program (source-mapped)" },
  { key: "pluginStart", label: "call → dynamic-provider plugin process started" },
  { key: "pluginStartup", label: "plugin process → ready (node, SDK runtime)" },
  { key: "pluginTooling", label: "typescript + @npmcli/arborist loaded in the plugin" },
  { key: "pluginProviders", label: "provider modules loaded in the plugin" },
  { key: "providerCalls", label: "check/diff calls served by the plugin (sum of their durations)" },
  { key: "engineFinish", label: "program exited → preview returned (engine finishing)" },
  { key: "total", label: "total" },
];

/** Rows: [part, empty, staging, sandbox] — medians over the rounds of each part. */
export function splitRows(r: BenchResults): string[][] {
  const col = (k: keyof BenchResults["previews"], key: keyof Split): string => {
    const xs = r.previews[k].map((p) => p.split?.[key]).filter((x): x is number => typeof x === "number");
    return xs.length ? s(median(xs)) : "-";
  };
  const rows = SPLIT_PARTS.map(({ key, label }) => [label, col("empty", key), col("staging", key), col("sandbox", key)]);
  const count = (k: "staging" | "sandbox") => median(r.previews[k].map((p) => p.split?.providerCallCount ?? 0));
  rows.push(["check/diff calls per preview", "0", String(count("staging")), String(count("sandbox"))]);
  return rows;
}

export function latencyRows(r: BenchResults): string[][] {
  const row = (x: LatencySample): string[] => {
    const c = countCalls(x.calls);
    const writes = c.coolify.writes + c.fly.writes + c.github.writes;
    return [x.name, s(x.ms), s(x.criticalMs), x.criticalMs > 0 ? `${(x.ms / x.criticalMs).toFixed(2)}×` : "-", String(writes), x.criticalDetail];
  };
  const l = r.latency;
  return [row(l.staging.change), row(l.staging.rollback), row(l.fly.change), row(l.fly.rollback)];
}

const PREVIEW_HEADER = ["no-op preview", "median", "runs", "range"];
const SPLIT_HEADER = ["where the time goes (medians)", "empty", "staging", "sandbox"];
const LATENCY_HEADER = ["operation (emulators at real time)", "wall", "critical path", "ratio", "writes", "critical path made of"];

export function printable(r: BenchResults): string {
  return [
    verdicts(r).map((v) => v.line).join("\n"),
    "",
    textTable(PREVIEW_HEADER, previewRows(r)),
    "",
    textTable(SPLIT_HEADER, splitRows(r)),
    "",
    textTable(LATENCY_HEADER, latencyRows(r)),
  ].join("\n");
}

export function benchmarksDoc(r: BenchResults, m: Machine, settings: { reps: number }, seconds: number): string {
  const types = (t: Record<string, number>) => Object.entries(t).map(([k, n]) => `${n}× \`${k}\``).join(", ");
  return `# slipway benchmarks

Generated by \`npm run bench\` (scripts/bench.ts) on ${m.date}, in ${Math.round(seconds)} s. Do not edit by hand: rerun the bench.
Every number below was measured in that run — wall-clock times around real engine operations, the probe lines
of the engine's node processes (\`scripts/bench/probe.js\`, loaded into each with \`NODE_OPTIONS=--require\`), and API
calls from the emulators' request logs. The engine runs against the **local API emulators**, not real Coolify or
Fly.io.

**Machine**: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, node ${m.node}; load average before the run
${m.loadBefore.join(" / ")} (1/5/15 min) — the cores are shared with other work, so absolute times are noisy;
the ratios of one interleaved run are the stable part.
**Engine**: ${m.engine}, offline, file:// backend in a temp dir, passphrase secrets.
**Repetitions**: ${settings.reps} interleaved rounds of no-op previews (empty, staging, empty-ts, sandbox); medians are reported.

## Goals

${verdicts(r).map((v) => `- ${v.line}`).join("\n")}

## No-op preview

${markdownTable(PREVIEW_HEADER, previewRows(r))}

The staging stack is Pulumi.staging.yaml without \`slipway:github\` (its provider plugin cannot be built offline):
${types(r.inventory.staging.types)}. The sandbox stack is what \`npm run sandbox\` deploys (staging plus one Fly
machine): ${types(r.inventory.sandbox.types)}. Set up once each with \`up\` (${s(r.setupMs.staging)} and ${s(r.setupMs.sandbox)}); every
preview asserts it plans no change.

## Where the time goes

Medians per part over the rounds, from the probes. Parts overlap where processes run at the same time (the
program's preload has the engine start the plugin with an Invoke sent from a worker thread, so the plugin starts
up and loads its providers while the program's runner and modules load), so the column does not add up to the
total. Stack traces: the SDK's per-promise
traces, which it prints only with PULUMI_DEBUG_PROMISE_LEAKS, are left unmapped (infra/boot/traces.js); errors
and the registrations' call sites are source-mapped as before.

${markdownTable(SPLIT_HEADER, splitRows(r))}

## up with one change and rollback, at the emulators' real-time latencies

The emulators run at timeScale 1 here, so every platform wait takes as long as the emulator models it; the
critical path is the sum of the waits the operation cannot avoid, read from the emulators (scripts/bench/latency.ts).

${markdownTable(LATENCY_HEADER, latencyRows(r))}

## Method

- **Interleaving**: each round previews the empty program, the staging stack, the TypeScript empty program and the
  sandbox stack, one after another, so all see the same machine load.
- **Empty program** (\`scripts/bench/empty\`): \`main: index.js\`, \`typescript: false\` — slipway's own runtime
  options but for its \`nodeargs\`, which load slipway's preload (infra/boot/program-preload.js): that is slipway's
  code, so its cost and its effect count on slipway's side, and the difference is the program. \`scripts/bench/empty-ts\` is the previous bench's baseline
  (TypeScript run by tsx), reported for comparison with older numbers only.
- **The probe** times module loads (inclusive, first load), stack-trace formatting (whatever
  \`Error.prepareStackTrace\` is installed), gRPC calls on both sides and when a plugin announces its port; it is
  loaded into the empty program's processes too, so its own cost is in both sides of the ratio.
- **Latency phase**: \`up\` as \`slipway deploy\` runs a release (a new image digest); the rollback is
  \`node infra/cli/bin.js rollback <stack> --yes\` in its own process (deploy lock, history, config, up with refresh;
  with \`--yes\` there is no separate preview).
`;
}
