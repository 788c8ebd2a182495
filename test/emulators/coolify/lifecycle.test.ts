import { describe, expect, it } from "vitest";
import { api, appGet, createApp, deploymentStatus, pluck, projectWithEnv, useCoolifyEmulator } from "./testkit";

// Deployments, rolling updates, health gates, queued deletes and databases, driven by advance() on a
// near-frozen clock so each step is observed exactly.
const V1 = `ghcr.io/acme/web@sha256:${"1".repeat(64)}`;
const V2 = `ghcr.io/acme/web@sha256:${"2".repeat(64)}`;
const HOST = "shop.example.com";
// Coolify v4.3.10 PATCH takes a repository without tag plus a tag; a digest as `repo@sha256` + `<hex>`.
const V2_PATCH = { docker_registry_image_name: "ghcr.io/acme/web@sha256", docker_registry_image_tag: "2".repeat(64) };

const coolify = useCoolifyEmulator({ timeScale: 0.0001 });

async function deploy(app: string): Promise<string> {
  const r = await api(coolify.emu, "POST", `/deploy?uuid=${app}`);
  expect(r.status).toBe(200);
  const [d] = r.body.deployments as { deployment_uuid: string }[];
  return String(d?.deployment_uuid);
}

async function healthyApp(extra: Record<string, unknown> = {}): Promise<string> {
  return createApp(coolify.emu, await projectWithEnv(coolify.emu), {
    docker_registry_image_name: V1,
    domains: `https://${HOST}`,
    health_check_enabled: true,
    health_check_path: "/health",
    health_check_start_period: 2,
    health_check_interval: 2,
    health_check_retries: 3,
    ...extra,
  });
}

