import { cpus, loadavg, totalmem, type as osType, release as osRelease } from "node:os";
import type { EngineManifest } from "../engine";
import { countCalls, markdownTable, median, seconds, textTable } from "../sandbox/report";
import type { Sample } from "./measure";
import type { BenchResults } from "./run";

/** Turns the bench's measurements into the printed table and docs/BENCHMARKS.md. Nothing here is measured. */

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

const med = (xs: readonly number[]): string => (xs.length ? seconds(median(xs)) : "-");
const range = (xs: readonly number[]): string => (xs.length > 1 ? `${seconds(Math.min(...xs))} – ${seconds(Math.max(...xs))}` : "");
const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);

function calls(samples: readonly Sample[]): { writes: number; reads: number } {
  const all = samples.flatMap((s) => s.calls);
  const per = countCalls(all);
  const n = Math.max(1, samples.length);
  return { writes: (per.coolify.writes + per.fly.writes + per.github.writes) / n, reads: (per.coolify.reads + per.fly.reads + per.github.reads) / n };
}

/** Rows: [measurement, median, runs, range]. */
export function timingRows(r: BenchResults): string[][] {
  const ms = (xs: readonly Sample[]) => xs.map((x) => x.ms);
  const ratio = median(ms(r.stagingPreview)) / median(ms(r.emptyPreview));
  return [
    ["start-up: node+tsx load an empty module (no engine)", med(r.moduleLoad.nothing), String(r.moduleLoad.nothing.length), range(r.moduleLoad.nothing)],
    ["start-up: node+tsx load @pulumi/pulumi (no engine)", med(r.moduleLoad.pulumiSdk), String(r.moduleLoad.pulumiSdk.length), range(r.moduleLoad.pulumiSdk)],
    ["start-up: node+tsx load slipway's program modules (no engine)", med(r.moduleLoad.slipwayProgram), String(r.moduleLoad.slipwayProgram.length), range(r.moduleLoad.slipwayProgram)],
    ["start-up: preview call → Stack resource registered, empty program", med(defined(r.emptyPreview.map((s) => s.stackEventMs))), String(r.emptyPreview.length), ""],
    ["start-up: preview call → Stack resource registered, slipway", med(defined(r.stagingPreview.map((s) => s.stackEventMs))), String(r.stagingPreview.length), ""],
    ["start-up: preview call → slipway's first own resource registered", med(defined(r.stagingPreview.map((s) => s.firstResourceMs))), String(r.stagingPreview.length), range(defined(r.stagingPreview.map((s) => s.firstResourceMs)))],
    ["start-up: preview with an empty config (fails at validation, 0 resources)", med(ms(r.noConfigPreview)), String(r.noConfigPreview.length), range(ms(r.noConfigPreview))],
    ["preview, empty program (no-op)", med(ms(r.emptyPreview)), String(r.emptyPreview.length), range(ms(r.emptyPreview))],
    ["preview, staging stack (no-op)", med(ms(r.stagingPreview)), String(r.stagingPreview.length), range(ms(r.stagingPreview))],
    ["ratio staging / empty (no-op preview medians)", `${ratio.toFixed(2)}×`, "", ""],
    [`up from nothing, staging stack (${r.resourceCount} resources)`, med(ms(r.upFromNothing)), String(r.upFromNothing.length), range(ms(r.upFromNothing))],
    ["up with one change (new image digest)", med(ms(r.upOneChange)), String(r.upOneChange.length), range(ms(r.upOneChange))],
    ["rollback (slipway rollback --yes: history, config, preview, up)", seconds(r.rollback.ms), "1", ""],
    [`up from nothing, production stack on Fly (${r.production.resourceCount} resources)`, seconds(r.production.up.ms), "1", ""],
  ];
}

