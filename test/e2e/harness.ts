import { randomUUID } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  ConfigMap,
  EngineEvent,
  LocalWorkspace,
  OpMap,
  OpType,
  Stack,
  UpdateSummary,
} from "@pulumi/pulumi/automation";
import { engineEnv, pulumiCommand, repoRoot } from "../../scripts/engine";

/**
 * One real stack on the real engine, isolated per test: its own file:// backend in a temp dir and its
 * own copy of the project's stack files, so tests never share state or write into the repo.
 *
 * The project directory is mirrored into a temp dir with symlinks (sources, node_modules) and copies of
 * `Pulumi.<stack>.yaml` (the engine writes config there). Symlinks keep node's module identity: every
 * `@pulumi/pulumi` import resolves to the repo's single copy, which the SDK requires.
 */

/** The repo's own program (Pulumi.yaml at the root, main infra/index.ts). */
export const ROOT_PROJECT = repoRoot;

export interface EngineStackOptions {
  /** Absolute path of a directory holding a Pulumi.yaml. */
  project: string;
  /** Stack name; `Pulumi.<stackName>.yaml` is copied from the project when it exists. */
  stackName: string;
  /** Config to set before the first operation; `secret: true` stores it encrypted. */
  config?: Record<string, string | { value: string; secret?: boolean }>;
  /** Extra environment for the engine, the program and its plugins (e.g. emulator URLs). */
  env?: Record<string, string>;
  /** Bound on each engine operation. @default 300_000 ms */
  opTimeoutMs?: number;
}

/** One resource step the engine planned or applied, from its event stream. */
export interface Step {
  urn: string;
  type: string;
  op: OpType;
  /** Top-level property names that differ (the engine's `diffs`). */
  diffs: string[];
  /** Property paths and their kind (`update`, `add`, `delete`, `update-replace`, ...). */
  detailedDiff: Record<string, string>;
  /**
   * Top-level input names whose value differs between the old and new state, computed here from the
   * step's inputs. Needed because dynamic providers only tell the engine *whether* something changed,
   * never *what* (their diff has no field list), so `diffs`/`detailedDiff` stay empty for them. Secret
   * values appear as "[secret]" in events, so a changed secret is not listed.
   */
  changedInputs: string[];
}

export interface OpResult {
  stdout: string;
  stderr: string;
  /** Every resource step with an operation other than `same` (provider resources excluded). */
  changes: Step[];
  /** Steps of provider resources (e.g. the default `pulumi:providers:pulumi-nodejs`, which a config change updates). */
  providerChanges: Step[];
  /** Count per operation, as the engine reported it. */
  summary: OpMap;
  /** Every engine event, for assertions on diagnostics. */
  events: EngineEvent[];
}

export interface UpOutcome extends OpResult {
  outputs: Record<string, { value: unknown; secret: boolean }>;
  update: UpdateSummary;
}

function changedKeys(olds: Record<string, unknown> = {}, news: Record<string, unknown> = {}): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])).sort();
}

const isProvider = (s: Step): boolean => s.type.startsWith("pulumi:providers:");

function collector(): { onEvent: (e: EngineEvent) => void; events: EngineEvent[]; changes: () => Step[] } {
  const events: EngineEvent[] = [];
  return {
    events,
    onEvent: (e) => events.push(e),
    changes: () => {
      // A step appears as a pre event (planned) and an outputs event (applied); keep the last per URN+op.
      const byKey = new Map<string, Step>();
      for (const e of events) {
        const md = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata;
        if (!md || md.op === "same") continue;
        const detailed: Record<string, string> = {};
        for (const [k, v] of Object.entries(md.detailedDiff ?? {})) detailed[k] = v.diffKind;
        byKey.set(`${md.urn}|${md.op}`, {
          urn: md.urn,
          type: md.type,
          op: md.op,
          diffs: md.diffs ?? [],
          detailedDiff: detailed,
          changedInputs: md.op === "create" || md.op === "delete" ? [] : changedKeys(md.old?.inputs, md.new?.inputs),
        });
      }
      return [...byKey.values()];
    },
  };
}

function split(steps: Step[]): { changes: Step[]; providerChanges: Step[] } {
  return { changes: steps.filter((s) => !isProvider(s)), providerChanges: steps.filter(isProvider) };
}

export class EngineStack {
  private closed = false;

  private constructor(
    /** Every process the engine starts inherits this marker, so teardown can find and stop them all. */
    readonly marker: string,
    readonly stack: Stack,
    readonly workDir: string,
    readonly backendDir: string,
    readonly env: Record<string, string>,
    private readonly timeoutMs: number,
  ) {}

  static async create(opts: EngineStackOptions): Promise<EngineStack> {
    const tmp = mkdtempSync(path.join(tmpdir(), "slipway-e2e-"));
    const workDir = path.join(tmp, "project");
    const backendDir = path.join(tmp, "backend");
    mirrorProject(opts.project, workDir, opts.stackName);
    mkdirSync(backendDir, { recursive: true });
    const marker = `slipway-e2e-${randomUUID()}`;
    const env = {
      ...engineEnv({ backendUrl: `file://${backendDir}` }),
      SLIPWAY_E2E_MARKER: marker,
      ...opts.env,
    };
    const ws = await LocalWorkspace.create({ workDir, envVars: env, pulumiCommand: await pulumiCommand() });
    const stack = await Stack.create(opts.stackName, ws);
    const s = new EngineStack(marker, stack, workDir, backendDir, env, opts.opTimeoutMs ?? 300_000);
    if (opts.config) await s.setConfig(opts.config);
    return s;
  }

