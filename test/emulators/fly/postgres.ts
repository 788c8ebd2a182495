import type { Route } from "../common/http";
import { admitRegion } from "./admission";
import { copyDatabases, PLAN_SIZES, pgClusterId, type PgCluster, type PgPlan, type PgState } from "./postgres-state";
import { adminRoutes, cid, created, ONE, P, pgRoute } from "./postgres-admin";
import { ok, qbool } from "./route";
import { FlyError, type FlyState, type S } from "./state";

/**
 * Fly Managed Postgres (`/v1/postgres…` of the Machines API description, ../shared/specs/fly). Behaviours and
 * their sources are in SOURCE.md ("Managed Postgres"); the status codes and bodies are the spec's.
 */


function render(pg: PgState, c: PgCluster): S["PostgresCluster"] {
  const status = pg.status(c);
  const size = PLAN_SIZES[c.plan];
  return {
    id: c.id,
    name: c.name,
    status,
    plan: c.plan,
    region: c.region,
    organization: { slug: c.orgSlug, name: c.orgSlug },
    pg_major_version: c.pgMajorVersion,
    postgis_enabled: c.postgis,
    disk_size_gb: c.diskSizeGb,
    replicas: 1,
    cpu_kind: size.cpuKind,
    cpus: size.cpus,
    memory_mb: size.memoryMb,
    created_at: new Date(c.createdAt).toISOString(),
    attached_apps: [...c.attachments.keys()].map((name) => ({ name })),
    storage_provisioned_bytes: null as unknown as number,
    storage_used_bytes: null as unknown as number,
    // Spec: "Connection endpoints. Populated once the cluster is ready." The host names are the emulator's own.
    ...(status === "ready"
      ? {
          endpoints: {
            primary: {
              direct: { host: `direct.${c.id}.flympg.net`, port: 5432 },
              pooler: { host: `pgbouncer.${c.id}.flympg.net`, port: 5432 },
            },
          },
        }
      : {}),
  };
}

function summary(pg: PgState, c: PgCluster): S["PostgresClusterSummary"] {
  const status = pg.status(c);
  return {
    id: c.id,
    name: c.name,
    status,
    plan: c.plan,
    region: c.region,
    created_at: new Date(c.createdAt).toISOString(),
    attached_apps: [...c.attachments.keys()].map((name) => ({ name })),
    ...(c.deletingAt !== undefined ? { deleted_at: new Date(c.deletingAt).toISOString() } : {}),
  };
}

/** A new cluster that copies `from` (fork, restore): settings, databases with their data and users. */
function copyCluster(st: FlyState, from: PgCluster, name: string, databases: PgCluster["databases"]): PgCluster {
  const now = st.clock.now();
  const copy: PgCluster = {
    ...from,
    id: pgClusterId(),
    name,
    createdAt: now,
    provisionedFrom: now,
    deletingAt: undefined,
    databases,
    users: new Map([...from.users].map(([u, r]) => [u, { ...r }])),
    attachments: new Map(),
    backups: [],
    source: from.id,
  };
  st.pg.clusters.set(copy.id, copy);
  return copy;
}


