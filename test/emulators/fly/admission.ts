import { guestProblem, imageRefProblem, regionProblem } from "../../../components/fly/limits";
import { FlyError, type MachineConfig } from "./state";

/**
 * How the Machines API reads a machine config, echoes it back, and refuses what Fly cannot run. The rules are
 * slipway's own Fly rule source (components/fly/limits.ts), so the emulator refuses exactly what the config
 * check refuses, and both follow Fly's sources cited there.
 */

type Json = Record<string, unknown>;

/**
 * The config as the service holds it after decoding into fly-go's MachineConfig (a Go service): `null` means
 * unset (Go encoding/json leaves the field at its zero value), and `autostop` becomes its enum, read from a
 * boolean or a string (fly-go v0.9.3 machine_types.go MachineAutostop.UnmarshalJSON: true → "stop", false → "off").
 */
export function decodeConfig(raw: unknown): MachineConfig {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null) continue;
      out[k] = k === "autostop" && typeof x === "boolean" ? (x ? "stop" : "off") : walk(x);
    }
    return out;
  };
  return (walk(raw ?? {}) ?? {}) as MachineConfig;
}

/**
 * The config as the service answers it, encoded from fly-go's types: `autostop` "off"/"stop" as booleans
 * (MachineAutostop.MarshalJSON, "for backward compatibility"; the description of fly.MachineService.autostop says
 * the API answers booleans for off and stop), and `force_instance_key` always present, null when unset (its tag
 * has no omitempty: `json:"force_instance_key"`). Clients that re-send what they read therefore send these forms.
 */
export function encodeConfig(config: MachineConfig): MachineConfig {
  const copy = structuredClone(config) as Json;
  const services = copy.services;
  if (Array.isArray(services)) {
    copy.services = services.map((svc: Json) => {
      const out: Json = { ...svc, force_instance_key: svc.force_instance_key ?? null };
      if (svc.autostop === "stop") out.autostop = true;
      else if (svc.autostop === "off") out.autostop = false;
      return out;
    });
  }
  return copy as MachineConfig;
}

/**
 * An unknown region is refused with 422: what the API answered a machine create in a wrong region
 * (fly-apps/terraform-provider-fly#126, "422 Unprocessable Entity" until the region was fixed). The wording of the
 * API's message is not public; flyctl's own is "region %s not found" (internal/command/launch/launch_databases.go, state.go).
 */
export function admitRegion(region: string): void {
  const problem = regionProblem(region);
  if (problem) throw new FlyError(422, problem);
}

/**
 * A config the service cannot run is a 400 with the reason in the message (Fly's JP_Phillips on
 * community.fly.io/t/409-conflict-error-from-machines-api/15555: "400 (Bad Request) which should contain enough
 * information in the error response"): an image reference distribution/reference cannot parse, and a guest that
 * breaks flyctl's size rules (cpu kind, cpus per kind, 256 MB steps, memory per CPU). An omitted guest is Fly's
 * default shared-cpu-1x; omitted fields default to shared, 1 CPU and the kind's minimum memory
 * (fly-go MachinePresets "shared-cpu-1x": 1 × MIN_MEMORY_MB_PER_SHARED_CPU).
 */
export function admitConfig(config: MachineConfig): void {
  if (!config.image) throw new FlyError(400, "invalid_argument: config.image is required");
  const imageProblem = imageRefProblem(config.image);
  if (imageProblem) throw new FlyError(400, `invalid_argument: invalid image ${JSON.stringify(config.image)}: ${imageProblem}`);
  const g = config.guest;
  if (!g) return;
  const cpuKind = g.cpu_kind ?? "shared";
  const cpus = g.cpus ?? 1;
  const memoryMb = g.memory_mb ?? (cpuKind === "performance" ? 2048 : 256) * cpus;
  const problem = guestProblem({ cpuKind, cpus, memoryMb });
  if (problem) throw new FlyError(400, `invalid_argument: invalid guest: ${problem.message}`);
}
