/**
 * Where a preview's time goes, from the probe lines (scripts/bench/probe.js) its node processes wrote: one
 * record per measured operation, every figure a difference of two wall-clock times taken in those processes
 * (or the bench's own call and return around them). Nothing here is estimated.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const load = z.object({ start: z.number(), ms: z.number() });
const rpc = z.object({ n: z.number(), ms: z.number(), first: z.number(), last: z.number() });
const probeLine = z.object({
  role: z.enum(["program", "plugin"]),
  pid: z.number(),
  start: z.number(),
  end: z.number(),
  ready: z.number(),
  entered: z.number(),
  loads: z.record(z.string(), load),
  rpc: z.record(z.string(), rpc),
  traces: z.object({ n: z.number(), ms: z.number() }),
});
export type ProbeLine = z.infer<typeof probeLine>;

/** The probe lines appended to `file` since byte `from`. */
export function probeLinesSince(file: string, from: number): { lines: ProbeLine[]; size: number } {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return { lines: [], size: from };
  }
  const lines = text
    .slice(from)
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => probeLine.parse(JSON.parse(l)));
  return { lines, size: Buffer.byteLength(text) };
}

/** One operation's split, in ms. Absent parts (no plugin in an empty program) are undefined. */
export interface Split {
  total: number;
  /** The call → the program's node process started: CLI, engine, language host, plugin discovery. */
  engineToProgram: number;
  /** Program process start → the program's entry required: node, @pulumi/pulumi's runner (cmd/run), the Stack resource. */
  runner: number;
  /** @pulumi/pulumi's index, as the program loads it (typescript and arborist included when they load with it). */
  sdkIndex?: number;
  /** typescript and @npmcli/arborist actually loaded in the program (0 while they stay deferred). */
  programTooling: number;
  /**
   * The program's own modules: the entry and the bundle check and load (slipway, zod, the platform SDKs, and the
   * composition that runs while the bundle loads), minus the SDK index. The entry (infra/main.js) returns a
   * function the runner awaits, so the bundle loads after it: both loads count, the wait between them does not.
   */
  programModules?: number;
  /**
   * Program process started → the plugin's process started: the program's preload sends the Invoke that has the
   * engine start the plugin from a worker thread (infra/boot/early-plugin.js), while the runner loads.
   */
  pluginAfterProgram?: number;
  /** Modules loaded → the last RegisterResource answered: config, composition, registrations and the engine's steps. */
  registrations?: number;
  /** Last registration answered → the program process exited (outputs, shutdown). */
  programExit?: number;
  /** Time the program spent formatting stack traces (source-mapped), inside the parts above. */
  programTraces: number;
  /** The call → the dynamic-provider plugin's process started. */
  pluginStart?: number;
  /** Plugin process start → it announced its port: node, the SDK runtime, typescript/arborist if loaded. */
  pluginStartup?: number;
  /** typescript and @npmcli/arborist actually loaded in the plugin. */
  pluginTooling?: number;
  /** Provider modules loaded inside the plugin (through tsx or from a bundle). */
  pluginProviders?: number;
  /** check/diff/read RPCs the plugin served (sum of their durations) and how many. */
  providerCalls?: number;
  providerCallCount?: number;
  /** The program process exited → the operation returned: the engine finishing, the CLI writing the result. */
  engineFinish: number;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const realLoads = (p: ProbeLine, keys: readonly string[]): number => sum(keys.map((k) => Math.max(0, p.loads[k]?.ms ?? 0)));

/** typescript/arborist load time that fell inside [from, to] (already counted as tooling, not as modules). */
function toolingWithin(p: ProbeLine, from: number, to: number): number {
  return sum(["typescript", "arborist"].map((k) => p.loads[k]).map((l) => (l && l.ms > 0 && l.start >= from && l.start < to ? l.ms : 0)));
}

/** Splits one operation (bench call at `t0`, return at `t1`) by its probe lines. */
export function splitOf(lines: readonly ProbeLine[], t0: number, t1: number): Split | undefined {
  const program = lines.find((l) => l.role === "program");
  if (!program) return undefined;
  const plugin = lines.find((l) => l.role === "plugin");
  const entry = program.loads.entry;
  const bundle = program.loads["bundle:program"];
  // The bundle loads inside the entry (a plain export) or after it (an exported function the runner awaits).
  const bundleAfter = entry && bundle && bundle.start >= entry.start + entry.ms ? bundle : undefined;
  const entryEnd = entry ? Math.max(entry.start + entry.ms, bundleAfter ? bundleAfter.start + bundleAfter.ms : 0) : undefined;
  const moduleMs = entry ? entry.ms + (bundleAfter?.ms ?? 0) : undefined;
  const sdk = program.loads.sdk?.ms;
  const lastReg = program.rpc["client registerResource"]?.last;
  const providerKeys = Object.keys(plugin?.loads ?? {}).filter((k) => k.startsWith("bundle:") || k === "providers(tsx)" || k === "tsx" || k === "zod");
  const calls = plugin ? ["server check", "server diff", "server read", "server create", "server update", "server delete"].map((k) => plugin.rpc[k]).filter((r) => r !== undefined) : [];
  return {
    total: t1 - t0,
    engineToProgram: program.start - t0,
    runner: (program.entered || program.start) - program.start,
    sdkIndex: sdk,
    programTooling: realLoads(program, ["typescript", "arborist"]),
    programModules: entry && entryEnd !== undefined && moduleMs !== undefined ? moduleMs - (sdk ?? 0) - toolingWithin(program, entry.start, entryEnd) : undefined,
    pluginAfterProgram: plugin ? plugin.start - program.start : undefined,
    registrations: entryEnd !== undefined && lastReg !== undefined ? lastReg - entryEnd : undefined,
    programExit: lastReg !== undefined ? program.end - lastReg : undefined,
    programTraces: program.traces.ms,
    pluginStart: plugin ? plugin.start - t0 : undefined,
    pluginStartup: plugin && plugin.ready ? plugin.ready - plugin.start : undefined,
    pluginTooling: plugin ? realLoads(plugin, ["typescript", "arborist"]) : undefined,
    pluginProviders: plugin ? realLoads(plugin, providerKeys) : undefined,
    providerCalls: plugin ? sum(calls.map((c) => c.ms)) : undefined,
    providerCallCount: plugin ? sum(calls.map((c) => c.n)) : undefined,
    engineFinish: t1 - program.end,
  };
}
