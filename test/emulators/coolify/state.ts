import { randomBytes } from "node:crypto";

/** Coolify's resource uuids are 24 lowercase alphanumerics (cuid2-like); clients treat them as opaque. */
export function coolifyUuid(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(24);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export interface ServerRecord {
  id: number;
  uuid: string;
  name: string;
  ip: string;
}

export interface ProjectRecord {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
}

export interface EnvironmentRecord {
  id: number;
  uuid: string;
  name: string;
  project_id: number;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface EnvVarRecord {
  id: number;
  uuid: string;
  key: string;
  value: string;
  is_preview: boolean;
  is_literal: boolean;
  is_multiline: boolean;
  is_shown_once: boolean;
  is_runtime: boolean;
  is_buildtime: boolean;
  comment: string | null;
  created_at: string;
  updated_at: string;
}

/** A Docker volume on the server: it outlives the Coolify storage that named it until someone removes it. */
export interface DockerVolume {
  name: string;
  /** What wrote to it, so a test can tell a volume that kept its data from a fresh one. */
  created_by: string;
  created_at: string;
}

export type DeploymentStatus = "queued" | "in_progress" | "finished" | "failed" | "cancelled-by-user";

export interface LogLine {
  output: string;
  type: "stdout" | "stderr";
  hidden: boolean;
  timestamp: string;
  order: number;
}

export interface DeploymentRecord {
  id: number;
  uuid: string;
  application_uuid: string;
  /** Full image reference this deployment rolls out. */
  image: string;
  status: DeploymentStatus;
  force_rebuild: boolean;
  restart_only: boolean;
  created_at: string;
  updated_at: string;
  logs: LogLine[];
}

/** What runs for an application right now: the container the proxy sends traffic to. */
export interface RunningVersion {
  image: string;
  deployment_uuid: string;
  started_at: string;
}

/** A volume of an application: a docker volume ("persistent") or a file/directory from the host ("file"). */
export interface StorageRecord {
  id: number;
  uuid: string;
  type: "persistent" | "file";
  name: string | null;
  mount_path: string;
  host_path: string | null;
  content: string | null;
  is_directory: boolean;
  fs_path: string | null;
  is_preview_suffix_enabled: boolean;
  created_at: string;
  updated_at: string;
  /** Its one scheduled volume backup (volume-backups.ts), if any. */
  backup?: VolumeBackupRecord;
}

/** A ScheduledVolumeBackup as VolumeBackupsController stores it (one per storage). */
export interface VolumeBackupRecord {
  uuid: string;
  frequency: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  /** Archives made so far (only `POST …/backups/run` makes them here). */
  archives: number;
}

export interface ApplicationRecord {
  id: number;
  uuid: string;
  environment_id: number;
  server_uuid: string;
  name: string;
  description: string | null;
  /** Repository without tag; `repo@sha256` for a digest created through the API (see images.ts). */
  docker_registry_image_name: string;
  /** Tag; the bare hex of a digest created through the API; `sha256-<hex>` in the UI's form. */
  docker_registry_image_tag: string;
  fqdn: string | null;
  /** Every other settable field (ports, limits, health check, commands, labels...), as last written. */
  config: Record<string, unknown>;
  envs: EnvVarRecord[];
  storages: StorageRecord[];
  running: RunningVersion | undefined;
  /** The proxy has no backend while a non-rolling deployment swaps containers. */
  swapping: boolean;
  stopped: boolean;
  deleting: boolean;
  created_at: string;
  updated_at: string;
}

export interface BackupExecutionRecord {
  uuid: string;
  filename: string;
  size: number;
  created_at: string;
  message: string;
  status: "running" | "success" | "failed";
}

export interface BackupRecord {
  id: number;
  uuid: string;
  config: Record<string, unknown>;
  executions: BackupExecutionRecord[];
  created_at: string;
}

export interface DatabaseRecord {
  id: number;
  uuid: string;
  environment_id: number;
  server_uuid: string;
  name: string;
  description: string | null;
  image: string;
  postgres_user: string;
  postgres_password: string;
  postgres_db: string;
  config: Record<string, unknown>;
  status: string;
  envs: EnvVarRecord[];
  backups: BackupRecord[];
  deleting: boolean;
  created_at: string;
  updated_at: string;
}

/** Everything one Coolify instance holds. Plain data, so `inventory()` is a JSON dump of it. */
export class CoolifyState {
  private nextId = 1;
  servers: ServerRecord[] = [];
  projects: ProjectRecord[] = [];
  environments: EnvironmentRecord[] = [];
  applications: ApplicationRecord[] = [];
  databases: DatabaseRecord[] = [];
  deployments: DeploymentRecord[] = [];
  /** Docker volumes on the (single) server, by name. */
  volumes = new Map<string, DockerVolume>();
  /** Coolify v4.3.10 app/Models/ServerSetting.php `deployment_queue_limit` (default 25, bootstrap/helpers/applications.php). */
  deploymentQueueLimit = 25;
  unhealthyImages = new Set<string>();

  constructor(readonly serverUuid: string) {
    this.reset();
  }

  id(): number {
    return this.nextId++;
  }

  reset(): void {
    this.nextId = 1;
    // Coolify always has the host it runs on registered as server "localhost" (id 0).
    this.servers = [{ id: 0, uuid: this.serverUuid, name: "localhost", ip: "host.docker.internal" }];
    this.projects = [];
    this.environments = [];
    this.applications = [];
    this.databases = [];
    this.deployments = [];
    this.volumes.clear();
    this.deploymentQueueLimit = 25;
    this.unhealthyImages.clear();
  }

  project(uuid: string): ProjectRecord | undefined {
    return this.projects.find((p) => p.uuid === uuid);
  }

  /** Environments are addressed by name or uuid within a project. */
  environment(project: ProjectRecord, nameOrUuid: string): EnvironmentRecord | undefined {
    return this.environments.find((e) => e.project_id === project.id && (e.uuid === nameOrUuid || e.name === nameOrUuid));
  }

  application(uuid: string): ApplicationRecord | undefined {
    return this.applications.find((a) => a.uuid === uuid);
  }

  database(uuid: string): DatabaseRecord | undefined {
    return this.databases.find((d) => d.uuid === uuid);
  }

  environmentIsEmpty(env: EnvironmentRecord): boolean {
    return !this.applications.some((a) => a.environment_id === env.id) && !this.databases.some((d) => d.environment_id === env.id);
  }

  /** True when this image reference (or its digest) was marked as failing its health check. */
  imageUnhealthy(image: string): boolean {
    const digest = image.includes("@") ? image.slice(image.indexOf("@") + 1) : undefined;
    return this.unhealthyImages.has(image) || (digest !== undefined && this.unhealthyImages.has(digest));
  }

  /** A JSON dump; secret values are masked like in the request log (`mask` is the log's masker). */
  inventory(mask: (v: unknown) => unknown): unknown {
    return {
      servers: this.servers,
      projects: this.projects,
      environments: this.environments,
      applications: this.applications.map((a) => mask({ ...a, envs: a.envs })),
      databases: this.databases.map((d) => mask(d)),
      deployments: this.deployments.map((d) => ({ ...d, logs: d.logs.length })),
      volumes: [...this.volumes.values()],
      unhealthyImages: [...this.unhealthyImages],
    };
  }
}
