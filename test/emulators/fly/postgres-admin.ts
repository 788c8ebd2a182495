import type { Reply, Route, RouteContext } from "../common/http";
import { PG_EXTENSIONS, pgPassword } from "./postgres-state";
import { flyRoute, ok, type FlyHandler } from "./route";
import { FlyError, type FlyState, type S } from "./state";

/**
 * The pg-admin side of Managed Postgres: databases, extensions and users of a ready cluster (SOURCE.md,
 * "Managed Postgres"). Bodies and statuses are the spec's.
 */

export const P = "/v1/postgres";
export const ONE = `${P}/{postgres_cluster_id}`;
const DB = `${ONE}/databases/{database_name}`;
/** Spec: database and user names start and end alphanumeric, may hold - and _, up to 63 characters. */
const PG_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;
const USER_NAME = /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/;
const RESERVED_DATABASES = new Set(["postgres", "template0", "template1"]);
const RESERVED_USERS = new Set(["postgres", "flypgadmin", "repmgr"]);

/** A pg-admin 503 carries Retry-After, as the spec's description of it says. */
export function pgRoute(method: string, path: string, handler: FlyHandler): Route {
  const inner = flyRoute(method, path, handler);
  return {
    ...inner,
    async handler(ctx) {
      const reply = await inner.handler(ctx);
      return reply.status === 503 ? { ...reply, headers: { ...reply.headers, "retry-after": "1" } } : reply;
    },
  };
}

export function created(body?: unknown): Reply {
  return { status: 201, body };
}

export const cid = (ctx: RouteContext) => ctx.params.postgres_cluster_id ?? "";

export function adminRoutes(st: FlyState): Route[] {
  const pg = st.pg;
  const dbName = (ctx: RouteContext) => {
    const name = ctx.params.database_name ?? "";
    if (!PG_NAME.test(name)) throw new FlyError(400, "Database name is malformed");
    return name;
  };
  return [
    pgRoute("GET", `${ONE}/databases`, (ctx) => {
      const c = pg.admin(cid(ctx));
      return ok({ data: [...c.databases.keys()].map((name) => ({ name })) } satisfies S["listPostgresDatabasesResponse"]);
    }),

    pgRoute("POST", `${ONE}/databases`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const name = (ctx.body as S["createPostgresDatabaseRequest"]).name;
      if (!name) throw new FlyError(422, "name is required");
      if (RESERVED_DATABASES.has(name)) throw new FlyError(400, "Database name is reserved or a system database");
      if (!PG_NAME.test(name)) throw new FlyError(400, "Database name is malformed");
      // The spec documents no answer for an existing name; Postgres itself refuses CREATE DATABASE of one.
      if (c.databases.has(name)) throw new FlyError(409, `database "${name}" already exists`);
      c.databases.set(name, { extensions: new Map([["plpgsql", { schema: "pg_catalog", version: "1.0" }]]), rows: [] });
      return created({ data: { name } } satisfies S["postgresDatabaseResponse"]);
    }),

    pgRoute("DELETE", DB, (ctx) => {
      const c = pg.admin(cid(ctx));
      const name = dbName(ctx);
      if (RESERVED_DATABASES.has(name)) throw new FlyError(400, "Database name is reserved or a system database");
      pg.database(c, name);
      c.databases.delete(name);
      return ok({ data: { name } } satisfies S["postgresDatabaseResponse"]);
    }),

    pgRoute("GET", `${DB}/extensions`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const db = pg.database(c, dbName(ctx));
      const data = Object.entries(PG_EXTENSIONS).map(([name, e]): S["PostgresExtension"] => ({
        name,
        description: e.description,
        default_version: e.version,
        system: e.system ?? false,
        installed: (db.extensions.get(name) ?? null) as S["PostgresExtension"]["installed"],
      }));
      return ok({ data } satisfies S["listPostgresExtensionsResponse"]);
    }),

    pgRoute("POST", `${DB}/extensions`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const db = pg.database(c, dbName(ctx));
      const body = ctx.body as S["enablePostgresExtensionRequest"];
      const ext = PG_EXTENSIONS[body.name];
      if (!ext) throw new FlyError(422, `Unknown or unsupported extension ${body.name}`);
      if (ext.postgis && !c.postgis) throw new FlyError(409, "PostGIS is not enabled on this cluster");
      const installed = db.extensions.get(body.name);
      if (installed) throw new FlyError(409, `Extension ${body.name} is already installed in schema ${installed.schema}`);
      db.extensions.set(body.name, { schema: body.schema ?? "public", version: ext.version });
      return { status: 204 };
    }),

    pgRoute("DELETE", `${DB}/extensions/{extension_name}`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const db = pg.database(c, dbName(ctx));
      const name = ctx.params.extension_name ?? "";
      const ext = PG_EXTENSIONS[name];
      if (!ext) throw new FlyError(422, "Invalid extension name");
      if (ext.system) throw new FlyError(400, "System extensions cannot be disabled");
      db.extensions.delete(name);
      return { status: 204 };
    }),

    pgRoute("GET", `${ONE}/users`, (ctx) => {
      const c = pg.admin(cid(ctx));
      return ok({ data: [...c.users].map(([username, u]) => ({ username, role: u.role })) } satisfies S["listPostgresUsersResponse"]);
    }),

    pgRoute("POST", `${ONE}/users`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const body = ctx.body as S["createPostgresUserRequest"];
      if (RESERVED_USERS.has(body.username)) throw new FlyError(400, "Username is reserved or a system user");
      if (!USER_NAME.test(body.username)) throw new FlyError(400, "Username is malformed");
      if (c.users.has(body.username)) throw new FlyError(409, "User already exists");
      c.users.set(body.username, { role: body.role, password: pgPassword() });
      return created({ data: { username: body.username, role: body.role } } satisfies S["createPostgresUserResponse"]);
    }),

    pgRoute("GET", `${ONE}/users/{username}/credentials`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const username = ctx.params.username ?? "";
      const user = c.users.get(username);
      if (!user) throw new FlyError(404, "User not found");
      return ok({ data: { username, password: user.password } } satisfies S["getPostgresUserCredentialsResponse"]);
    }),

    pgRoute("POST", `${ONE}/users/{username}/rotate_password`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const username = ctx.params.username ?? "";
      const user = c.users.get(username);
      if (!user) throw new FlyError(404, "User not found");
      user.password = pgPassword();
      return ok({ data: { username, password: user.password } } satisfies S["rotatePostgresPasswordResponse"]);
    }),

    pgRoute("PATCH", `${ONE}/users/{username}`, (ctx) => {
      const c = pg.admin(cid(ctx));
      const user = c.users.get(ctx.params.username ?? "");
      if (!user) throw new FlyError(404, "User not found");
      user.role = (ctx.body as S["updatePostgresUserRoleRequest"]).role;
      return { status: 204 };
    }),

    pgRoute("DELETE", `${ONE}/users/{username}`, (ctx) => {
      const c = pg.admin(cid(ctx));
      if (!c.users.delete(ctx.params.username ?? "")) throw new FlyError(404, "User not found");
      return { status: 204 };
    }),
  ];
}
