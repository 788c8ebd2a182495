/**
 * The Fly.io side of one environment: app (+ certificates for the domains), secrets, volumes, Postgres,
 * the release command, and the machines. Pure mapping from validated config onto the Fly components.
 */
import * as pulumi from "@pulumi/pulumi";
import { FlyApp, FlyMachineGroup, FlyPostgres, FlyReleaseCommand, FlySecrets, FlyVolume } from "../components/fly";
import type { FlyCheckArgs, FlyServiceArgs } from "../components/fly";
import type { PlatformConnection } from "./credentials";
import { allDomains, publicPortChecks, publicPortServices } from "./compose-fly-ports";
import { composeManagedPostgres } from "./compose-fly-database";
import type { FlyScalingConfig, FlyTargetConfig, StackConfig } from "./schema";

export interface FlyDeployment {
  appName: pulumi.Output<string>;
  /** `<app>.fly.dev`: the URL when no custom domain is configured. */
  hostname: pulumi.Output<string>;
  machineIds: pulumi.Output<string[]>;
  /** The Postgres app's private host name, when slipway runs Postgres; never a password. */
  databaseHost?: pulumi.Output<string>;
  databaseApp?: pulumi.Output<string>;
  /** The Fly Managed Postgres cluster's id (kind flyManaged): what a fork in another stack reads; no credentials. */
  managedPostgresClusterId?: pulumi.Output<string>;
}

export interface FlyInputs {
  config: StackConfig;
  target: FlyTargetConfig;
  scaling: FlyScalingConfig;
  connection: PlatformConnection;
  imageRef: pulumi.Output<string>;
  /** Plain env shared by every platform (config env + what slipway derives, e.g. SQLite's DATABASE_URL). */
  env: Record<string, string>;
  /** Secret env values by name, already Pulumi secrets. */
  secretEnv: Record<string, pulumi.Output<string>>;
  parent: pulumi.Resource;
}

const seconds = (n: number) => `${n}s`;

