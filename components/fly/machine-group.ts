import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveFlyConnection, type FlyConnectionArgs } from "./connection";
import type { DeployStrategy } from "./machine-spec";
import { FLY_MACHINE_DEFAULTS } from "../rules";

/** One service the Fly proxy routes to the machines. */
export interface FlyServiceArgs {
  /** Port the app listens on inside the machine. @example 3000 */
  internalPort: number;
  /** @default "tcp" */
  protocol?: "tcp" | "udp";
  /**
   * Public ports. Omit for the usual web pair; pass `[]` for a private service reached only over Flycast.
   * @default 80 (http, redirects to https when `forceHttps`) and 443 (tls + http)
   */
  ports?: { port: number; handlers: string[] }[];
  /** Redirect plain http to https on port 80. @default true (the app is always served over https) */
  forceHttps?: boolean;
  /** Let the proxy start stopped machines when requests arrive. @default true */
  autostart?: boolean;
  /**
   * What the proxy does with idle machines. `autostop` may come back from Fly as a boolean; slipway normalises it.
   * @default "stop" (idle machines stop, down to `minMachinesRunning`)
   */
  autostop?: "off" | "stop" | "suspend";
  /** Machines the proxy never stops. @default 0 (all machines may stop when idle) */
  minMachinesRunning?: number;
  /** Proxy load limits. @default none (Fly's defaults) */
  concurrency?: { type: "connections" | "requests"; softLimit: number; hardLimit: number };
}

/** A machine-level health check; a deploy waits until every check passes. */
export interface FlyCheckArgs {
  /** @default "http" */
  type?: "http" | "tcp";
  /** @example 3000 */
  port: number;
  /** HTTP path. @default "/" */
  path?: string;
  /** @default "15s" */
  interval?: string;
  /** @default "5s" */
  timeout?: string;
  /** Time after start before failures count. @default "10s" */
  gracePeriod?: string;
}

export interface FlyMachineGroupArgs {
  /** The Fly app the machines belong to. @example app.name */
  app: pulumi.Input<string>;
  /** Image reference, ideally pinned by digest. @example "ghcr.io/acme/web@sha256:…" */
  image: pulumi.Input<string>;
  /** Region every machine runs in. @example "ewr" */
  region: pulumi.Input<string>;
  /** Number of machines. @default 1 @example 3 */
  count?: number;
  /** @default { cpuKind: "shared", cpus: 1, memoryMb: 256 } */
  guest?: { cpuKind?: "shared" | "performance"; cpus?: number; memoryMb?: number };
  /** Plain environment variables (secrets go through `FlySecrets`). @default {} @example { PORT: "3000", LOG_LEVEL: "info" } */
  env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Overrides the image's CMD. @default the image's CMD @example ["node", "server.js"] */
  cmd?: pulumi.Input<string[]>;
  /**
   * What the Fly proxy routes to the machines.
   * @default [] (no proxy services: the machines are reachable only over the private network)
   * @example [{ internalPort: 3000, minMachinesRunning: 1 }]
   */
  services?: FlyServiceArgs[];
  /** Named machine checks. @default {} (a deploy then only waits for `started`) @example { http: { port: 3000, path: "/health" } } */
  checks?: Record<string, FlyCheckArgs>;
  /** Volumes to mount; a volume attaches to one machine, so this needs `count` 1. @default [] */
  mounts?: { volume: pulumi.Input<string>; path: string }[];
  /** Extra machine metadata (slipway adds its group label, config fingerprint and launch id). @default {} @example { release: "v1.4.0" } */
  metadata?: Record<string, pulumi.Input<string>>;
  /** Pass `FlySecrets.version`, so machines start only once they can see those secrets. @default none */
  minSecretsVersion?: pulumi.Input<number>;
  /**
   * How changed machines are replaced: `rolling` updates `maxUnavailable` at a time, waiting for checks;
   * `bluegreen` starts a full new set, then destroys the old; `canary` updates one machine first, then the rest;
   * `immediate` updates all at once without waiting. Machines already updated are reverted when one fails.
   * @default "rolling"
   */
  strategy?: DeployStrategy;
  /** Rolling only: machines updated at once. @default 1 (one machine down at a time) @example 2 */
  maxUnavailable?: number;
  /** @default `fly:*` config or FLY_API_URL / FLY_API_TOKEN */
  connection?: FlyConnectionArgs;
}