  async setConfig(config: Record<string, string | { value: string; secret?: boolean }>): Promise<void> {
    const map: ConfigMap = {};
    for (const [k, v] of Object.entries(config)) {
      map[k] = typeof v === "string" ? { value: v } : { value: v.value, secret: v.secret ?? false };
    }
    await this.stack.setAllConfig(map);
  }

  /** Runs one engine operation with a bound; on timeout its process tree is killed and the call rejects. */
  private async bounded<T>(name: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`EngineStack.${name}: stack already cleaned up`);
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        killMarked(this.marker, "SIGKILL");
        reject(new Error(`pulumi ${name} exceeded ${this.timeoutMs} ms on stack ${this.stack.name}`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([run(ac.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async up(opts: { diff?: boolean; refresh?: boolean } = {}): Promise<UpOutcome> {
    const c = collector();
    const r = await this.bounded("up", (signal) => this.stack.up({ ...opts, onEvent: c.onEvent, signal }));
    return {
      stdout: r.stdout,
      stderr: r.stderr,
      outputs: r.outputs,
      update: r.summary,
      summary: r.summary.resourceChanges ?? {},
      ...split(c.changes()),
      events: c.events,
    };
  }

  async preview(opts: { diff?: boolean; refresh?: boolean } = {}): Promise<OpResult> {
    const c = collector();
    const r = await this.bounded("preview", (signal) =>
      this.stack.preview({ ...opts, onEvent: c.onEvent, signal }),
    );
    return { stdout: r.stdout, stderr: r.stderr, summary: r.changeSummary, ...split(c.changes()), events: c.events };
  }

  async refresh(opts: { previewOnly?: boolean } = {}): Promise<OpResult> {
    const c = collector();
    const r = await this.bounded("refresh", async (signal): Promise<{ stdout: string; stderr: string; summary: OpMap }> => {
      if (opts.previewOnly) {
        const p = await this.stack.previewRefresh({ onEvent: c.onEvent, signal });
        return { stdout: p.stdout, stderr: p.stderr, summary: p.changeSummary };
      }
      const u = await this.stack.refresh({ onEvent: c.onEvent, signal });
      return { stdout: u.stdout, stderr: u.stderr, summary: u.summary.resourceChanges ?? {} };
    });
    return { ...r, ...split(c.changes()), events: c.events };
  }

  async destroy(): Promise<OpResult> {
    const c = collector();
    const r = await this.bounded("destroy", (signal) => this.stack.destroy({ onEvent: c.onEvent, signal }));
    return { stdout: r.stdout, stderr: r.stderr, summary: r.summary.resourceChanges ?? {}, ...split(c.changes()), events: c.events };
  }

  /** `pulumi stack export`: the checkpoint the engine would import again. */
  async exportState(): Promise<StateResource[]> {
    const d = await this.bounded("stack export", () => this.stack.exportStack());
    const deployment = d.deployment as { resources?: StateResource[] } | undefined;
    return deployment?.resources ?? [];
  }

  /** The raw text of every file in the backend (checkpoint, backups, history), for plaintext-secret checks. */
  backendText(): string {
    return readTree(this.backendDir);
  }

  /** Stops every process this stack's engine runs started (e.g. to simulate a killed update). */
  killEngine(signal: NodeJS.Signals = "SIGKILL"): number {
    return killMarked(this.marker, signal);
  }

  /** Kills leftover processes and deletes the temp project and backend. Safe to call twice. */
  async cleanup(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    killMarked(this.marker, "SIGKILL");
    rmSync(path.dirname(this.workDir), { recursive: true, force: true });
  }
}

/** A resource as `pulumi stack export` writes it (the fields tests look at). */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  protect?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** Mirror `src` into `dst`: symlink everything, copy `Pulumi.<stackName>.yaml`, skip other stacks' files. */
function mirrorProject(src: string, dst: string, stackName: string): void {
  mkdirSync(dst, { recursive: true });
  const nodeModules = path.join(repoRoot, "node_modules");
  let hasNodeModules = false;
  for (const name of readdirSync(src)) {
    if (name === ".git" || name === ".slipway" || name === ".pulumi-state") continue;
    const from = path.join(src, name);
    if (/^Pulumi\..+\.ya?ml$/.test(name)) {
      if (name === `Pulumi.${stackName}.yaml` || name === `Pulumi.${stackName}.yml`) copyFileSync(from, path.join(dst, name));
      continue;
    }
    if (name === "node_modules") hasNodeModules = true;
    symlinkSync(from, path.join(dst, name));
  }
  // Fixtures have no node_modules of their own: they use the repo's, as if installed in the project.
  if (!hasNodeModules) symlinkSync(nodeModules, path.join(dst, "node_modules"));
}

function readTree(dir: string): string {
  let out = "";
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = path.join(dir, name);
    const st = statSync(p);
    out += st.isDirectory() ? readTree(p) : `\n--- ${p}\n${readFileSync(p, "utf8")}`;
  }
  return out;
}

/**
 * Sends `signal` to every process whose environment carries `SLIPWAY_E2E_MARKER=<marker>`: the engine,
 * its language host, the program and the plugins all inherit it, whatever process group they end up in.
 * Returns how many processes were signalled. Linux only (reads /proc), like the CI machines.
 */
export function killMarked(marker: string, signal: NodeJS.Signals): number {
  const needle = `SLIPWAY_E2E_MARKER=${marker}\0`;
  let count = 0;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1");
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (!`${environ}\0`.includes(needle)) continue;
    try {
      process.kill(Number(pid), signal);
      count++;
    } catch {
      // already gone
    }
  }
  return count;
}
