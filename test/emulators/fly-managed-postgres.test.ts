import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flyAppProvider } from "../../components/fly/app.provider";
import { flyManagedPostgresAttachmentProvider } from "../../components/fly/managed-postgres-attachment.provider";
import { flyManagedDatabaseProvider } from "../../components/fly/managed-postgres-database.provider";
import { clusterName, flyManagedPostgresProvider, type ManagedPostgresInputs } from "../../components/fly/managed-postgres.provider";
import { startFlyEmulator, type FlyEmulator } from "./fly/index";
import { call, TOKEN, useFlyEmulator } from "./fly/testkit";
import { useFastProviderSettings } from "./common/provider-harness";

useFastProviderSettings({ SLIPWAY_HTTP_TIMEOUT_MS: "10000", SLIPWAY_POLL_INTERVAL_MS: "25", SLIPWAY_WAIT_TIMEOUT_MS: "15000" });

// Fast emulated time: a cluster is ready after 20 emulated seconds, 0.2 s here.
const fly = useFlyEmulator({ timeScale: 100 });

interface PgInventory { id: string; name: string; status: string; source?: string; attachedApps: string[]; users: string[]; databases: Record<string, { extensions: string[]; rows: number }> }
const clusters = (): PgInventory[] => (fly.emu.inventory() as { postgres: PgInventory[] }).postgres;
const posts = (path: string) => fly.emu.log.filter((e) => e.method === "POST" && e.path === path);

function clusterSpec(overrides: Partial<ManagedPostgresInputs> = {}): ManagedPostgresInputs {
  return { connection: fly.connection, owner: "slipway/production/fly-db", org: "acme", name: "shop-db", region: "ewr", plan: "basic", diskSizeGb: 10, pgMajorVersion: "16", allowReplace: false, ...overrides };
}

describe("the emulated cluster lifecycle", () => {
  // Its own emulator with time all but stopped: each step is reached by advancing the clock, never by waiting.
  let frozen: FlyEmulator;
  beforeAll(async () => {
    frozen = await startFlyEmulator({ token: TOKEN, timeScale: 0.0001 });
  });
  afterAll(async () => {
    expect(frozen.responseViolations).toEqual([]);
    await frozen.close();
  });

  it("is asynchronous: creating, initializing, ready; pg-admin answers 503 with Retry-After until ready", async () => {
    const made = await call<{ data: { id: string; status: string; endpoints?: unknown } }>(frozen, "POST", "/v1/postgres", { org_slug: "acme", plan: "basic", region: "ewr" });
    expect(made.status).toBe(201);
    expect(made.body.data.status).toBe("creating");
    expect(made.body.data.endpoints).toBeUndefined();
    const early = await call(frozen, "GET", `/v1/postgres/${made.body.data.id}/databases`);
    expect(early.status).toBe(503);
    expect(early.headers.get("retry-after")).toBe("1");
    frozen.advance(10_000);
    expect((await call<{ data: { status: string } }>(frozen, "GET", `/v1/postgres/${made.body.data.id}`)).body.data.status).toBe("initializing");
    frozen.advance(10_000);
    const ready = await call<{ data: { status: string; endpoints?: unknown } }>(frozen, "GET", `/v1/postgres/${made.body.data.id}`);
    expect(ready.body.data.status).toBe("ready");
    expect(ready.body.data.endpoints).toBeDefined();
    expect((await call(frozen, "GET", `/v1/postgres/${made.body.data.id}/databases`)).status).toBe(200);
  });

  it("refuses what the spec refuses: an unknown plan value, a second running backup, a deleted cluster", async () => {
    expect((await call(fly.emu, "POST", "/v1/postgres", { org_slug: "acme", plan: "huge", region: "ewr" })).status).toBe(400);
    const made = await call<{ data: { id: string } }>(fly.emu, "POST", "/v1/postgres", { org_slug: "acme", plan: "basic", region: "ewr" });
    const id = made.body.data.id;
    expect((await call(fly.emu, "POST", `/v1/postgres/${id}/backups`, { type: "full" })).status).toBe(202);
    expect((await call(fly.emu, "POST", `/v1/postgres/${id}/backups`, { type: "full" })).status).toBe(409);
    expect((await call(fly.emu, "DELETE", `/v1/postgres/${id}`)).status).toBe(202);
    expect((await call(fly.emu, "DELETE", `/v1/postgres/${id}`)).status).toBe(410);
  });
});