/** Validates conflicting args before anything is registered; messages are part of the contract. */
export function validateMachineGroupArgs(name: string, args: FlyMachineGroupArgs): void {
  const prefix = `FlyMachineGroup "${name}"`;
  const count = args.count ?? FLY_MACHINE_DEFAULTS.count;
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`${prefix}: count must be an integer ≥ 0, got ${count}`);
  }
  if (args.maxUnavailable !== undefined && (args.strategy ?? FLY_MACHINE_DEFAULTS.strategy) !== "rolling") {
    throw new Error(`${prefix}: maxUnavailable only applies to the "rolling" strategy, not "${args.strategy}"`);
  }
  if (args.maxUnavailable !== undefined && (!Number.isInteger(args.maxUnavailable) || args.maxUnavailable < 1)) {
    throw new Error(`${prefix}: maxUnavailable must be an integer ≥ 1, got ${args.maxUnavailable}`);
  }
  const mounts = args.mounts ?? [];
  if (mounts.length > 0 && count > 1) {
    throw new Error(`${prefix}: a volume attaches to one machine, so mounts need count 1, got count ${count}`);
  }
  if (mounts.length > 0 && args.strategy === "bluegreen") {
    throw new Error(`${prefix}: the "bluegreen" strategy starts new machines beside the old ones, which cannot share a volume; use "rolling" or "immediate" with mounts`);
  }
  for (const service of args.services ?? []) {
    if (service.minMachinesRunning !== undefined && service.minMachinesRunning > count) {
      throw new Error(`${prefix}: minMachinesRunning (${service.minMachinesRunning}) exceeds count (${count})`);
    }
    if (service.autostop === "off" && service.minMachinesRunning !== undefined) {
      throw new Error(`${prefix}: minMachinesRunning has no effect with autostop "off"; remove one of them`);
    }
  }
}

/** The dynamic resource behind the group: one resource per group, its id is `<app>/<group>`. */
class FlyMachineGroupResource extends DynamicResource {
  declare readonly machineIds: pulumi.Output<string[]>;
  declare readonly image: pulumi.Output<string>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("fly:machine-group"),
      name,
      { machineIds: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection"] },
      "fly",
      "MachineGroup",
    );
  }
}

/** A set of identical Fly machines running the app image, deployed with a health-gated strategy. */
export class FlyMachineGroup extends pulumi.ComponentResource {
  /** Ids of the machines currently in the group. */
  public readonly machineIds: pulumi.Output<string[]>;
  /** The image the machines run (as deployed). */
  public readonly image: pulumi.Output<string>;
  /** The app the machines belong to. */
  public readonly app: pulumi.Output<string>;

  constructor(name: string, args: FlyMachineGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateMachineGroupArgs(name, args);
    const connection = resolveFlyConnection("FlyMachineGroup", args.connection);
    super("slipway:fly:MachineGroup", name, {}, opts);
    const services = (args.services ?? []).map((s) => ({
      internalPort: s.internalPort,
      protocol: s.protocol ?? "tcp",
      ports: (
        s.ports ?? [
          { port: 80, handlers: ["http"] },
          { port: 443, handlers: ["tls", "http"] },
        ]
      ).map((p) => ({ port: p.port, handlers: p.handlers, forceHttps: p.port === 80 && (s.forceHttps ?? true) })),
      autostart: s.autostart ?? FLY_MACHINE_DEFAULTS.autostart,
      autostop: s.autostop ?? FLY_MACHINE_DEFAULTS.autostop,
      minMachinesRunning: s.minMachinesRunning ?? 0,
      ...(s.concurrency ? { concurrency: s.concurrency } : {}),
    }));
    const checks = Object.fromEntries(
      Object.entries(args.checks ?? {}).map(([checkName, c]) => [
        checkName,
        {
          type: c.type ?? "http",
          port: c.port,
          ...((c.type ?? "http") === "http" ? { path: c.path ?? "/", method: "GET" } : {}),
          interval: c.interval ?? "15s",
          timeout: c.timeout ?? "5s",
          gracePeriod: c.gracePeriod ?? "10s",
        },
      ]),
    );

    const group = new FlyMachineGroupResource(
      name,
      {
        connection,
        app: args.app,
        group: name,
        region: args.region,
        image: args.image,
        count: args.count ?? FLY_MACHINE_DEFAULTS.count,
        guest: {
          cpuKind: args.guest?.cpuKind ?? FLY_MACHINE_DEFAULTS.guest.cpuKind,
          cpus: args.guest?.cpus ?? FLY_MACHINE_DEFAULTS.guest.cpus,
          memoryMb: args.guest?.memoryMb ?? FLY_MACHINE_DEFAULTS.guest.memoryMb,
        },
        env: args.env ?? {},
        cmd: args.cmd,
        services,
        checks,
        mounts: args.mounts ?? [],
        metadata: args.metadata ?? {},
        minSecretsVersion: args.minSecretsVersion,
        strategy: args.strategy ?? FLY_MACHINE_DEFAULTS.strategy,
        maxUnavailable: args.maxUnavailable ?? 1,
      },
      // Component-level dependsOn (e.g. the release command) must hold back the resource that does the work.
      { parent: this, dependsOn: opts?.dependsOn },
    );

    this.machineIds = group.machineIds;
    this.image = group.image;
    this.app = pulumi.output(args.app);
    this.registerOutputs({ machineIds: this.machineIds, image: this.image, app: this.app });
  }
}
