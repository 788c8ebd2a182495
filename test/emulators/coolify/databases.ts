import { randomBytes } from "node:crypto";
import type { Reply, Route, RouteContext } from "../common/http";
import { type CoolifyTokens, laravelBoolean } from "./auth";
import { backupRoutes } from "./backups";
import { TIMING } from "./rollout";
import { type CoolifyState, coolifyUuid, type DatabaseRecord } from "./state";

type Body = Record<string, unknown>;

/** Not stored in `config`: they select where the database goes or act once. */
const NOT_CONFIG = new Set(["server_uuid", "project_uuid", "environment_name", "environment_uuid", "destination_uuid", "instant_deploy", "tags"]);

// Coolify documents most database answers as `type: string` ("will be implemented later"); the real service
// answers JSON objects. These are the shapes it answers, used in place of the spec's.
const DATABASE_OBJECT = {
  type: "object",
  required: ["uuid", "name", "image", "status"],
  properties: {
    uuid: { type: "string" },
    name: { type: "string" },
    image: { type: "string" },
    status: { type: "string" },
    internal_db_url: { type: "string" },
    postgres_user: { type: "string" },
    postgres_db: { type: "string" },
    environment_id: { type: "integer" },
  },
};
const MESSAGE = { type: "object", required: ["message"], properties: { message: { type: "string" } } };

export function databaseUrl(db: DatabaseRecord): string {
  return `postgres://${encodeURIComponent(db.postgres_user)}:${encodeURIComponent(db.postgres_password)}@${db.uuid}:5432/${encodeURIComponent(db.postgres_db)}`;
}

/** Coolify v4.3.10 app/Models/StandalonePostgresql.php booted(): every new Postgres gets this persistent volume. */
export function databaseVolume(db: Pick<DatabaseRecord, "uuid">): string {
  return `postgres-data-${db.uuid}`;
}

/**
 * Coolify v4.3.10 app/Models/StandalonePostgresql.php $hidden (postgres_password, init_scripts, internal_db_url,
 * external_db_url): absent unless the token may read sensitive data (DatabasesController.php removeSensitiveData).
 */
export function databaseJson(db: DatabaseRecord, sensitive: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: db.id,
    uuid: db.uuid,
    name: db.name,
    description: db.description,
    database_type: "standalone-postgresql",
    image: db.image,
    status: db.status,
    environment_id: db.environment_id,
    postgres_user: db.postgres_user,
    postgres_password: db.postgres_password,
    postgres_db: db.postgres_db,
    internal_db_url: databaseUrl(db),
    external_db_url: null,
    is_public: db.config.is_public === true,
    public_port: typeof db.config.public_port === "number" ? db.config.public_port : null,
    ...Object.fromEntries(Object.entries(db.config).filter(([k]) => k.startsWith("limits_") || k.startsWith("postgres_"))),
    created_at: db.created_at,
    updated_at: db.updated_at,
  };
  if (!sensitive) for (const k of ["postgres_password", "internal_db_url", "external_db_url", "init_scripts"]) delete body[k];
  return body;
}