describe("FlyManagedPostgres cluster provider", () => {
  it("creates a cluster, waits until it is ready, reads it, and deletes it", async () => {
    const { id, outs } = await flyManagedPostgresProvider.create(clusterSpec());
    expect(outs.clusterName).toBe(clusterName(clusterSpec()));
    expect(outs.clusterName).toMatch(/^shop-db-[0-9a-f]{8}$/);
    expect(outs.poolerHost).toContain(id);
    expect(fly.emu.log.filter((e) => e.method === "GET" && e.path === `/v1/postgres/${id}`).length).toBeGreaterThan(0);
    expect(clusters()[0]?.status).toBe("ready");

    const read = await flyManagedPostgresProvider.read(id, outs);
    expect(read.props?.clusterId).toBe(id);

    await flyManagedPostgresProvider.delete(id, outs);
    expect(clusters()[0]?.status).toBe("deleting");
    fly.emu.advance(60_000);
    expect((await flyManagedPostgresProvider.read(id, outs)).id).toBeUndefined();
  });

  it("an ambiguous create (made, answered 502) is adopted by its marked name: one cluster", async () => {
    fly.emu.injectFault({ method: "POST", path: "/v1/postgres", times: 1, fault: { kind: "ambiguous", status: 502 } });
    const { id } = await flyManagedPostgresProvider.create(clusterSpec());
    expect(clusters().map((c) => c.id)).toEqual([id]);
    expect(posts("/v1/postgres")).toHaveLength(1);
    // What `slipway recover` asks after a killed engine: this stack's cluster, by its mark; another stack's is not it.
    expect((await flyManagedPostgresProvider.findOwn?.(clusterSpec()))?.id).toBe(id);
    expect(await flyManagedPostgresProvider.findOwn?.(clusterSpec({ owner: "slipway/staging/fly-db" }))).toBeUndefined();
  });

  it("a create whose cluster already exists (a killed engine) adopts it instead of making a second", async () => {
    const first = await flyManagedPostgresProvider.create(clusterSpec());
    const again = await flyManagedPostgresProvider.create(clusterSpec());
    expect(again.id).toBe(first.id);
    expect(clusters()).toHaveLength(1);
  });

  it("a 503 on the create is retried by the client; a 500 with nothing made is tried again", async () => {
    fly.emu.injectFault({ method: "POST", path: "/v1/postgres", times: 1, fault: { kind: "status", status: 503 } });
    await flyManagedPostgresProvider.create(clusterSpec());
    fly.emu.injectFault({ method: "POST", path: "/v1/postgres", times: 1, fault: { kind: "status", status: 500 } });
    await flyManagedPostgresProvider.create(clusterSpec({ owner: "slipway/staging/fly-db" }));
    expect(clusters()).toHaveLength(2);
  });

  it("refuses a change of a fixed setting unless allowReplace, and then replaces", async () => {
    const { outs } = await flyManagedPostgresProvider.create(clusterSpec());
    // The engine passes check the old INPUTS, not the outputs.
    const refused = await flyManagedPostgresProvider.check(clusterSpec(), clusterSpec({ plan: "starter", diskSizeGb: 20 }));
    expect(refused.failures?.map((f) => f.property)).toEqual(["plan", "diskSizeGb"]);
    expect(refused.failures?.[0]?.reason).toMatch(/no update of a cluster.*new, empty cluster/);
    const allowed = await flyManagedPostgresProvider.check(clusterSpec(), clusterSpec({ plan: "starter", allowReplace: true }));
    expect((await flyManagedPostgresProvider.check({}, clusterSpec())).failures).toBeUndefined();
    expect(allowed.failures).toBeUndefined();
    const diff = await flyManagedPostgresProvider.diff(outs.clusterId, outs, clusterSpec({ plan: "starter", allowReplace: true }));
    expect(diff.replaces).toContain("plan");
    // A rotated token is no change at all.
    const token = await flyManagedPostgresProvider.diff(outs.clusterId, outs, clusterSpec({ connection: { ...fly.connection, token: "other" } }));
    expect(token.changes).toBe(false);
  });
});