/** Rows: [operation, resources, writes, reads, writes/resource, reads/resource] from the request logs. */
export function callRows(r: BenchResults): string[][] {
  const row = (name: string, samples: readonly Sample[], resources: number): string[] => {
    const c = calls(samples);
    const per = (x: number) => (resources > 0 ? (x / resources).toFixed(2) : "-");
    return [name, String(resources), c.writes.toFixed(1), c.reads.toFixed(1), per(c.writes), per(c.reads)];
  };
  return [
    row("staging (Coolify): up from nothing (per run)", r.upFromNothing, r.resourceCount),
    row("no-op preview (per run)", r.stagingPreview, r.resourceCount),
    row("up with one change (per run)", r.upOneChange, r.resourceCount),
    row("rollback", [r.rollback], r.resourceCount),
    row("production (Fly): up from nothing", [r.production.up], r.production.resourceCount),
  ];
}

/** API operations the first `up` called, by emulator and spec operationId, most frequent first. */
function operations(s: Sample): string[][] {
  const counts = new Map<string, number>();
  for (const c of s.calls) {
    const key = `${c.emulator}|${c.method}|${c.operationId ?? c.path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => [...k.split("|"), String(n)]);
}

/** What the medians say about start-up, computed from them (no numbers typed in). */
function reading(r: BenchResults): string {
  const m = (xs: readonly (number | undefined)[]) => median(defined(xs));
  const empty = m(r.emptyPreview.map((s) => s.ms));
  const staging = m(r.stagingPreview.map((s) => s.ms));
  const stackUp = m(r.stagingPreview.map((s) => s.stackEventMs));
  const first = m(r.stagingPreview.map((s) => s.firstResourceMs));
  // Outside the engine: what loading the SDK's index and slipway's modules costs on top of bare node + tsx.
  const loading = m(r.moduleLoad.slipwayProgram) - m(r.moduleLoad.nothing);
  const gap = first - stackUp;
  return [
    `Reading the medians: a no-op preview of the staging stack takes ${seconds(staging - empty)} more than an empty`,
    `program's. The engine, language host, node and the SDK are up ${seconds(stackUp)} after the call (the empty program:`,
    `${seconds(m(r.emptyPreview.map((s) => s.stackEventMs)))}); slipway's first own resource follows ${seconds(first - stackUp)} later (its modules`,
    `loaded, config read and validated, credentials resolved); the remaining ${seconds(staging - first)} are the`,
    `registrations, the providers' check/diff calls and the engine finishing the preview.`,
    `Outside the engine, node + tsx start in ${seconds(m(r.moduleLoad.nothing))}; loading @pulumi/pulumi's full index adds`,
    `${seconds(m(r.moduleLoad.pulumiSdk) - m(r.moduleLoad.nothing))} and slipway's own modules (stacks/, components/, the @pulumi/github SDK) another`,
    `${seconds(m(r.moduleLoad.slipwayProgram) - m(r.moduleLoad.pulumiSdk))}; ${loading >= 0.7 * gap ? "so the in-engine gap above is mostly module loading, not slipway's own logic" : `that is ${seconds(loading)} of the ${seconds(gap)} in-engine gap; the rest is not module loading`}.`,
  ].join("\n");
}

export function printable(r: BenchResults): string {
  return [
    textTable(["measurement", "median", "runs", "range"], timingRows(r)),
    "",
    "API calls (from the emulators' request logs; resources = custom resources in the state)",
    textTable(["operation", "resources", "writes", "reads", "writes/resource", "reads/resource"], callRows(r)),
  ].join("\n");
}