export function composeFly(i: FlyInputs): FlyDeployment {
  const { config, target, scaling, parent } = i;
  const connection = { apiUrl: i.connection.apiUrl, token: i.connection.token };
  const region = scaling.regions[0] as string; // the primary region; schema guarantees ≥ 1
  const opts = { parent };

  const app = new FlyApp("fly-app", { name: target.appName, org: target.org, ips: "public", domains: allDomains(config), connection }, opts);

  const secrets = new FlySecrets("fly-secrets", { app: app.name, values: i.secretEnv, connection }, opts);

  let pg: FlyPostgres | undefined;
  if (config.database.kind === "postgres") {
    const db = config.database;
    pg = new FlyPostgres(
      "fly-postgres",
      {
        name: `${target.appName}-db`,
        org: target.org,
        region,
        image: db.image,
        database: db.databaseName,
        volumeSizeGb: db.volumeSizeGb,
        // Fly backs Postgres up as daily volume snapshots; the retention is the part config controls.
        snapshotRetention: db.backups?.retentionDays,
        network: "internal",
        attachTo: app.name,
        connection,
      },
      { parent, protect: db.protect },
    );
  }

  const managed = config.database.kind === "flyManaged"
    ? composeManagedPostgres({ db: config.database, target, region, app: app.name, connection, parent })
    : undefined;

  // Machines must see the latest secrets, including the DATABASE_URL FlyPostgres / FlyManagedPostgres set on the app.
  const minSecretsVersion = pulumi
    .all([secrets.version, pg ? pg.attachedSecretsVersion : pulumi.output(undefined), managed ? managed.attachedSecretsVersion : pulumi.output(undefined)])
    .apply(([a, b, c]) => Math.max(a, b ?? 0, c ?? 0));

  const guest = { ...scaling.guest };
  const mainCheck: Record<string, FlyCheckArgs> | undefined = config.app.healthCheck
    ? {
        http: {
          type: "http",
          port: config.app.healthCheck.port ?? config.app.ports.http,
          path: config.app.healthCheck.path,
          interval: seconds(config.app.healthCheck.intervalSeconds),
          timeout: seconds(config.app.healthCheck.timeoutSeconds),
          gracePeriod: seconds(config.app.healthCheck.gracePeriodSeconds),
        },
      }
    : undefined;
  const more = publicPortChecks(config);
  const checks = mainCheck || Object.keys(more).length > 0 ? { ...mainCheck, ...more } : undefined;
  // Internal ports need no Fly service: other machines reach them over the private network at <app>.internal.
  const services = (autostop: FlyServiceArgs["autostop"], minMachinesRunning: number): FlyServiceArgs[] => {
    const base = {
      autostart: scaling.autostart,
      autostop,
      // Fly rejects min_machines_running alongside autostop "off" (nothing is ever stopped), so leave it out there.
      ...(autostop === "off" ? {} : { minMachinesRunning }),
    };
    return [{ ...base, internalPort: config.app.ports.http, forceHttps: true }, ...publicPortServices(config, base)];
  };

  const dependsOn: pulumi.Resource[] = [];
  if (config.app.releaseCommand) {
    const release = new FlyReleaseCommand(
      "fly-release",
      { app: app.name, image: i.imageRef, command: ["sh", "-c", config.app.releaseCommand], region, env: i.env, minSecretsVersion, guest, connection },
      opts,
    );
    dependsOn.push(release.done);
  }
  if (pg) dependsOn.push(pg);
  if (managed) dependsOn.push(managed);

  const common = {
    app: app.name,
    image: i.imageRef,
    region,
    guest,
    env: i.env,
    checks,
    minSecretsVersion,
    metadata: { slipway_app: config.app.name },
    connection,
  };

  const groups: FlyMachineGroup[] = [];
  if (config.volumes.length === 0) {
    // One group per region, `maxMachines` each. Fly applies min_machines_running to the primary (first) region
    // only, so the others may all stop when idle. The first region keeps the name `fly-web`, so adding a
    // region never replaces the machines already serving.
    scaling.regions.forEach((r, n) => {
      groups.push(
        new FlyMachineGroup(
          n === 0 ? "fly-web" : `fly-web-${r}`,
          {
            ...common,
            region: r,
            count: scaling.maxMachines,
            services: services(scaling.autostop, n === 0 ? scaling.minRunning : 0),
            strategy: scaling.strategy,
            maxUnavailable: scaling.maxUnavailable,
          },
          { parent, dependsOn },
        ),
      );
    });
  } else {
    // A Fly volume attaches to exactly one machine, so each machine is its own group with its own volumes
    // (rules.ts allows a single region here). The first `minRunning` machines never autostop (that is what
    // "min running" means per machine); the groups depend on each other, so an update rolls through them one
    // at a time and stops at the first failure.
    for (let m = 0; m < scaling.maxMachines; m++) {
      const mounts = config.volumes.map((v) => {
        const vol = new FlyVolume(
          `fly-volume-${v.name}-${m}`,
          { app: app.name, name: v.name, region, sizeGb: v.sizeGb, snapshotRetention: v.snapshotRetentionDays, connection },
          { parent, protect: v.protect },
        );
        return { volume: vol.volumeId, path: v.mountPath };
      });
      const alwaysOn = m < scaling.minRunning;
      groups.push(
        new FlyMachineGroup(
          `fly-web-${m}`,
          { ...common, count: 1, mounts, services: services(alwaysOn ? "off" : scaling.autostop, 0), strategy: scaling.strategy },
          { parent, dependsOn: [...dependsOn, ...groups.slice(-1)] },
        ),
      );
    }
  }

  return {
    appName: app.name,
    hostname: app.hostname,
    machineIds: pulumi.all(groups.map((g) => g.machineIds)).apply((ids) => ids.flat()),
    databaseHost: pg?.host ?? managed?.host,
    databaseApp: pg?.appName,
    managedPostgresClusterId: managed?.clusterId,
  };
}
