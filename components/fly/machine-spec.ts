import { createHash } from "node:crypto";
import { z } from "zod";
import type { components } from "./api.gen";

/**
 * The resolved inputs of a machine group (what the dynamic provider receives once every Output is known),
 * and the pure mapping from them to the Fly `MachineConfig` every machine of the group runs.
 * Kept free of IO so request bodies can be unit-tested byte for byte.
 */

export type FlyMachineConfig = components["schemas"]["fly.MachineConfig"];

export const connectionSchema = z.object({ apiUrl: z.string().url(), token: z.string().min(1) });

export const guestSchema = z.object({
  cpuKind: z.enum(["shared", "performance"]),
  cpus: z.number().int().positive(),
  memoryMb: z.number().int().positive(),
});

export const serviceSchema = z.object({
  internalPort: z.number().int().min(1).max(65535),
  protocol: z.enum(["tcp", "udp"]),
  /** Public ports; empty for an internal-only service (reached over Flycast). */
  ports: z.array(z.object({ port: z.number().int(), handlers: z.array(z.string()), forceHttps: z.boolean() })),
  autostart: z.boolean(),
  autostop: z.enum(["off", "stop", "suspend"]),
  minMachinesRunning: z.number().int().min(0),
  concurrency: z
    .object({ type: z.enum(["connections", "requests"]), softLimit: z.number().int(), hardLimit: z.number().int() })
    .optional(),
});

export const checkSchema = z.object({
  type: z.enum(["http", "tcp"]),
  port: z.number().int(),
  path: z.string().optional(),
  method: z.string().optional(),
  interval: z.string(),
  timeout: z.string(),
  gracePeriod: z.string(),
});

export const strategySchema = z.enum(["rolling", "bluegreen", "canary", "immediate"]);
export type DeployStrategy = z.infer<typeof strategySchema>;

export const machineGroupInputsSchema = z.object({
  connection: connectionSchema,
  app: z.string().min(1),
  /** Label shared by every machine of the group (metadata `slipway_group`). */
  group: z.string().min(1),
  region: z.string().min(1),
  image: z.string().min(1),
  count: z.number().int().min(0),
  guest: guestSchema,
  env: z.record(z.string(), z.string()),
  cmd: z.array(z.string()).optional(),
  services: z.array(serviceSchema),
  checks: z.record(z.string(), checkSchema),
  mounts: z.array(z.object({ volume: z.string(), path: z.string() })),
  metadata: z.record(z.string(), z.string()),
  minSecretsVersion: z.number().int().optional(),
  strategy: strategySchema,
  maxUnavailable: z.number().int().min(1),
});
export type MachineGroupInputs = z.infer<typeof machineGroupInputsSchema>;

/** Metadata keys slipway owns on every machine it creates. */
export const GROUP_KEY = "slipway_group";
export const LAUNCH_KEY = "slipway_launch_id";
export const FINGERPRINT_KEY = "slipway_config";

/** The machine config for the group, without the per-machine launch id. Key order is fixed (stable JSON). */
export function buildMachineConfig(spec: MachineGroupInputs): FlyMachineConfig {
  const config: FlyMachineConfig = {
    image: spec.image,
    guest: { cpu_kind: spec.guest.cpuKind, cpus: spec.guest.cpus, memory_mb: spec.guest.memoryMb },
    env: sortKeys(spec.env),
    services: spec.services.map((s) => ({
      protocol: s.protocol,
      internal_port: s.internalPort,
      autostart: s.autostart,
      autostop: s.autostop,
      // Fly rejects min_machines_running next to autostop "off" (nothing is ever stopped), so it is left out there.
      ...(s.autostop === "off" ? {} : { min_machines_running: s.minMachinesRunning }),
      ports: s.ports.map((p) => ({ port: p.port, handlers: p.handlers, force_https: p.forceHttps })),
      ...(s.concurrency
        ? { concurrency: { type: s.concurrency.type, soft_limit: s.concurrency.softLimit, hard_limit: s.concurrency.hardLimit } }
        : {}),
    })),
    checks: Object.fromEntries(
      Object.keys(spec.checks)
        .sort()
        .map((name) => {
          const c = spec.checks[name]!;
          return [
            name,
            {
              type: c.type,
              port: c.port,
              interval: c.interval,
              timeout: c.timeout,
              grace_period: c.gracePeriod,
              ...(c.type === "http" ? { method: c.method ?? "GET", path: c.path ?? "/" } : {}),
            },
          ];
        }),
    ),
    mounts: spec.mounts.map((m) => ({ volume: m.volume, path: m.path })),
    restart: { policy: "on-failure", max_retries: 10 },
    metadata: { ...sortKeys(spec.metadata), fly_process_group: "app", [GROUP_KEY]: spec.group },
  };
  if (spec.cmd && spec.cmd.length > 0) config.init = { cmd: spec.cmd };
  config.metadata = { ...config.metadata, [FINGERPRINT_KEY]: fingerprint(config, spec.minSecretsVersion) };
  return config;
}

/**
 * A short hash of everything that should restart a machine: its config and the secrets version it must see.
 * Stored in the machine's metadata so "is this machine up to date?" does not depend on how Fly normalizes
 * configs it echoes back (e.g. `autostop` returned as a boolean).
 */
export function fingerprint(config: FlyMachineConfig, minSecretsVersion: number | undefined): string {
  const { metadata, ...rest } = config;
  const stable = { ...rest, metadata: omit(metadata ?? {}, [FINGERPRINT_KEY, LAUNCH_KEY]), minSecretsVersion };
  return createHash("sha256").update(stableJson(stable)).digest("hex").slice(0, 16);
}

/** The create body for one machine of the group; `launchId` makes a retried create recognisable. */
export function buildCreateBody(
  spec: MachineGroupInputs,
  launchId: string,
): components["schemas"]["CreateMachineRequest"] {
  const config = buildMachineConfig(spec);
  return {
    region: spec.region,
    config: { ...config, metadata: { ...config.metadata, [LAUNCH_KEY]: launchId } },
    ...(spec.minSecretsVersion !== undefined ? { min_secrets_version: spec.minSecretsVersion } : {}),
  };
}

/** Fly echoes `autostop` as a boolean for "off"/"stop"; normalise before comparing on refresh. */
export function normalizeAutostop(value: unknown): "off" | "stop" | "suspend" | undefined {
  if (value === true || value === "stop") return "stop";
  if (value === false || value === "off") return "off";
  if (value === "suspend") return "suspend";
  return undefined;
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v,
  );
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]!]));
}

function omit<T>(record: Record<string, T>, keys: string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}