export function benchmarksDoc(r: BenchResults, m: Machine, settings: { reps: number; changeReps: number; upReps: number }): string {
  return `# slipway benchmarks

Generated by \`npm run bench\` (scripts/bench.ts) on ${m.date}. Do not edit by hand: rerun the bench.
Every number below was measured in that run — wall-clock times around real engine operations, API calls
from the emulators' request logs. The engine runs against the **local API emulators**, not real Coolify or
Fly.io, so platform latency is not in these numbers; what they show is slipway's and the engine's own cost.

**Machine**: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, node ${m.node}; load average before the run
${m.loadBefore.join(" / ")} (1/5/15 min) — the cores are shared with other work, so absolute times are noisy;
the ratio and the call counts are the stable part.
**Engine**: ${m.engine}, offline, file:// backend in a temp dir, passphrase secrets.
**Stack**: Pulumi.staging.yaml without \`slipway:github\` (its provider plugin cannot be built offline), i.e.
Coolify project/environment, pgvector Postgres with backups, the media volume, the domain, the application —
${r.resourceCount} custom resources: ${Object.entries(r.resourceTypes).map(([t, n]) => `${n}× \`${t.replace("pulumi-nodejs:dynamic/", "")}\``).join(", ")}.
**Repetitions**: ${settings.reps} for previews and module loads, ${settings.changeReps} for \`up\` with one change,
${settings.upReps} for the staging stack's \`up\` from nothing (\`destroy\` between, untimed), 1 for rollback and for the
production stack. Medians are reported.

## Times

${markdownTable(["measurement", "median", "runs", "range"], timingRows(r))}

${reading(r)}

## API calls per resource

${markdownTable(["operation", "resources", "writes", "reads", "writes/resource", "reads/resource"], callRows(r))}

Writes are POST/PUT/PATCH/DELETE, reads GET. The GitHub emulator receives nothing: GitHub is not in this stack.

Reads include the providers' bounded polls while a platform works (Coolify deployments, Fly machine and
volume states): their number depends on the poll interval (100 ms here) and the emulated durations, so the
reads per resource are the soft part of this table, the writes the hard part.

Calls made by the staging stack's first \`up\` from nothing, by operation:

${markdownTable(["emulator", "method", "operation", "calls"], operations(r.upFromNothing[0] ?? r.production.up))}

The production stack (Fly: ${Object.entries(r.production.resourceTypes).map(([t, n]) => `${n}× \`${t.replace("pulumi-nodejs:dynamic/", "")}\``).join(", ")}), \`up\` from nothing:

${markdownTable(["emulator", "method", "operation", "calls"], operations(r.production.up))}

## Method

- **Program start-up** is measured three ways, because no single number isolates it:
  1. \`node --import=tsx -e "require(…)"\` of an empty module, of \`@pulumi/pulumi\` alone and of
     \`stacks/program.ts\` (everything infra/index.ts imports) — the module graph's load cost outside the engine,
     tsx cache warm, interleaved;
  2. inside a real \`pulumi preview\`: the time from the Automation API call to the first event of the
     \`pulumi:pulumi:Stack\` resource (engine, language host, node, SDK started) and to the first event of
     slipway's own first resource (the program's modules loaded and config validated). Events arrive over
     the Automation API's local event stream, so these are upper bounds by a few ms;
  3. \`pulumi preview\` of a slipway stack with an **empty config**: the program starts, loads every module,
     fails at validation with one message and registers nothing — engine + start-up, no resources.
  TypeScript is not type-checked at run time (Pulumi.yaml: \`typescript: false\`, \`nodeargs: --import=tsx\`;
  tsx only transpiles), so type-checking is not part of start-up; \`npm run typecheck\` does it.
- **No-op preview**: after \`up\`, \`pulumi preview\` with nothing changed, next to the same preview of an
  empty program (scripts/bench/empty, same runtime options), in the same run and interleaved (empty, empty
  config, staging, empty, …) so all three see the same machine load; the ratio is of the medians.
- **up from nothing / with one change**: \`pulumi up\` as a release (\`slipway:image\` + \`slipway:release\`
  set as \`slipway deploy\` sets them); the change is a new image digest.
- **Rollback**: \`slipway rollback staging --yes\` run in-process (infra/cli/main.ts): reads the update history,
  restores the previous release's config, previews, runs \`up\`; the bench then checks Coolify runs that image.
- Emulator timing: state transitions run 20× faster than real time (emulator default), HTTP retries and poll
  intervals are shortened as in the e2e tests (SLIPWAY_HTTP_*, SLIPWAY_POLL_INTERVAL_MS=100).
`;
}