describe("deployments", () => {
  it("go queued → in_progress → finished, then the app serves its health path on its fqdn host", async () => {
    const app = await healthyApp();
    expect((await appGet(coolify.emu, HOST, "/health")).status).toBe(503);
    const d = await deploy(app);
    expect(await deploymentStatus(coolify.emu, d)).toBe("queued");
    expect(pluck((await api(coolify.emu, "GET", "/deployments")).body, "deployment_uuid")).toEqual([d]);
    coolify.emu.advance(2_000);
    expect(await deploymentStatus(coolify.emu, d)).toBe("in_progress");
    coolify.emu.advance(3_000 + 4_000);
    expect(await deploymentStatus(coolify.emu, d)).toBe("finished");
    expect(await appGet(coolify.emu, HOST, "/health")).toMatchObject({ status: 200, image: V1 });
    expect((await api(coolify.emu, "GET", `/applications/${app}`)).body.status).toBe("running:healthy");
    const history = await api(coolify.emu, "GET", `/deployments/applications/${app}`);
    expect(history.body).toMatchObject({ count: 1 });
    const logs = JSON.parse(String((await api(coolify.emu, "GET", `/deployments/${d}`)).body.logs)) as { output: string }[];
    expect(logs.map((l) => l.output).join("\n")).toContain(`Pulling image ${V1}`);
  });

  it("a rolling update keeps the old version serving until the new one is healthy; a failed one keeps it for good", async () => {
    const app = await healthyApp();
    await deploy(app);
    coolify.emu.advance(20_000);
    expect((await appGet(coolify.emu, HOST, "/")).image).toBe(V1);

    expect((await api(coolify.emu, "PATCH", `/applications/${app}`, V2_PATCH)).status).toBe(200);
    coolify.emu.markImageUnhealthy(V2);
    const d2 = await deploy(app);
    coolify.emu.advance(2_000 + 3_000);
    expect(await deploymentStatus(coolify.emu, d2)).toBe("in_progress");
    expect(await appGet(coolify.emu, HOST, "/health")).toMatchObject({ status: 200, image: V1 });
    coolify.emu.advance(2_000 + 3 * 2_000);
    expect(await deploymentStatus(coolify.emu, d2)).toBe("failed");
    expect(await appGet(coolify.emu, HOST, "/health")).toMatchObject({ status: 200, image: V1 });
    const logs = String((await api(coolify.emu, "GET", `/deployments/${d2}`)).body.logs);
    expect(logs).toContain("rolling back to the old container");
  });

  it("does not roll without a health check: the old container stops first, and a bad image then serves 503", async () => {
    const app = await healthyApp({ health_check_enabled: false });
    await deploy(app);
    coolify.emu.advance(10_000);
    expect((await appGet(coolify.emu, HOST, "/health")).status).toBe(200);
    expect((await api(coolify.emu, "PATCH", `/applications/${app}`, V2_PATCH)).status).toBe(200);
    coolify.emu.markImageUnhealthy(V2);
    const d2 = await deploy(app);
    coolify.emu.advance(2_000);
    expect(await deploymentStatus(coolify.emu, d2)).toBe("in_progress");
    expect((await appGet(coolify.emu, HOST, "/")).status).toBe(503);
    coolify.emu.advance(3_000);
    // Without a health check Coolify cannot tell: the deployment finishes and the unhealthy image serves.
    expect(await deploymentStatus(coolify.emu, d2)).toBe("finished");
    expect(await appGet(coolify.emu, HOST, "/health")).toMatchObject({ status: 503, image: V2 });
    expect((await api(coolify.emu, "GET", `/applications/${app}`)).body.status).toBe("running:unknown");
  });

  it("marks a running image unhealthy at once; start, stop and restart are queued", async () => {
    const app = await healthyApp();
    const start = await api(coolify.emu, "POST", `/applications/${app}/start`);
    expect(start.body).toMatchObject({ message: "Deployment request queued." });
    coolify.emu.advance(20_000);
    coolify.emu.markImageUnhealthy(`sha256:${"1".repeat(64)}`);
    expect((await appGet(coolify.emu, HOST, "/health")).status).toBe(503);
    expect((await api(coolify.emu, "GET", `/applications/${app}`)).body.status).toBe("running:unhealthy");
    expect((await api(coolify.emu, "POST", `/applications/${app}/stop`)).status).toBe(200);
    expect((await appGet(coolify.emu, HOST, "/")).status).toBe(200);
    coolify.emu.advance(2_000);
    expect((await appGet(coolify.emu, HOST, "/")).status).toBe(503);
    const restart = await api(coolify.emu, "POST", `/applications/${app}/restart`);
    expect(restart.body).toMatchObject({ message: "Restart request queued." });
    expect(await deploymentStatus(coolify.emu, String(restart.body.deployment_uuid))).toBe("queued");
  });

  it("runs one deployment at a time per application, skips an unforced second one, and can cancel a queued one", async () => {
    const app = await healthyApp();
    const d1 = await deploy(app);
    // The real /deploy also takes its parameters as a JSON body; `force` queues one although d1 is queued.
    const viaBody = await api(coolify.emu, "POST", "/deploy", { uuid: app, force: true });
    const d2 = String((viaBody.body.deployments as { deployment_uuid: string }[])[0]?.deployment_uuid);
    coolify.emu.advance(2_000);
    expect([await deploymentStatus(coolify.emu, d1), await deploymentStatus(coolify.emu, d2)]).toEqual(["in_progress", "queued"]);
    expect((await api(coolify.emu, "POST", `/deployments/${d2}/cancel`)).body).toMatchObject({ status: "cancelled-by-user" });
    expect((await api(coolify.emu, "POST", `/deployments/${d2}/cancel`)).status).toBe(400);
  });
});

describe("queued deletes", () => {
  it("an application stays visible until the delete job ran, then 404; its environment becomes deletable", async () => {
    const where = await projectWithEnv(coolify.emu);
    const app = await createApp(coolify.emu, where);
    expect((await api(coolify.emu, "DELETE", `/applications/${app}`)).body).toEqual({ message: "Application deletion request queued." });
    expect((await api(coolify.emu, "GET", `/applications/${app}`)).status).toBe(200);
    coolify.emu.advance(2_000);
    expect((await api(coolify.emu, "GET", `/applications/${app}`)).status).toBe(404);
    expect((await api(coolify.emu, "DELETE", `/projects/${where.project}/environments/staging`)).status).toBe(200);
  });
});