describe("database, pgvector, attachment and fork", () => {
  async function stack(appName: string, owner: string, forkFrom?: string) {
    await flyAppProvider.create({ connection: fly.connection, name: appName, org: "acme" });
    const spec = forkFrom ? { connection: fly.connection, owner, org: "acme", name: `${appName}-db`, forkFrom, allowReplace: true } : clusterSpec({ owner, name: `${appName}-db` });
    const cluster = await flyManagedPostgresProvider.create(spec);
    const dbInputs = { connection: fly.connection, clusterId: cluster.id, name: "shop", extensions: ["vector"], allowReplace: false };
    const db = await flyManagedDatabaseProvider.create(dbInputs);
    const att = await flyManagedPostgresAttachmentProvider.create({
      connection: fly.connection, clusterId: cluster.id, app: appName, database: "shop", username: appName.replace(/-/g, "_"), role: "schema_admin",
      host: cluster.outs.poolerHost, port: cluster.outs.poolerPort,
    });
    return { cluster, db, dbInputs, att };
  }

  it("creates the database with vector, attaches the app with its own user, and gives a fly.connection string", async () => {
    const { cluster, att } = await stack("shop-staging", "slipway/staging/fly-db");
    const c = clusters()[0];
    expect(c?.databases.shop?.extensions).toContain("vector");
    expect(c?.attachedApps).toEqual(["shop-staging"]);
    expect(c?.users).toEqual(["shop_staging"]);
    const url = new URL(att.outs.databaseUrl);
    expect(url.hostname).toBe(cluster.outs.poolerHost);
    expect(url.username).toBe("shop_staging");
    expect(url.pathname).toBe("/shop");
    const creds = await call<{ data: { password: string } }>(fly.emu, "GET", `/v1/postgres/${cluster.id}/users/shop_staging/credentials`);
    expect(decodeURIComponent(url.password)).toBe(creds.body.data.password);
    // Its password never appears in the emulator's request log.
    expect(JSON.stringify(fly.emu.log)).not.toContain(creds.body.data.password);
  });

  it("an ambiguous extension enable and an ambiguous database create converge to one of each", async () => {
    await flyAppProvider.create({ connection: fly.connection, name: "shop", org: "acme" });
    const cluster = await flyManagedPostgresProvider.create(clusterSpec());
    fly.emu.injectFault({ method: "POST", path: "/v1/postgres/{postgres_cluster_id}/databases", times: 1, fault: { kind: "ambiguous", status: 504 } });
    fly.emu.injectFault({ method: "POST", path: "/v1/postgres/{postgres_cluster_id}/databases/{database_name}/extensions", times: 1, fault: { kind: "ambiguous", status: 500 } });
    await flyManagedDatabaseProvider.create({ connection: fly.connection, clusterId: cluster.id, name: "shop", extensions: ["vector", "citext"], allowReplace: false });
    expect(clusters()[0]?.databases.shop?.extensions.sort()).toEqual(["citext", "plpgsql", "vector"]);
  });

  it("ambiguous answers to the user create and the attachment converge: one user, one attachment, a working URL", async () => {
    fly.emu.injectFault({ method: "POST", path: "/v1/postgres/{postgres_cluster_id}/users", times: 1, fault: { kind: "ambiguous", status: 502 } });
    fly.emu.injectFault({ method: "POST", path: "/v1/postgres/{postgres_cluster_id}/attachments", times: 1, fault: { kind: "ambiguous", status: 504 } });
    const { cluster, att } = await stack("shop-staging", "slipway/staging/fly-db");
    const c = clusters()[0];
    expect(c?.users).toEqual(["shop_staging"]);
    expect(c?.attachedApps).toEqual(["shop-staging"]);
    expect(decodeURIComponent(new URL(att.outs.databaseUrl).password)).toBe(fly.emu.state.pg.clusters.get(cluster.id)?.users.get("shop_staging")?.password);
    expect(fly.emu.pendingFaults()).toEqual([]);
  });

  it("refuses removing an extension (it would drop the columns using it) and renaming the database", async () => {
    const outs = { connection: fly.connection, clusterId: "c1", name: "shop", extensions: ["vector"], allowReplace: false };
    const check = await flyManagedDatabaseProvider.check(outs, { ...outs, name: "shop2", extensions: [] });
    expect(check.failures?.map((f) => f.property)).toEqual(["name", "extensions"]);
    expect(check.failures?.[1]?.reason).toMatch(/would drop the columns/);
  });

  it("a fork copies staging's data; destroying the fork leaves staging's cluster and data as they were", async () => {
    const staging = await stack("shop-staging", "slipway/staging/fly-db");
    fly.emu.state.pg.insert(staging.cluster.id, "shop", "order 1");
    const pr = await stack("shop-pr-7", "slipway/pr-7/fly-db", staging.cluster.id);
    expect(pr.cluster.id).not.toBe(staging.cluster.id);
    expect(fly.emu.state.pg.rows(pr.cluster.id, "shop")).toEqual(["order 1"]);
    expect(clusters().find((c) => c.id === pr.cluster.id)?.users.sort()).toEqual(["shop_pr_7", "shop_staging"]);
    // The preview's fly.connection string names its own user, not staging's.
    expect(new URL(pr.att.outs.databaseUrl).username).toBe("shop_pr_7");

    fly.emu.state.pg.insert(pr.cluster.id, "shop", "preview order");
    await flyManagedPostgresAttachmentProvider.delete(pr.att.id, pr.att.outs);
    await flyManagedDatabaseProvider.delete(pr.db.id, pr.dbInputs);
    await flyManagedPostgresProvider.delete(pr.cluster.id, pr.cluster.outs);
    fly.emu.advance(60_000);

    const left = clusters().filter((c) => c.status !== "deleted");
    expect(left.map((c) => c.id)).toEqual([staging.cluster.id]);
    expect(left[0]?.status).toBe("ready");
    expect(left[0]?.attachedApps).toEqual(["shop-staging"]);
    expect(fly.emu.state.pg.rows(staging.cluster.id, "shop")).toEqual(["order 1"]);
    // Nothing but reads ever went to staging's cluster from the preview's side.
    const toStaging = fly.emu.log.filter((e) => e.path.startsWith(`/v1/postgres/${staging.cluster.id}`) && e.method !== "GET");
    expect(toStaging.map((e) => `${e.method} ${e.template}`)).toEqual([
      "POST /v1/postgres/{postgres_cluster_id}/databases",
      "POST /v1/postgres/{postgres_cluster_id}/databases/{database_name}/extensions",
      "POST /v1/postgres/{postgres_cluster_id}/users",
      "PATCH /v1/postgres/{postgres_cluster_id}/users/{username}",
      "POST /v1/postgres/{postgres_cluster_id}/attachments",
      "POST /v1/postgres/{postgres_cluster_id}/fork",
    ]);
  });

  it("a fork of a cluster that is not ready yet is refused with the API's reason", async () => {
    const created = await call<{ data: { id: string } }>(fly.emu, "POST", "/v1/postgres", { org_slug: "acme", plan: "basic", region: "ewr" });
    await expect(flyManagedPostgresProvider.create({ connection: fly.connection, owner: "slipway/pr-1/fly-db", org: "acme", name: "f", forkFrom: created.body.data.id, allowReplace: true }))
      .rejects.toThrow(/409: The source cluster is not ready to be forked yet/);
  });
});
