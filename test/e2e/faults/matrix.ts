import type { FaultKind } from "../../emulators/common/types";
import type { EngineStack, UpOutcome } from "../harness";
import { editConfig, scenarioStack, secretValue, startEmulators, type Emulators } from "../stacks";

/**
 * The fault matrix (issue 11): every mutating route slipway calls during `up` from nothing and during `up` with a
 * new digest, × five faults, on the real engine against the emulators. A case injects ONE fault on ONE route, runs
 * the `up`, runs a plain `up` again if that one failed, and then demands convergence: an empty preview, no
 * duplicate, no orphan, nothing missing (see `convergence`).
 */

/** The client timeout of the matrix's providers; a hang outlasts it. */
export const CLIENT_TIMEOUT_MS = 2_500;

export const FAULTS = {
  "500": { kind: "status", status: 500 },
  "502": { kind: "status", status: 502 },
  "429+Retry-After": { kind: "rateLimit", retryAfterSeconds: 1 },
  "hang past the client timeout": { kind: "hang", ms: CLIENT_TIMEOUT_MS * 2 },
  "ambiguous create (applied, then 500)": { kind: "ambiguous", status: 500 },
} as const satisfies Record<string, FaultKind>;
export type FaultName = keyof typeof FAULTS;

export type Phase = "up from nothing" | "up with a new digest";
export type StackFile = "staging" | "production";

export interface RouteCall {
  emulator: "coolify" | "fly";
  method: string;
  /** Spec path template, what a fault rule names. */
  template: string;
}

export interface FaultCase {
  stack: StackFile;
  phase: Phase;
  route: RouteCall;
  fault: FaultName;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
export const NEXT_IMAGE = `ghcr.io/acme/shop@sha256:${"e".repeat(64)}`;

/** Short retries and a short client timeout: a case is about convergence, not about waiting. */
const FAULT_ENV = {
  SLIPWAY_HTTP_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS),
  SLIPWAY_HTTP_BASE_DELAY_MS: "20",
  SLIPWAY_HTTP_BACKOFF_LIMIT_MS: "300",
};

export interface Scenario {
  emu: Emulators;
  s: EngineStack;
  close(): Promise<void>;
}

export async function scenario(stack: StackFile): Promise<Scenario> {
  const emu = await startEmulators();
  Object.assign(emu.env, FAULT_ENV);
  const s = await scenarioStack({
    emulators: emu,
    stackFile: stack,
    drop: ["slipway:github"],
    secrets: { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: secretValue("stripe") },
    env: FAULT_ENV,
  });
  return { emu, s, close: async () => (await s.cleanup(), await emu.close()) };
}

/** Mutating calls since `mark` in the emulator logs, one entry per distinct route, in first-call order. */
export function routesSince(emu: Emulators, mark: { coolify: number; fly: number }): RouteCall[] {
  const seen = new Map<string, RouteCall>();
  for (const [emulator, log] of [["coolify", emu.coolify.log.slice(mark.coolify)], ["fly", emu.fly.log.slice(mark.fly)]] as const) {
    for (const c of log) {
      if (!MUTATING.has(c.method) || !c.template) continue;
      seen.set(`${emulator} ${c.method} ${c.template}`, { emulator, method: c.method, template: c.template });
    }
  }
  return [...seen.values()];
}

export const newDigest = (s: EngineStack) => editConfig<{ kind: string; ref: string }>(s, "slipway:image", () => ({ kind: "pinned", ref: NEXT_IMAGE }));

/** The routes each phase calls, from one clean run of each. */
export async function discoverRoutes(stack: StackFile): Promise<Record<Phase, RouteCall[]>> {
  const { emu, s, close } = await scenario(stack);
  try {
    await s.up();
    const created = routesSince(emu, { coolify: 0, fly: 0 });
    const mark = { coolify: emu.coolify.log.length, fly: emu.fly.log.length };
    await newDigest(s);
    await s.up();
    return { "up from nothing": created, "up with a new digest": routesSince(emu, mark) };
  } finally {
    await close();
  }
}

export interface CaseResult {
  case: FaultCase;
  /** Whether the faulted `up` itself succeeded (a failed one must converge with one more plain `up`). */
  firstUp: "succeeded" | string;
  /** Empty when converged; otherwise what is wrong. */
  problems: string[];
  /** Whether the fault was actually hit (the route was called while it was armed). */
  hit: boolean;
  ms: number;
}

async function tryUp(s: EngineStack): Promise<UpOutcome | string> {
  try {
    return await s.up();
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split("\n").filter((l) => l.trim()).slice(-3).join(" | ");
  }
}