describe("postgres databases", () => {
  it("creates pgvector Postgres with internal_db_url, backs it up on schedule and on demand, deletes queued", async () => {
    const where = await projectWithEnv(coolify.emu);
    const created = await api(coolify.emu, "POST", "/databases/postgresql", {
      project_uuid: where.project,
      environment_uuid: where.env,
      environment_name: "staging",
      server_uuid: coolify.emu.serverUuid,
      image: "pgvector/pgvector:pg16",
      postgres_user: "app",
      postgres_password: "s3cret",
      postgres_db: "shop",
      instant_deploy: true,
    });
    expect(created.status).toBe(201);
    const uuid = String(created.body.uuid);
    expect(created.body.internal_db_url).toBe(`postgres://app:s3cret@${uuid}:5432/shop`);
    expect(JSON.stringify(coolify.emu.log)).not.toContain("s3cret");
    coolify.emu.advance(2_000);
    expect((await api(coolify.emu, "GET", `/databases/${uuid}`)).body).toMatchObject({ image: "pgvector/pgvector:pg16", status: "running:healthy" });

    expect((await api(coolify.emu, "POST", `/databases/${uuid}/backups`, { frequency: "every fortnight" })).status).toBe(422);
    const backup = await api(coolify.emu, "POST", `/databases/${uuid}/backups`, { frequency: "0 3 * * *", database_backup_retention_days_locally: 30, backup_now: true });
    expect(backup.status).toBe(201);
    const executions = `/databases/${uuid}/backups/${String(backup.body.uuid)}/executions`;
    coolify.emu.advance(2_000);
    expect((await api(coolify.emu, "GET", executions)).body.executions).toMatchObject([{ status: "success" }]);
    coolify.emu.advance(86_400_000);
    expect((await api(coolify.emu, "GET", executions)).body.executions).toHaveLength(2);
    const list = await api(coolify.emu, "GET", `/databases/${uuid}/backups`);
    expect(list.body).toMatchObject([{ frequency: "0 3 * * *", database_backup_retention_days_locally: 30 }]);

    expect((await api(coolify.emu, "PATCH", `/databases/${uuid}`, { limits_memory: "1g", postgres_password: "n3w" })).status).toBe(200);
    expect((await api(coolify.emu, "GET", `/databases/${uuid}`)).body).toMatchObject({ limits_memory: "1g", internal_db_url: `postgres://app:n3w@${uuid}:5432/shop` });
    expect((await api(coolify.emu, "POST", `/databases/${uuid}/envs`, { key: "POSTGRES_INITDB_ARGS", value: "--data-checksums" })).status).toBe(201);
    expect(pluck((await api(coolify.emu, "GET", `/databases/${uuid}/envs`)).body, "key")).toEqual(["POSTGRES_INITDB_ARGS"]);
    expect((await api(coolify.emu, "POST", `/databases/${uuid}/stop`)).body).toEqual({ message: "Database stopping request queued." });
    coolify.emu.advance(2_000);
    expect((await api(coolify.emu, "GET", `/databases/${uuid}`)).body.status).toBe("exited");
    const failed = await api(coolify.emu, "PATCH", `/databases/${uuid}/backups/${String(backup.body.uuid)}`, { backup_now: true });
    expect(failed.status).toBe(200);
    coolify.emu.advance(2_000);
    expect((await api(coolify.emu, "GET", executions)).body.executions).toMatchObject([{ status: "failed", message: "Database is not running." }, {}, {}]);

    expect((await api(coolify.emu, "DELETE", `/databases/${uuid}`)).status).toBe(200);
    expect((await api(coolify.emu, "GET", `/databases/${uuid}`)).status).toBe(200);
    coolify.emu.advance(2_000);
    expect((await api(coolify.emu, "GET", `/databases/${uuid}`)).status).toBe(404);
  });
});
