import { randomBytes } from "node:crypto";
import type { EmulatorClock } from "../common/clock";
import { FlyError, type S } from "./state";

/**
 * The Managed Postgres side of the Fly emulator: clusters with their databases, users, extensions, attachments
 * and backups. Where each behaviour comes from is in SOURCE.md ("Managed Postgres"); what no public source says
 * (how long provisioning takes, the endpoint host names) is listed there as unverified.
 */

/**
 * Emulated milliseconds. The spec says provisioning is asynchronous (`creating` → `initializing` → `ready`, poll
 * `GET /v1/postgres/{id}`); flyctl polls every 5 s (internal/command/mpg/v2/run_create.go). The real durations are
 * not published: these are the emulator's own, short enough for tests, long enough that a provider must poll.
 */
export const PG_TIMING = {
  creating: 10_000,
  initializing: 10_000,
  deleting: 10_000,
  backup: 15_000,
} as const;

export type PgStatus = NonNullable<S["PostgresCluster"]["status"]>;
export type PgPlan = NonNullable<S["PostgresCluster"]["plan"]>;

/** flyctl internal/command/mpg/plans.go MPGPlans: CPU class × count and memory per plan. */
export const PLAN_SIZES: Record<PgPlan, { cpuKind: "shared" | "performance"; cpus: number; memoryMb: number }> = {
  basic: { cpuKind: "shared", cpus: 2, memoryMb: 1024 },
  starter: { cpuKind: "shared", cpus: 2, memoryMb: 2048 },
  launch: { cpuKind: "performance", cpus: 2, memoryMb: 8192 },
  scale: { cpuKind: "performance", cpus: 4, memoryMb: 33792 },
  Performance: { cpuKind: "performance", cpus: 8, memoryMb: 65536 },
};

/**
 * The extensions a database offers. pgvector installs as `vector` (pgvector README); `plpgsql` is Postgres'
 * own, installed everywhere and a system extension (the spec's `system` flag: "cannot be disabled"); PostGIS ones
 * need `postgis_enabled` (spec: "PostGIS extensions require a PostGIS-enabled cluster"). The live list is longer.
 */
export const PG_EXTENSIONS: Record<string, { version: string; description: string; system?: boolean; postgis?: boolean }> = {
  plpgsql: { version: "1.0", description: "PL/pgSQL procedural language", system: true },
  vector: { version: "0.8.0", description: "vector data type and ivfflat and hnsw access methods" },
  citext: { version: "1.6", description: "data type for case-insensitive character strings" },
  pg_trgm: { version: "1.6", description: "text similarity measurement and index searching based on trigrams" },
  pgcrypto: { version: "1.3", description: "cryptographic functions" },
  "uuid-ossp": { version: "1.1", description: "generate universally unique identifiers (UUIDs)" },
  postgis: { version: "3.5.2", description: "PostGIS geometry and geography spatial types and functions", postgis: true },
};

export interface PgDatabase {
  extensions: Map<string, { schema: string; version: string }>;
  /** Rows the tests write and read through the state (the emulator runs no SQL): what "the data" is here. */
  rows: string[];
}

export interface PgBackup {
  backup: S["PostgresBackup"] & { id: string; status: string };
  startedAt: number;
  /** The databases as they were when the backup started: what a restore of it gets. */
  snapshot: Map<string, PgDatabase>;
}

export interface PgCluster {
  id: string;
  name: string;
  orgSlug: string;
  plan: PgPlan;
  region: string;
  diskSizeGb: number;
  pgMajorVersion: "16" | "17";
  postgis: boolean;
  createdAt: number;
  /** When provisioning started; the status follows from the clock (see `pgStatus`). */
  provisionedFrom: number;
  deletingAt?: number;
  databases: Map<string, PgDatabase>;
  users: Map<string, { role: "schema_admin" | "writer" | "reader"; password: string }>;
  attachments: Map<string, string>;
  backups: PgBackup[];
  /** The cluster this one was forked or restored from. */
  source?: string;
}

export function pgClusterId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join("");
}

export function pgPassword(): string {
  return randomBytes(18).toString("base64url");
}

export function copyDatabases(from: Map<string, PgDatabase>): Map<string, PgDatabase> {
  return new Map([...from].map(([name, db]) => [name, { extensions: new Map(db.extensions), rows: [...db.rows] }]));
}

export function pgStatus(c: PgCluster, now: number): PgStatus {
  if (c.deletingAt !== undefined) return now - c.deletingAt >= PG_TIMING.deleting ? "deleted" : "deleting";
  const age = now - c.provisionedFrom;
  if (age < PG_TIMING.creating) return "creating";
  if (age < PG_TIMING.creating + PG_TIMING.initializing) return "initializing";
  return "ready";
}

/** The Managed Postgres world of one emulator; lives on FlyState as `pg`. */
export class PgState {
  clusters = new Map<string, PgCluster>();
  constructor(private readonly clock: () => EmulatorClock) {}

  now(): number {
    return this.clock().now();
  }

  reset(): void {
    this.clusters.clear();
  }

  status(c: PgCluster): PgStatus {
    return pgStatus(c, this.now());
  }

  /** A cluster by id; a cluster whose delete finished is gone (404), as the spec's GET documents only 404. */
  cluster(id: string): PgCluster {
    const c = this.clusters.get(id);
    if (!c || this.status(c) === "deleted") throw new FlyError(404, "Cluster not found");
    return c;
  }

  /** The spec's 410 on routes that change a cluster: "This cluster has been deleted" / "is being deleted". */
  live(id: string): PgCluster {
    const c = this.clusters.get(id);
    if (!c) throw new FlyError(404, "Cluster not found");
    const status = this.status(c);
    if (status === "deleted") throw new FlyError(410, "This cluster has been deleted");
    if (status === "deleting") throw new FlyError(410, "This cluster is being deleted");
    return c;
  }

  /**
   * pg-admin answers only on a ready cluster: the spec tells clients to poll for `ready` before calling the
   * database, user, extension and credential routes, and documents 503 "pg-admin is unavailable; retry after the
   * interval given by the Retry-After header" on them. The emulator answers that 503 until the cluster is ready.
   */
  admin(id: string): PgCluster {
    const c = this.live(id);
    if (this.status(c) !== "ready") throw new FlyError(503, "pg-admin is unavailable");
    return c;
  }

  database(c: PgCluster, name: string): PgDatabase {
    const db = c.databases.get(name);
    if (!db) throw new FlyError(404, "Database not found");
    return db;
  }

  /** Test side door: writes a row into a database, as an app would. */
  insert(clusterId: string, database: string, row: string): void {
    this.database(this.admin(clusterId), database).rows.push(row);
  }

  /** Test side door: the rows of a database. */
  rows(clusterId: string, database: string): string[] {
    return [...this.database(this.cluster(clusterId), database).rows];
  }

  /** The backups' status follows from the clock too: `running` until PG_TIMING.backup has passed. */
  settleBackups(c: PgCluster): void {
    for (const b of c.backups) {
      if (b.backup.status === "running" && this.now() - b.startedAt >= PG_TIMING.backup) {
        b.backup.status = "completed";
        b.backup.finished_at = new Date(b.startedAt + PG_TIMING.backup).toISOString();
      }
    }
  }
}