export interface ArmedResult {
  firstUp: "succeeded" | string;
  problems: string[];
  /** Whether every armed fault was used (its route was called while it was armed). */
  hit: boolean;
  ms: number;
}

/**
 * One scenario on a fresh stack and emulators: (for the update phase, a clean first `up` and a new digest), then
 * `arm` injects the faults, the `up` runs, one more plain `up` runs if it failed, and convergence is checked.
 */
export async function runArmed(stack: StackFile, phase: Phase, arm: (emu: Emulators) => void): Promise<ArmedResult> {
  const started = Date.now();
  const { emu, s, close } = await scenario(stack);
  try {
    if (phase === "up with a new digest") {
      await s.up();
      await newDigest(s);
    }
    arm(emu);
    const first = await tryUp(s);
    const hit = emu.coolify.pendingFaults().length === 0 && emu.fly.pendingFaults().length === 0;
    // The faults belong to the first up: what it left unused must not fail the plain up that follows.
    emu.coolify.clearFaults();
    emu.fly.clearFaults();
    if (typeof first === "string") {
      const again = await tryUp(s);
      if (typeof again === "string") return { firstUp: first, problems: [`the next plain up failed too: ${again}`], hit, ms: Date.now() - started };
    }
    const problems = await convergence(emu, s, stack);
    return { firstUp: typeof first === "string" ? first : "succeeded", problems, hit, ms: Date.now() - started };
  } finally {
    await close();
  }
}

/** Runs one matrix case: one fault on one route. */
export async function runCase(c: FaultCase): Promise<CaseResult> {
  const r = await runArmed(c.stack, c.phase, (emu) =>
    (c.route.emulator === "coolify" ? emu.coolify : emu.fly).injectFault({ method: c.route.method, path: c.route.template, times: 1, fault: FAULTS[c.fault] }),
  );
  return { case: c, ...r };
}

/**
 * Converged: the preview plans nothing; the platform holds exactly what a clean run makes (one project, app and
 * database on Coolify; the app, its five machines and media volumes and the database app, machine and volume on
 * Fly); every platform object is in the state (no orphan) and every id in the state exists (nothing missing).
 */
export async function convergence(emu: Emulators, s: EngineStack, stack: StackFile): Promise<string[]> {
  const problems: string[] = [];
  const preview = await s.preview();
  if (preview.changes.length > 0) problems.push(`preview plans ${preview.changes.map((c) => `${c.op} ${c.urn.split("::").pop()}`).join(", ")}`);
  const stateText = JSON.stringify(await s.exportState());
  const platform: { kind: string; id: string }[] = [];
  if (stack === "staging") {
    const st = emu.coolify.state;
    platform.push(...st.projects.map((p) => ({ kind: "Coolify project", id: p.uuid })));
    platform.push(...st.applications.map((a) => ({ kind: "Coolify application", id: a.uuid })));
    platform.push(...st.databases.map((d) => ({ kind: "Coolify database", id: d.uuid })));
    const expected = { "Coolify project": 1, "Coolify application": 1, "Coolify database": 1 };
    for (const [kind, n] of Object.entries(expected)) {
      const got = platform.filter((p) => p.kind === kind).length;
      if (got !== n) problems.push(`${got} × ${kind} instead of ${n}`);
    }
  } else {
    const st = emu.fly.state;
    const machines = [...st.machines.values()].filter((m) => m.state !== "destroyed" && m.state !== "destroying");
    const volumes = [...st.volumes.values()].filter((v) => v.volume.state !== "destroyed" && v.volume.state !== "pending_destroy");
    platform.push(...[...st.apps.keys()].map((id) => ({ kind: "Fly app", id })));
    platform.push(...machines.filter((m) => !m.config.metadata?.fly_process_group?.includes("release")).map((m) => ({ kind: "Fly machine", id: m.id })));
    platform.push(...volumes.map((v) => ({ kind: "Fly volume", id: v.volume.id })));
    const expected = { "Fly app": 2, "Fly volume": 6 };
    for (const [kind, n] of Object.entries(expected)) {
      const got = platform.filter((p) => p.kind === kind).length;
      if (got !== n) problems.push(`${got} × ${kind} instead of ${n}`);
    }
    const bound = volumes.filter((v) => v.volume.attached_machine_id).map((v) => v.volume.attached_machine_id);
    if (new Set(bound).size !== bound.length) problems.push("two volumes claim one machine");
  }
  for (const p of platform) if (!stateText.includes(`"${p.id}"`)) problems.push(`orphan ${p.kind} ${p.id}`);
  return problems;
}

export function describeCase(c: FaultCase): string {
  return `${c.stack} · ${c.phase} · ${c.route.emulator} ${c.route.method} ${c.route.template} · ${c.fault}`;
}