function clusterRoutes(st: FlyState): Route[] {
  const pg = st.pg;
  return [
    pgRoute("GET", P, (ctx) => {
      const org = ctx.query.org_slug;
      if (!org) throw new FlyError(400, "org_slug is required and must be a string");
      const withDeleted = qbool(ctx.query.include_deleted);
      const data = [...pg.clusters.values()]
        .filter((c) => c.orgSlug === org && (withDeleted || pg.status(c) !== "deleted"))
        .map((c) => summary(pg, c));
      return ok({ data } satisfies S["listPostgresClustersResponse"]);
    }),

    pgRoute("POST", P, (ctx) => {
      const body = (ctx.body ?? {}) as S["createPostgresClusterRequest"];
      if (typeof body.org_slug !== "string" || body.org_slug === "") throw new FlyError(400, "org_slug is required and must be a string");
      admitRegion(body.region);
      // The spec: the plan slug is "matched case-insensitively".
      const plan = (Object.keys(PLAN_SIZES) as PgPlan[]).find((p) => p.toLowerCase() === String(body.plan).toLowerCase());
      if (!plan) throw new FlyError(422, `unknown plan ${body.plan}`);
      const now = st.clock.now();
      const c: PgCluster = {
        id: pgClusterId(),
        name: body.name || `pg-${pgClusterId().slice(0, 8)}`,
        orgSlug: body.org_slug,
        plan,
        region: body.region,
        diskSizeGb: body.disk_size_gb ?? 10,
        // flyctl's default major version (internal/command/mpg/create.go `pg-major-version` Default: 16).
        pgMajorVersion: body.pg_major_version ?? "16",
        postgis: body.postgis_enabled ?? false,
        createdAt: now,
        provisionedFrom: now,
        databases: new Map(),
        users: new Map(),
        attachments: new Map(),
        backups: [],
      };
      pg.clusters.set(c.id, c);
      return created({ data: render(pg, c) } satisfies S["showPostgresClusterResponse"]);
    }),

    pgRoute("GET", ONE, (ctx) => ok({ data: render(pg, pg.cluster(cid(ctx))) } satisfies S["showPostgresClusterResponse"])),

    pgRoute("DELETE", ONE, (ctx) => {
      const c = pg.live(cid(ctx));
      c.deletingAt = st.clock.now();
      return { status: 202 };
    }),

    pgRoute("POST", `${ONE}/fork`, (ctx) => {
      const source = pg.live(cid(ctx));
      if (pg.status(source) !== "ready") throw new FlyError(409, "The source cluster is not ready to be forked yet");
      const body = (ctx.body ?? {}) as S["forkPostgresClusterRequest"];
      const fork = copyCluster(st, source, body.name || `${source.name}-fork`, copyDatabases(source.databases));
      return created({ data: render(pg, fork) } satisfies S["showPostgresClusterResponse"]);
    }),

    pgRoute("POST", `${ONE}/restore`, (ctx) => {
      const source = pg.live(cid(ctx));
      const body = (ctx.body ?? {}) as S["restorePostgresClusterRequest"];
      if (body.backup_id && body.pitr_time) throw new FlyError(422, "backup_id and pitr_time are mutually exclusive");
      if (!body.backup_id && !body.pitr_time) throw new FlyError(422, "a restore target is missing: give backup_id or pitr_time");
      pg.settleBackups(source);
      let databases = copyDatabases(source.databases);
      if (body.backup_id) {
        const backup = source.backups.find((b) => b.backup.id === body.backup_id);
        if (!backup) throw new FlyError(404, `Backup ${body.backup_id} not found for cluster ${source.id}`);
        databases = copyDatabases(backup.snapshot);
      }
      // A point in time restores the databases as they are now: the emulator keeps no WAL history.
      const name = body.name?.trim() || `${source.name}-restore`;
      return created({ data: render(pg, copyCluster(st, source, name, databases)) } satisfies S["showPostgresClusterResponse"]);
    }),

    pgRoute("POST", `${ONE}/attachments`, (ctx) => {
      const c = pg.live(cid(ctx));
      const app = (ctx.body as S["createPostgresAttachmentRequest"]).app_name;
      if (!st.apps.has(app)) throw new FlyError(404, "App not found");
      const existing = c.attachments.get(app);
      const attachedAt = existing ?? st.iso();
      c.attachments.set(app, attachedAt);
      const body: S["createPostgresAttachmentResponse"] = { data: { app_name: app, attached_at: attachedAt, postgres_cluster_id: c.id } };
      return existing ? ok(body) : created(body);
    }),

    pgRoute("DELETE", `${ONE}/attachments/{app_name}`, (ctx) => {
      const c = pg.live(cid(ctx));
      const app = ctx.params.app_name ?? "";
      if (!st.apps.has(app)) throw new FlyError(404, "App not found");
      if (!c.attachments.delete(app)) throw new FlyError(404, "Attachment not found");
      return { status: 204 };
    }),

    pgRoute("GET", `${ONE}/backups`, (ctx) => {
      const c = pg.cluster(cid(ctx));
      pg.settleBackups(c);
      return ok({ data: c.backups.map((b) => structuredClone(b.backup)) } satisfies S["listPostgresBackupsResponse"]);
    }),

    pgRoute("POST", `${ONE}/backups`, (ctx) => {
      const c = pg.cluster(cid(ctx));
      pg.settleBackups(c);
      if (c.backups.some((b) => b.backup.status === "running")) throw new FlyError(409, "A backup is currently running");
      const type = (ctx.body as S["createPostgresBackupRequest"]).type;
      const now = st.clock.now();
      c.backups.push({
        backup: { id: `${new Date(now).toISOString().replace(/\D/g, "").slice(0, 14)}F`, type, status: "running", started_at: new Date(now).toISOString() },
        startedAt: now,
        snapshot: copyDatabases(c.databases),
      });
      return { status: 202 };
    }),
  ];
}

export function postgresRoutes(st: FlyState): Route[] {
  return [...clusterRoutes(st), ...adminRoutes(st)];
}

/** What the inventory shows of Managed Postgres: never a password. */
export function postgresInventory(pg: PgState): unknown {
  return [...pg.clusters.values()].map((c) => ({
    id: c.id,
    name: c.name,
    org: c.orgSlug,
    status: pg.status(c),
    plan: c.plan,
    region: c.region,
    diskSizeGb: c.diskSizeGb,
    source: c.source,
    attachedApps: [...c.attachments.keys()],
    users: [...c.users.keys()],
    databases: Object.fromEntries([...c.databases].map(([n, d]) => [n, { extensions: [...d.extensions.keys()], rows: d.rows.length }])),
    backups: c.backups.map((b) => b.backup.status),
  }));
}
