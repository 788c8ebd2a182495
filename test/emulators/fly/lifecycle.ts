import type { IncomingHttpHeaders } from "node:http";
import { encodeConfig } from "./admission";
import { FlyError, FlyState, MachineRecord, S, TIMING, imageRef, ulid } from "./state";

/**
 * Machine state machine, following fly.io/docs/machines/machine-states: created → starting → started;
 * stopping → stopped; suspending → suspended; replacing (during an update) → starting → started;
 * destroying → destroyed; failed when the start cannot complete. Transitions run on the emulated clock.
 */
const RUNNING = new Set(["starting", "started", "replacing"]);
export const SETTLED = new Set(["created", "started", "stopped", "suspended", "failed", "destroyed"]);

export function isRunning(m: MachineRecord): boolean {
  return RUNNING.has(m.state);
}

export function recordEvent(
  st: FlyState,
  m: MachineRecord,
  type: string,
  status: string,
  source = "flyd",
  request: Record<string, unknown> = {},
): string {
  const id = ulid(st.clock.now());
  // The spec types `request` as a bare object; flyd puts e.g. `exit_event` in it.
  m.events.unshift({ id, type, status, source, timestamp: st.clock.now(), request: request as Record<string, never> });
  // The API keeps a bounded recent history; so do we, so a long test cannot grow memory without bound.
  if (m.events.length > 50) m.events.length = 50;
  return id;
}

function setState(st: FlyState, m: MachineRecord, state: string): void {
  m.state = state;
  m.updatedAt = st.clock.now();
}

/** Runs `steps` one after another on the emulated clock; a later request (new token) cancels the rest. */
function runSteps(st: FlyState, m: MachineRecord, steps: { after: number; run: () => void }[]): void {
  const token = ++m.transition;
  const next = (i: number): void => {
    const step = steps[i];
    if (!step) return;
    st.clock.schedule(step.after, () => {
      if (m.transition !== token || m.destroyedAt !== undefined) return;
      step.run();
      next(i + 1);
    });
  };
  next(0);
}

/**
 * The boot: a machine whose `min_secrets_version` is above the app's secrets version cannot get its
 * secrets and fails to start (flyd refuses to launch with secrets older than required), checked when the
 * boot completes so secrets set while it is starting still count.
 */
function bootSteps(st: FlyState, m: MachineRecord, firstDelay: number): { after: number; run: () => void }[] {
  return [
    { after: firstDelay, run: () => (setState(st, m, "starting"), recordEvent(st, m, "start", "starting")) },
    {
      after: TIMING.startingToStarted,
      run: () => {
        const app = st.apps.get(m.appName);
        const need = m.minSecretsVersion ?? 0;
        if (app && need > app.secretsVersion) {
          setState(st, m, "failed");
          recordEvent(st, m, "exit", `failed: secrets version ${need} not available (app is at ${app.secretsVersion})`);
          return;
        }
        setState(st, m, "started");
        recordEvent(st, m, "start", "started");
        if (isOneShot(m.config)) runSteps(st, m, [{ after: TIMING.oneShotRun, run: () => exitOneShot(st, m) }]);
      },
    },
  ];
}

/**
 * A machine that runs a command once (restart policy "no" and an explicit command, like a release command)
 * exits on its own: flyd records an `exit` event with the exit code and the machine becomes stopped. The
 * emulator cannot run the command, so it exits 0 — or 1 when its image was marked unhealthy, which is how
 * tests make a release command fail.
 */
function isOneShot(config: S["fly.MachineConfig"]): boolean {
  const hasCommand = (config.init?.cmd?.length ?? 0) > 0 || (config.init?.exec?.length ?? 0) > 0;
  return config.restart?.policy === "no" && hasCommand;
}

function exitOneShot(st: FlyState, m: MachineRecord): void {
  const exitCode = st.isImageUnhealthy(m.config.image) ? 1 : 0;
  setState(st, m, "stopped");
  recordEvent(st, m, "exit", "stopped", "flyd", {
    exit_event: { exit_code: exitCode, exited_at: st.iso(), oom_killed: false, requested_stop: false, restarting: false, signal: -1 },
    restart_count: 0,
  });
  if (m.config.auto_destroy) destroy(st, m);
}

export function launch(st: FlyState, m: MachineRecord): void {
  recordEvent(st, m, "launch", "created", "user");
  runSteps(st, m, bootSteps(st, m, TIMING.createdToStarting));
}

export function start(st: FlyState, m: MachineRecord): void {
  if (m.state === "started" || m.state === "starting") return;
  if (m.state === "destroying" || m.state === "destroyed") {
    throw new FlyError(412, `failed_precondition: machine ${m.id} is ${m.state}, cannot start`);
  }
  recordEvent(st, m, "start", "requested", "user");
  runSteps(st, m, bootSteps(st, m, 0));
}

export function stop(st: FlyState, m: MachineRecord): void {
  if (!isRunning(m)) return;
  setState(st, m, "stopping");
  recordEvent(st, m, "stop", "stopping", "user");
  const exit = { exit_event: { exit_code: 0, requested_stop: true, restarting: false, signal: 15 }, restart_count: 0 };
  runSteps(st, m, [{ after: TIMING.stopping, run: () => (setState(st, m, "stopped"), recordEvent(st, m, "exit", "stopped", "flyd", exit)) }]);
}

export function suspend(st: FlyState, m: MachineRecord): void {
  if (!isRunning(m)) throw new FlyError(412, `failed_precondition: machine ${m.id} is not started (${m.state})`);
  setState(st, m, "suspending");
  recordEvent(st, m, "suspend", "suspending", "user");
  runSteps(st, m, [{ after: TIMING.suspending, run: () => (setState(st, m, "suspended"), recordEvent(st, m, "suspend", "suspended")) }]);
}

