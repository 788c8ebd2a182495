/**
 * The Coolify side of one environment: project + environment, Postgres (pgvector) with scheduled backups,
 * and the application with its domains, ports, health check, limits, release command and env.
 */
import * as pulumi from "@pulumi/pulumi";
import { CoolifyApplication, CoolifyDatabase, CoolifyProject, CoolifyVolumeBackup } from "../components/coolify";
import type { PlatformConnection } from "./credentials";
import type { CoolifyTargetConfig, StackConfig } from "./schema";

export interface CoolifyDeployment {
  projectUuid: pulumi.Output<string>;
  environmentUuid: pulumi.Output<string>;
  applicationUuid: pulumi.Output<string>;
  urls: pulumi.Output<string[]>;
  databaseUuid?: pulumi.Output<string>;
  /** Host name of the database on the server's Docker network; never the password. */
  databaseHost?: pulumi.Output<string>;
}

export interface CoolifyInputs {
  config: StackConfig;
  target: CoolifyTargetConfig;
  connection: PlatformConnection;
  imageRef: pulumi.Output<string>;
  env: Record<string, string>;
  secretEnv: Record<string, pulumi.Output<string>>;
  parent: pulumi.Resource;
}

export function composeCoolify(i: CoolifyInputs): CoolifyDeployment {
  const { config, target, parent } = i;
  const connection = { apiUrl: i.connection.apiUrl, token: i.connection.token };
  const opts = { parent };

  const project = new CoolifyProject("coolify-project", { name: target.projectName, environmentName: target.environmentName, connection }, opts);
  const placement = {
    projectUuid: project.projectUuid,
    environmentUuid: project.environmentUuid,
    environmentName: project.environmentName,
    serverUuid: target.serverUuid,
    destinationUuid: target.destinationUuid,
    connection,
  };

  let db: CoolifyDatabase | undefined;
  if (config.database.kind === "postgres") {
    const d = config.database;
    db = new CoolifyDatabase(
      "coolify-postgres",
      {
        ...placement,
        name: `${config.app.name}-db`,
        image: d.image,
        databaseName: d.databaseName,
        backups: d.backups ? { schedule: d.backups.schedule, retentionDays: d.backups.retentionDays } : undefined,
      },
      { parent, protect: d.protect },
    );
  }

  const hc = config.app.healthCheck;
  const app = new CoolifyApplication(
    "coolify-app",
    {
      ...placement,
      name: config.app.name,
      image: i.imageRef,
      // A second public port is reached through its own domains, each carrying the container port (rules-ports.ts).
      domains: [...config.domains, ...config.app.ports.public.flatMap((p) => p.domains.map((d) => `${d}:${p.port}`))],
      port: config.app.ports.http,
      internalPorts: [...config.app.ports.public.map((p) => p.port), ...config.app.ports.internal],
      portMappings: target.portMappings,
      // Left out when slipway:scaling.coolify is: the component takes the same default (components/rules.ts).
      rollingUpdate: config.scaling.coolify?.healthGatedRollingUpdate,
      healthCheck: hc
        ? { path: hc.path, port: hc.port, intervalSeconds: hc.intervalSeconds, timeoutSeconds: hc.timeoutSeconds, startPeriodSeconds: hc.gracePeriodSeconds }
        : undefined,
      limits: config.app.resources ? { cpus: String(config.app.resources.cpus), memory: `${config.app.resources.memoryMb}m` } : undefined,
      preDeploymentCommand: config.app.releaseCommand,
      env: i.env,
      secretEnv: db ? { ...i.secretEnv, DATABASE_URL: db.internalDbUrl } : i.secretEnv,
      deploy: target.instantDeploy,
      // Coolify volumes have no size or snapshots (rules-volumes.ts refuses those); backups are scheduled below.
      volumes: config.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
    },
    { parent, dependsOn: db ? [db] : [], protect: config.volumes.some((v) => v.protect) },
  );

  for (const v of config.volumes) {
    if (!v.backups) continue;
    new CoolifyVolumeBackup(
      `coolify-volume-backup-${v.name}`,
      { applicationUuid: app.uuid, volume: v.name, schedule: v.backups.schedule, retentionDays: v.backups.retentionDays, connection },
      { parent, dependsOn: [app] },
    );
  }

  return {
    projectUuid: project.projectUuid,
    environmentUuid: project.environmentUuid,
    applicationUuid: app.uuid,
    urls: app.urls,
    databaseUuid: db?.uuid,
    databaseHost: db?.internalHost,
  };
}