export function databaseRoutes(state: CoolifyState, tokens: CoolifyTokens): Route[] {
  const json = (ctx: RouteContext, db: DatabaseRecord) => databaseJson(db, tokens.canReadSensitive(ctx.headers));
  const find = (ctx: RouteContext): DatabaseRecord | undefined => state.database(ctx.params.uuid ?? "");
  const notFound = (ctx: RouteContext): Reply => ctx.flavor.notFound("Database not found.");
  const queued = (db: DatabaseRecord, ctx: RouteContext, status: string): void => {
    ctx.clock.schedule(TIMING.queuedActionMs, () => {
      db.status = status;
    });
  };
  return [
    {
      method: "GET",
      path: "/databases",
      deviations: { responseSchemas: { 200: { type: "array", items: DATABASE_OBJECT } } },
      handler: (ctx) => ({ status: 200, body: state.databases.map((db) => json(ctx, db)) }),
    },
    {
      method: "POST",
      path: "/databases/postgresql",
      // The real service answers 201 with the new uuid and connection URL; the spec says 200 without a body.
      deviations: {
        responseSchemas: {
          201: { type: "object", required: ["uuid", "internal_db_url"], properties: { uuid: { type: "string" }, internal_db_url: { type: "string" } } },
        },
      },
      secretKeys: ["postgres_password"],
      handler: (ctx) => {
        const b = (ctx.body ?? {}) as Body;
        const project = state.project(String(b.project_uuid));
        if (!project) return ctx.flavor.notFound("Project not found.");
        const env = state.environment(project, String(b.environment_uuid ?? "")) ?? state.environment(project, String(b.environment_name ?? ""));
        if (!env) return ctx.flavor.notFound("Environment not found.");
        if (!state.servers.some((s) => s.uuid === b.server_uuid)) return ctx.flavor.notFound("Server not found.");
        const now = ctx.clock.isoNow();
        const uuid = coolifyUuid();
        const db: DatabaseRecord = {
          id: state.id(),
          uuid,
          environment_id: env.id,
          server_uuid: String(b.server_uuid),
          name: typeof b.name === "string" ? b.name : `postgresql-database-${uuid}`,
          description: typeof b.description === "string" ? b.description : null,
          image: typeof b.image === "string" ? b.image : "postgres:16-alpine",
          postgres_user: typeof b.postgres_user === "string" ? b.postgres_user : "postgres",
          // Coolify generates a password when none is given.
          postgres_password: typeof b.postgres_password === "string" ? b.postgres_password : randomBytes(24).toString("base64url"),
          postgres_db: typeof b.postgres_db === "string" ? b.postgres_db : "postgres",
          config: Object.fromEntries(Object.entries(b).filter(([k]) => !NOT_CONFIG.has(k))),
          status: "exited",
          envs: [],
          backups: [],
          deleting: false,
          created_at: now,
          updated_at: now,
        };
        state.databases.push(db);
        state.volumes.set(databaseVolume(db), { name: databaseVolume(db), created_by: db.uuid, created_at: now });
        if (b.instant_deploy === true) {
          db.status = "starting";
          queued(db, ctx, "running:healthy");
        }
        return { status: 201, body: { uuid, internal_db_url: databaseUrl(db) } };
      },
    },
    {
      method: "GET",
      path: "/databases/{uuid}",
      deviations: { responseSchemas: { 200: DATABASE_OBJECT } },
      handler: (ctx) => {
        const db = find(ctx);
        return db ? { status: 200, body: json(ctx, db) } : notFound(ctx);
      },
    },
    {
      method: "PATCH",
      path: "/databases/{uuid}",
      // Documented as 200 without a body; the real service answers a message.
      deviations: { responseSchemas: { 200: MESSAGE } },
      secretKeys: ["postgres_password"],
      handler: (ctx) => {
        const db = find(ctx);
        if (!db) return notFound(ctx);
        const b = (ctx.body ?? {}) as Body;
        if (typeof b.name === "string") db.name = b.name;
        if (typeof b.description === "string") db.description = b.description;
        if (typeof b.image === "string") db.image = b.image;
        if (typeof b.postgres_user === "string") db.postgres_user = b.postgres_user;
        if (typeof b.postgres_password === "string") db.postgres_password = b.postgres_password;
        if (typeof b.postgres_db === "string") db.postgres_db = b.postgres_db;
        for (const [k, v] of Object.entries(b)) if (!NOT_CONFIG.has(k)) db.config[k] = v;
        db.updated_at = ctx.clock.isoNow();
        return { status: 200, body: { message: "Database updated." } };
      },
    },
    {
      method: "DELETE",
      path: "/databases/{uuid}",
      // Coolify v4.3.10 DatabasesController.php delete_by_uuid reads its flags with $request->boolean().
      deviations: { looseQueryParams: ["delete_volumes", "delete_configurations", "docker_cleanup", "delete_connected_networks"] },
      handler: (ctx) => {
        const db = find(ctx);
        if (!db) return notFound(ctx);
        // Queued like application deletes (app/Jobs/DeleteResourceJob.php): visible until the job has run, then
        // 404; with delete_volumes (default true) the database's volume goes too.
        if (!db.deleting) {
          db.deleting = true;
          const deleteVolumes = laravelBoolean(ctx.query.delete_volumes, true);
          ctx.clock.schedule(TIMING.queuedActionMs, () => {
            if (deleteVolumes) state.volumes.delete(databaseVolume(db));
            state.databases = state.databases.filter((d) => d !== db);
          });
        }
        return { status: 200, body: { message: "Database deletion request queued." } };
      },
    },
    ...(["start", "stop", "restart"] as const).map(
      (action): Route => ({
        method: "POST",
        path: `/databases/{uuid}/${action}`,
        handler: (ctx) => {
          const db = find(ctx);
          if (!db) return notFound(ctx);
          queued(db, ctx, action === "stop" ? "exited" : "running:healthy");
          const message = { start: "Database starting request queued.", stop: "Database stopping request queued.", restart: "Database restarting request queued." }[action];
          return { status: 200, body: { message } };
        },
      }),
    ),
    ...backupRoutes(state),
  ];
}