export function restart(st: FlyState, m: MachineRecord): void {
  if (!isRunning(m)) throw new FlyError(412, `failed_precondition: machine ${m.id} is not started (${m.state})`);
  setState(st, m, "stopping");
  recordEvent(st, m, "restart", "stopping", "user");
  runSteps(st, m, [{ after: TIMING.stopping, run: () => setState(st, m, "stopped") }, ...bootSteps(st, m, 0)]);
}

/** An update replaces the running VM: replacing → starting → started; a stopped machine boots unless skip_launch. */
export function relaunch(st: FlyState, m: MachineRecord, skipLaunch: boolean): void {
  recordEvent(st, m, "update", "replacing", "user");
  if (isRunning(m)) {
    setState(st, m, "replacing");
    if (skipLaunch) {
      runSteps(st, m, [{ after: TIMING.stopping, run: () => setState(st, m, "stopped") }]);
    } else {
      runSteps(st, m, bootSteps(st, m, TIMING.stopping));
    }
  } else if (!skipLaunch) {
    runSteps(st, m, bootSteps(st, m, 0));
  }
}

export function destroy(st: FlyState, m: MachineRecord): void {
  setState(st, m, "destroying");
  recordEvent(st, m, "destroy", "destroying", "user");
  runSteps(st, m, [
    {
      after: TIMING.destroying,
      run: () => {
        setState(st, m, "destroyed");
        recordEvent(st, m, "destroy", "destroyed");
        m.destroyedAt = st.clock.now();
        m.lease = undefined;
        // Its volumes stay bound for a while: flyd releases them only after the host cleaned up.
        for (const v of st.volumes.values()) {
          if (v.volume.attached_machine_id === m.id) v.releaseAt = m.destroyedAt + TIMING.volumeRelease;
        }
      },
    },
  ]);
}

/** Active lease, if any (an expired lease is gone, as on the real service). */
export function activeLease(st: FlyState, m: MachineRecord): MachineRecord["lease"] {
  if (m.lease && m.lease.expiresAt * 1000 <= st.clock.now()) m.lease = undefined;
  return m.lease;
}

export function nonceHeader(headers: IncomingHttpHeaders): string | undefined {
  const v = headers["fly-machine-lease-nonce"];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Every write to a leased machine must carry the lease's nonce. Without it the service answers 409 with
 * `aborted: machine ID … lease currently held by …, expires at …` (message as reported by Fly users).
 */
export function assertLease(st: FlyState, m: MachineRecord, headers: IncomingHttpHeaders): void {
  const lease = activeLease(st, m);
  if (!lease || nonceHeader(headers) === lease.nonce) return;
  const expires = new Date(lease.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  throw new FlyError(409, `aborted: machine ID ${m.id} lease currently held by ${lease.owner}, expires at ${expires}`);
}

/** Checks from config.checks and every service's checks, named as flyd names them. */
function checkDefs(config: S["fly.MachineConfig"]): { name: string; path?: string }[] {
  const defs: { name: string; path?: string }[] = [];
  for (const [name, c] of Object.entries(config.checks ?? {})) defs.push({ name, path: c.path });
  (config.services ?? []).forEach((svc, i) =>
    (svc.checks ?? []).forEach((c, j) =>
      defs.push({ name: `servicecheck-${String(i).padStart(2, "0")}-${c.type ?? "tcp"}-${svc.internal_port ?? j}`, path: c.path }),
    ),
  );
  return defs;
}

export function healthPath(config: S["fly.MachineConfig"]): string {
  return checkDefs(config).find((d) => d.path)?.path ?? "/health";
}

/** Checks pass when the machine is started and its image is healthy; otherwise they are critical. */
export function checkStatuses(st: FlyState, m: MachineRecord): S["CheckStatus"][] {
  const healthy = m.state === "started" && !st.isImageUnhealthy(m.config.image);
  return checkDefs(m.config).map((d) => ({
    name: d.name,
    status: healthy ? "passing" : "critical",
    output: healthy ? "Success" : m.state === "started" ? `GET ${d.path ?? "/"}: 503 Service Unavailable` : `machine is ${m.state}`,
    updated_at: st.iso(m.updatedAt),
  }));
}

export function passesChecks(st: FlyState, m: MachineRecord): boolean {
  return m.state === "started" && checkStatuses(st, m).every((c) => c.status === "passing");
}

export function renderMachine(
  st: FlyState,
  m: MachineRecord,
  opts: { summary?: boolean; includeLease?: boolean; nonce?: string } = {},
): S["Machine"] {
  const out: S["Machine"] = {
    id: m.id,
    name: m.name,
    state: m.state,
    region: m.region,
    instance_id: m.version,
    version: m.version,
    private_ip: m.privateIp,
    image_ref: imageRef(m.config.image ?? ""),
    created_at: st.iso(m.createdAt),
    updated_at: st.iso(m.updatedAt),
    cordoned: m.cordoned,
  };
  if (!opts.summary) {
    out.config = encodeConfig(m.config);
    out.events = m.events.slice(0, 10);
    out.checks = checkStatuses(st, m);
    out.host_status = "ok";
  }
  const lease = activeLease(st, m);
  if (opts.includeLease && lease) out.lease = { owner: lease.owner, description: lease.description, expires_at: lease.expiresAt };
  if (opts.nonce) out.nonce = opts.nonce;
  return out;
}
