import { createHash } from "node:crypto";
import type { Route, RouteContext } from "../common/http";
import { flyRoute, ok, qbool } from "./route";
import { AppRecord, FlyError, FlyState, S, SecretRecord, hexId } from "./state";

const A = "/v1/apps";
const ONE = `${A}/{app_name}`;

/** Fly app names: lowercase letters, digits and dashes, starting with a letter or digit, at most 63. */
const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Secrets become environment variables, so their names must be valid variable names. */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function renderApp(st: FlyState, app: AppRecord): S["App"] {
  const machines = st.liveMachines(app.name).length;
  return {
    id: app.id,
    name: app.name,
    machine_count: machines,
    volume_count: [...st.volumes.values()].filter((v) => v.appName === app.name && v.destroyedAt === undefined).length,
    network: app.network,
    organization: { name: app.orgSlug, slug: app.orgSlug },
    status: machines > 0 ? "deployed" : "pending",
  };
}

function digest(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

function renderSecret(s: SecretRecord, show: boolean): S["AppSecret"] {
  const out: S["AppSecret"] = { name: s.name, digest: digest(s.value), created_at: s.createdAt, updated_at: s.updatedAt };
  if (show) out.value = s.value;
  return out;
}

/** Reads that name a min_version newer than the app's secrets version cannot be answered yet. */
function assertMinVersion(app: AppRecord, ctx: RouteContext): void {
  const min = ctx.query.min_version;
  if (min !== undefined && Number(min) > app.secretsVersion) {
    throw new FlyError(400, `failed_precondition: secrets version ${min} not available (current ${app.secretsVersion})`);
  }
}

function setSecret(st: FlyState, app: AppRecord, name: string, value: string): SecretRecord {
  if (!SECRET_NAME.test(name)) throw new FlyError(400, `invalid_argument: invalid secret name ${JSON.stringify(name)}`);
  const now = st.iso();
  const prev = app.secrets.get(name);
  const rec: SecretRecord = { name, value, createdAt: prev?.createdAt ?? now, updatedAt: now, version: app.secretsVersion };
  app.secrets.set(name, rec);
  return rec;
}

export function appRoutes(st: FlyState): Route[] {
  const byIdempotencyKey = st.appsByIdempotencyKey;
  return [
    flyRoute("GET", A, (ctx) => {
      const org = ctx.query.org_slug ?? "";
      let apps = [...st.apps.values()].filter((a) => a.orgSlug === org).sort((a, b) => a.createdAt - b.createdAt);
      const total = apps.length;
      let next: string | undefined;
      if (ctx.query.limit !== undefined) {
        const limit = Number(ctx.query.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new FlyError(400, "invalid_argument: limit must be between 1 and 5000");
        const offset = ctx.query.cursor ? Number(Buffer.from(ctx.query.cursor, "base64url").toString()) : 0;
        if (!Number.isInteger(offset) || offset < 0) throw new FlyError(400, "invalid_argument: invalid cursor");
        if (offset + limit < apps.length) next = Buffer.from(String(offset + limit)).toString("base64url");
        apps = apps.slice(offset, offset + limit);
      } else if (ctx.query.cursor !== undefined) {
        throw new FlyError(400, "invalid_argument: cursor requires limit");
      }
      const body: S["ListAppsResponse"] = { apps: apps.map((a) => renderApp(st, a)), total_apps: total };
      if (next) body.next_cursor = next;
      return ok(body);
    }),

    /**
     * Names are global on Fly: a taken name → 422 with status "name_taken". `idempotency_key` (spec): a retry
     * with the same key and the same or no name returns the first app; the same key with another name is
     * rejected.
     */
    flyRoute("POST", A, (ctx) => {
      const body = (ctx.body ?? {}) as S["CreateAppRequest"];
      const key = body.idempotency_key;
      const earlier = key ? byIdempotencyKey.get(key) : undefined;
      if (earlier && st.apps.get(earlier.name) === earlier) {
        if (body.name !== undefined && body.name !== earlier.name) {
          throw new FlyError(422, `idempotency_key was used for app ${earlier.name}, not ${body.name}`, "unknown");
        }
        const again: S["CreateAppResponse"] = { id: earlier.id, created_at: Math.floor(earlier.createdAt / 1000) };
        return { status: 201, body: again };
      }
      const name = body.name ?? `app-${hexId(4)}`;
      if (!APP_NAME.test(name)) throw new FlyError(422, `invalid app name ${JSON.stringify(name)}`, "unknown");
      if (st.apps.has(name)) throw new FlyError(422, `app name ${JSON.stringify(name)} is already taken`, "name_taken");
      const app: AppRecord = {
        id: hexId(8),
        name,
        // flyctl always sends org_slug; "personal" is the real alias of a user's default organization.
        orgSlug: body.org_slug ?? "personal",
        network: body.network ?? "",
        createdAt: st.clock.now(),
        idempotencyKey: key,
        secrets: new Map(),
        secretsVersion: 0,
        ips: [],
        certificates: new Map(),
        proxyCursor: 0,
      };
      st.apps.set(name, app);
      if (key) byIdempotencyKey.set(key, app);
      const created: S["CreateAppResponse"] = { id: app.id, created_at: Math.floor(app.createdAt / 1000) };
      return { status: 201, body: created };
    }),

    flyRoute("GET", ONE, (ctx) => ok(renderApp(st, st.app(ctx.params.app_name ?? "")))),

    // Deleting an app takes its machines, volumes, IPs and certificates with it (202: done asynchronously).
    flyRoute("DELETE", ONE, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      for (const [id, m] of st.machines) if (m.appName === app.name) st.machines.delete(id);
      for (const [id, v] of st.volumes) if (v.appName === app.name) st.volumes.delete(id);
      st.apps.delete(app.name);
      return { status: 202 };
    }),

    flyRoute("GET", `${ONE}/secrets`, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      assertMinVersion(app, ctx);
      const show = qbool(ctx.query.show_secrets);
      const secrets = [...app.secrets.values()].sort((a, b) => a.name.localeCompare(b.name));
      const body: S["AppSecrets"] = { secrets: secrets.map((s) => renderSecret(s, show)) };
      return ok(body);
    }),
    // A bulk write is one new secrets version; an empty value unsets the key (what `fly secrets unset` sends).
    flyRoute("POST", `${ONE}/secrets`, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      const values = ((ctx.body ?? {}) as S["AppSecretsUpdateRequest"]).values ?? {};
      for (const name of Object.keys(values)) {
        if (!SECRET_NAME.test(name)) throw new FlyError(400, `invalid_argument: invalid secret name ${JSON.stringify(name)}`);
      }
      app.secretsVersion += 1;
      for (const [name, value] of Object.entries(values)) {
        if (value === "" || value === null) app.secrets.delete(name);
        else setSecret(st, app, name, value);
      }
      const secrets = [...app.secrets.values()].map((s) => renderSecret(s, false));
      const body: S["AppSecretsUpdateResp"] = { version: app.secretsVersion, Version: app.secretsVersion, secrets };
      return ok(body);
    }),
    flyRoute("GET", `${ONE}/secrets/{secret_name}`, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      assertMinVersion(app, ctx);
      const s = app.secrets.get(ctx.params.secret_name ?? "");
      if (!s) throw new FlyError(404, "secret not found");
      return ok(renderSecret(s, qbool(ctx.query.show_secrets)));
    }),
    flyRoute("POST", `${ONE}/secrets/{secret_name}`, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      const value = ((ctx.body ?? {}) as S["SetAppSecretRequest"]).value;
      if (value === undefined) throw new FlyError(400, "invalid_argument: value is required");
      if (!SECRET_NAME.test(ctx.params.secret_name ?? "")) throw new FlyError(400, "invalid_argument: invalid secret name");
      app.secretsVersion += 1;
      const s = setSecret(st, app, ctx.params.secret_name ?? "", value);
      const body: S["SetAppSecretResponse"] = {
        ...renderSecret(s, false),
        version: app.secretsVersion,
        Version: app.secretsVersion,
      };
      return { status: 201, body };
    }),
    flyRoute("DELETE", `${ONE}/secrets/{secret_name}`, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      if (!app.secrets.delete(ctx.params.secret_name ?? "")) throw new FlyError(404, "secret not found");
      app.secretsVersion += 1;
      const body: S["DeleteAppSecretResponse"] = { version: app.secretsVersion, Version: app.secretsVersion };
      return ok(body);
    }),
  ];
}
