/**
 * The plain shapes the Coolify dynamic providers receive as inputs and keep as state. Components build
 * them from their Args; providers validate them with the zod schemas in `schemas.ts` (the engine hands
 * providers untyped JSON, and state written by an older slipway may lack newer fields).
 */
import type { CoolifyConnection } from "./connection";

export type { CoolifyConnection };

/** Inputs of the project resource (a project and one environment inside it). */
export interface ProjectInputs {
  connection: CoolifyConnection;
  name: string;
  description?: string;
  environmentName: string;
}

/** State of the project resource. */
export interface ProjectOutputs extends ProjectInputs {
  projectUuid: string;
  environmentUuid: string;
  /** The project existed before (another stack's, or made by hand): only the environment is ours to delete. */
  adopted?: boolean;
}

/** Health check as Coolify runs it against the container (and gates rolling updates on). */
export interface HealthCheckInputs {
  path: string;
  /** Container port probed; Coolify uses the first exposed port when unset. */
  port?: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
  returnCode: number;
}

export interface LimitsInputs {
  /** Docker `--cpus`, e.g. "1.5". */
  cpus?: string;
  /** Docker `--memory`, e.g. "512m". */
  memory?: string;
}

/** A persistent volume mounted into the application's container. */
export interface VolumeInputs {
  /** Name within the application; on the server it is `<application uuid>-<name>`. */
  name: string;
  mountPath: string;
}

/** Inputs of the application resource (application + env vars + volumes + deploy). */
export interface ApplicationInputs {
  connection: CoolifyConnection;
  /** `<project>/<stack>/<resource>`: what the ownership mark is made from (components/mark.ts). */
  owner?: string;
  projectUuid: string;
  environmentUuid: string;
  environmentName: string;
  serverUuid: string;
  destinationUuid?: string;
  name: string;
  description?: string;
  /** Pinned image reference, `repo@sha256:<hex>`. */
  image: string;
  /** Hostnames (no scheme); sent as `https://host` and read back from `fqdn`. */
  domains: string[];
  /** Container ports, the public HTTP one first. */
  ports: number[];
  /** Host port mappings (`"8080:3000"`); empty when rolling updates are wanted. */
  portMappings: string[];
  healthCheck?: HealthCheckInputs;
  limits?: LimitsInputs;
  preDeploymentCommand?: string;
  postDeploymentCommand?: string;
  /** Plain env vars. */
  env: Record<string, string>;
  /** Secret env vars; the whole map is a secret output of the resource. */
  secretEnv: Record<string, string>;
  /** Persistent volumes; absent in state written before volumes were supported. */
  volumes?: VolumeInputs[];
  /** Secret for Coolify's manual GitHub webhook (`manual_webhook_secret_github`). */
  githubWebhookSecret?: string;
  /** Deploy after create/update and wait for the deployment to finish. */
  deploy: boolean;
}

/** State of the application resource. */
export interface ApplicationOutputs extends ApplicationInputs {
  uuid: string;
  /** Public URLs as Coolify reports them (`fqdn`, split). */
  urls: string[];
  /** The last deployment slipway started, and how it ended. */
  deploymentUuid?: string;
  deploymentStatus?: string;
}

export interface BackupInputs {
  /** Cron expression (or Coolify's `daily`, `hourly`, …). */
  schedule: string;
  /** Days of local backups kept; 0 keeps all. */
  retentionDays: number;
  /** Number of local backups kept; 0 keeps all. */
  retentionAmount: number;
}

/** Inputs of the database resource (a Postgres + its scheduled backup). */
export interface DatabaseInputs {
  connection: CoolifyConnection;
  /** `<project>/<stack>/<resource>`: what the ownership mark is made from (components/mark.ts). */
  owner?: string;
  projectUuid: string;
  environmentUuid: string;
  environmentName: string;
  serverUuid: string;
  destinationUuid?: string;
  name: string;
  description?: string;
  image: string;
  user: string;
  databaseName: string;
  password: string;
  limits?: LimitsInputs;
  backup?: BackupInputs;
}

/** State of the database resource. */
export interface DatabaseOutputs extends DatabaseInputs {
  uuid: string;
  /** Host name on the server's Docker network (the database's uuid in Coolify). */
  internalHost: string;
  port: number;
  /** `postgres://user:password@host:5432/db`: secret. */
  internalDbUrl: string;
  backupUuid?: string;
}
