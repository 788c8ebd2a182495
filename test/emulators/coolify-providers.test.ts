/**
 * The Coolify dynamic providers' CRUD against the in-process Coolify emulator: the provider objects are
 * called the way the engine calls them (check/diff/create/read/update/delete), and the emulator's state
 * and app traffic are what the assertions look at.
 */
import { afterEach, describe, expect, it } from "vitest";
import { coolifyApplicationProvider } from "../../components/coolify/application.provider";
import { coolifyDatabaseProvider } from "../../components/coolify/database.provider";
import { DeploymentFailedError } from "../../components/coolify/deploy";
import { coolifyProjectProvider } from "../../components/coolify/project.provider";
import type { ApplicationInputs, ApplicationOutputs, DatabaseInputs, DatabaseOutputs, ProjectInputs } from "../../components/coolify/types";
import { api, appGet, useCoolifyEmulator } from "./coolify/testkit";
import { engineCalls, useFastProviderSettings } from "./common/provider-harness";

useFastProviderSettings();

const IMAGE_A = `ghcr.io/acme/web@sha256:${"a".repeat(64)}`;
const IMAGE_B = `ghcr.io/acme/web@sha256:${"b".repeat(64)}`;
const HOST = "staging.example.com";

const coolify = useCoolifyEmulator({ port: 0, timeScale: 400, strictResponses: true });
// Every request the providers sent was on-spec too (no 422: unknown fields are refused), so the assertions ran
// against faithful behaviour in both directions.
afterEach(() => {
  expect(coolify.emu.log.filter((l) => l.status === 422 || l.status === 501).map((l) => `${l.method} ${l.path} ${l.status}`)).toEqual([]);
});

const projects = engineCalls(coolifyProjectProvider);
const apps = engineCalls(coolifyApplicationProvider);
const dbs = engineCalls(coolifyDatabaseProvider);

/** A list reply's items, for assertions. */
const items = <T>(body: unknown): T[] => body as T[];

const project = (o: Partial<ProjectInputs> = {}): ProjectInputs => ({ connection: coolify.connection, name: "web", environmentName: "staging", ...o });

async function placement(): Promise<Pick<ApplicationInputs, "projectUuid" | "environmentUuid" | "environmentName" | "serverUuid">> {
  const { outs } = await projects.create(project());
  return { projectUuid: outs.projectUuid, environmentUuid: outs.environmentUuid, environmentName: "staging", serverUuid: coolify.emu.serverUuid };
}

async function appInputs(o: Partial<ApplicationInputs> = {}): Promise<ApplicationInputs> {
  return {
    connection: coolify.connection,
    ...(await placement()),
    name: "web",
    image: IMAGE_A,
    domains: [HOST],
    ports: [3000],
    portMappings: [],
    healthCheck: { path: "/health", intervalSeconds: 2, timeoutSeconds: 1, retries: 2, startPeriodSeconds: 1, returnCode: 200 },
    limits: { memory: "512m" },
    env: { NODE_ENV: "production", LOG_LEVEL: "info" },
    secretEnv: { API_KEY: "s3cret" },
    deploy: true,
    ...o,
  };
}

const countNamed = async (path: string, name: string): Promise<number> =>
  items<{ name?: string }>((await api(coolify.emu, "GET", path)).body).filter((r) => r.name === name).length;

describe("project", () => {
  it("creates, reads, renames in place and deletes (waiting for the queued delete)", async () => {
    const { id, outs } = await projects.create(project());
    expect(outs.environmentUuid).not.toBe("");
    const read = await projects.read(id, outs);
    expect(read.props).toMatchObject({ name: "web", environmentName: "staging", environmentUuid: outs.environmentUuid });

    const news = project({ name: "web2", environmentName: "stage" });
    const diff = await projects.diff(id, outs, news);
    expect(diff).toMatchObject({ changes: undefined, replaces: [] }); // "unknown": the engine diffs the inputs
    const updated = await projects.update(id, outs, news);
    expect(updated.outs.environmentUuid).toBe(outs.environmentUuid);
    expect((await api(coolify.emu, "GET", `/projects/${id}/${outs.environmentUuid}`)).body.name).toBe("stage");

    await projects.delete(id, updated.outs);
    expect((await api(coolify.emu, "GET", `/projects/${id}`)).status).toBe(404);
    expect(await projects.read(id, updated.outs)).toEqual({});
  });

  it("adopts the production environment Coolify creates with every project", async () => {
    const { outs } = await projects.create(project({ environmentName: "production" }));
    const envs = items<{ name: string }>((await api(coolify.emu, "GET", `/projects/${outs.projectUuid}/environments`)).body);
    expect(envs.map((e) => e.name)).toEqual(["production"]);
  });

  it("shares a project by name between stacks, one environment each, deleted when the last one goes", async () => {
    const staging = await projects.create(project());
    const production = await projects.create(project({ environmentName: "production" }));
    expect(production.id).toBe(staging.id);
    expect(production.outs).toMatchObject({ adopted: true });
    expect(staging.outs).toMatchObject({ adopted: false });
    expect(await countNamed("/projects", "web")).toBe(1);

    // Production holds an application, so the creator's delete must leave the project alone.
    const app = await apps.create({
      ...(await appInputs()),
      projectUuid: production.outs.projectUuid,
      environmentUuid: production.outs.environmentUuid,
      environmentName: "production",
    });
    await projects.delete(staging.id, staging.outs);
    const envNames = async () => items<{ name: string }>((await api(coolify.emu, "GET", `/projects/${staging.id}/environments`)).body).map((e) => e.name);
    expect(await envNames()).toEqual(["production"]);

    await apps.delete(app.id, app.outs);
    await projects.delete(production.id, production.outs);
    expect((await api(coolify.emu, "GET", `/projects/${staging.id}`)).status).toBe(404);
  });

  it("refuses to guess between two projects with the same name", async () => {
    await api(coolify.emu, "POST", "/projects", { name: "web" });
    await api(coolify.emu, "POST", "/projects", { name: "web" });
    await expect(projects.create(project())).rejects.toThrow(/2 projects are named "web" .*rename all but one/);
  });

  it("makes no duplicate when the create's reply is lost (502 after the project was made)", async () => {
    coolify.emu.injectFault({ method: "POST", path: "/projects", times: 1, fault: { kind: "ambiguous", status: 502 } });
    const { id } = await projects.create(project());
    expect(await countNamed("/projects", "web")).toBe(1);
    expect((await api(coolify.emu, "GET", `/projects/${id}`)).status).toBe(200);
  });
});

describe("application", () => {
  it("creates with env vars, deploys, and serves the pinned image on its domain", async () => {
    const inputs = await appInputs();
    const { id, outs } = await apps.create(inputs);
    expect(outs).toMatchObject({ uuid: id, urls: [`https://${HOST}`], deploymentStatus: "finished" });
    const envs = items<{ key: string; value: string }>((await api(coolify.emu, "GET", `/applications/${id}/envs`)).body);
    expect(Object.fromEntries(envs.map((e) => [e.key, e.value]))).toEqual({
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      API_KEY: "s3cret",
    });
    const traffic = await appGet(coolify.emu, HOST, "/health");
    expect(traffic).toMatchObject({ status: 200, image: IMAGE_A });
    // The request log masks secret values.
    expect(JSON.stringify(coolify.emu.log)).not.toContain("s3cret");
  });

  it("reads back exactly what it set (no drift), and reports hand-made changes", async () => {
    const inputs = await appInputs();
    const { id, outs } = await apps.create(inputs);
    const read = await apps.read(id, outs);
    expect((await apps.diff(id, read.props as ApplicationOutputs, inputs)).changes).toBe(false);

    await api(coolify.emu, "PATCH", `/applications/${id}`, { domains: "https://hand.example.com", ports_exposes: "8080" });
    const drifted = await apps.read(id, outs);
    expect(drifted.props).toMatchObject({ domains: ["hand.example.com"], ports: [8080], secretEnv: { API_KEY: "s3cret" } });
    // Reported as the inputs too, so the engine's own input diff sees the drift and `up` restores the declared values.
    expect(drifted.inputs).toMatchObject({ domains: ["hand.example.com"], ports: [8080] });
    expect(drifted.inputs).not.toHaveProperty("uuid");
    const restore = await apps.diff(id, drifted.props as ApplicationOutputs, inputs);
    expect(restore).toMatchObject({ changes: undefined, replaces: [] });
  });

  it("updates in place: new image rolls, env vars upserted and removed, one deployment", async () => {
    const inputs = await appInputs();
    const { id, outs } = await apps.create(inputs);
    const news = { ...inputs, image: IMAGE_B, env: { NODE_ENV: "staging" }, secretEnv: { API_KEY: "rotated" } };
    const diff = await apps.diff(id, outs, news);
    expect(diff).toMatchObject({ changes: undefined, replaces: [] }); // "unknown": the engine diffs the inputs
    const { outs: after } = await apps.update(id, outs, news);
    expect(after.deploymentStatus).toBe("finished");
    expect(after.deploymentUuid).not.toBe(outs.deploymentUuid);
    const envs = items<{ key: string; value: string }>((await api(coolify.emu, "GET", `/applications/${id}/envs`)).body);
    expect(Object.fromEntries(envs.map((e) => [e.key, e.value]))).toEqual({
      NODE_ENV: "staging",
      API_KEY: "rotated",
    });
    expect(await appGet(coolify.emu, HOST, "/")).toMatchObject({ status: 200, image: IMAGE_B });
  });

  it("does not deploy for a rename", async () => {
    const inputs = await appInputs();
    const { id, outs } = await apps.create(inputs);
    const { outs: after } = await apps.update(id, outs, { ...inputs, name: "web-renamed" });
    expect(after.deploymentUuid).toBe(outs.deploymentUuid);
    expect((await api(coolify.emu, "GET", `/applications/${id}`)).body.name).toBe("web-renamed");
  });

  it("replaces when moved to another project, deleting first because the domain stays", async () => {
    const inputs = await appInputs();
    const { id, outs } = await apps.create(inputs);
    const elsewhere = await projects.create(project({ name: "other" }));
    const news = { ...inputs, projectUuid: elsewhere.outs.projectUuid, environmentUuid: elsewhere.outs.environmentUuid };
    const diff = await apps.diff(id, outs, news);
    expect(diff).toMatchObject({ replaces: ["projectUuid", "environmentUuid"], deleteBeforeReplace: true });
    // The engine's order for deleteBeforeReplace: delete, then create.
    await apps.delete(id, outs);
    expect((await api(coolify.emu, "GET", `/applications/${id}`)).status).toBe(404);
    const created = await apps.create(news);
    expect(created.id).not.toBe(id);
    expect(await appGet(coolify.emu, HOST, "/health")).toMatchObject({ status: 200 });
  });

  it("fails the update with the deployment's log when the new image is unhealthy, old version still serving", async () => {
    const inputs = await appInputs();
    const { id, outs } = await apps.create(inputs);
    coolify.emu.markImageUnhealthy(IMAGE_B);
    const error = await apps.update(id, outs, { ...inputs, image: IMAGE_B }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeploymentFailedError);
    expect((error as DeploymentFailedError).status).toBe("failed");
    expect((error as Error).message).toMatch(/deployment .* of application .* failed:\n/);
    expect(await appGet(coolify.emu, HOST, "/health")).toMatchObject({ status: 200, image: IMAGE_A });
  });

  it("deploys on the next update after a failed one, although the env vars were already applied", async () => {
    const inputs = await appInputs();
    const { id, outs } = await apps.create(inputs);
    coolify.emu.markImageUnhealthy(IMAGE_B);
    const news = { ...inputs, image: IMAGE_B, env: { ...inputs.env, FEATURE: "on" } };
    await expect(apps.update(id, outs, news)).rejects.toBeInstanceOf(DeploymentFailedError);
    // The engine keeps the old state; the user fixes the image and runs `up` again.
    const fixed = { ...news, image: IMAGE_A };
    const { outs: after } = await apps.update(id, outs, fixed);
    expect(after.deploymentStatus).toBe("finished");
    expect(after.deploymentUuid).not.toBe(outs.deploymentUuid);
  });

  it("leaves nothing behind when the first deployment fails", async () => {
    coolify.emu.markImageUnhealthy(IMAGE_A);
    await expect(apps.create(await appInputs())).rejects.toBeInstanceOf(DeploymentFailedError);
    expect(await countNamed("/applications", "web")).toBe(0);
  });

  it("converges through 500, 502 and 429 + Retry-After on reads and writes", async () => {
    const inputs = await appInputs();
    coolify.emu.injectFault({ method: "GET", path: "/applications", times: 1, fault: { kind: "status", status: 500 } });
    coolify.emu.injectFault({ method: "POST", path: "/applications/dockerimage", times: 1, fault: { kind: "status", status: 502 } });
    coolify.emu.injectFault({ method: "PATCH", path: "/applications/{uuid}/envs/bulk", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 1 } });
    coolify.emu.injectFault({ method: "GET", path: "/deployments/{uuid}", times: 2, fault: { kind: "status", status: 503 } });
    coolify.emu.injectFault({ method: "POST", path: "/deploy", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 1 } });
    const { id, outs } = await apps.create(inputs);
    expect(outs.deploymentStatus).toBe("finished");
    expect(await countNamed("/applications", "web")).toBe(1);
    const statuses = coolify.emu.log.map((l) => l.status);
    expect(statuses).toEqual(expect.arrayContaining([500, 502, 429, 503]));
    coolify.emu.injectFault({ method: "GET", path: "/applications/{uuid}", times: 2, fault: { kind: "status", status: 502 } });
    expect((await apps.read(id, outs)).id).toBe(id);
  });

  it("survives a create that hangs past the client timeout, and a GET that does", async () => {
    const inputs = await appInputs();
    process.env.SLIPWAY_HTTP_TIMEOUT_MS = "300";
    try {
      coolify.emu.injectFault({ method: "POST", path: "/applications/dockerimage", times: 1, fault: { kind: "hang", ms: 1000 } });
      coolify.emu.injectFault({ method: "GET", path: "/applications/{uuid}", times: 1, fault: { kind: "hang", ms: 1000 } });
      const { id } = await apps.create(inputs);
      expect(await countNamed("/applications", "web")).toBe(1);
      expect((await api(coolify.emu, "GET", `/applications/${id}`)).status).toBe(200);
    } finally {
      process.env.SLIPWAY_HTTP_TIMEOUT_MS = "3000";
    }
  });

  it("manages persistent volumes: created with the app, moved, renamed and dropped, foreign ones kept", async () => {
    const inputs = await appInputs({ volumes: [{ name: "media", mountPath: "/app/media" }] });
    const { id, outs } = await apps.create(inputs);
    const storages = async () =>
      items<{ name: string; mount_path: string }>((await api(coolify.emu, "GET", `/applications/${id}/storages`)).body.persistent_storages)
        .map((v) => `${v.name}:${v.mount_path}`)
        .sort();
    expect(await storages()).toEqual([`${id}-media:/app/media`]);
    expect((await apps.read(id, outs)).props).toMatchObject({ volumes: [{ name: "media", mountPath: "/app/media" }] });

    // Coolify v4.3.10 create_storage prefixes every name it is sent with the application's uuid.
    await api(coolify.emu, "POST", `/applications/${id}/storages`, { type: "persistent", name: "hand-made", mount_path: "/hand" });
    const news = { ...inputs, volumes: [{ name: "uploads", mountPath: "/app/media" }, { name: "cache", mountPath: "/cache" }] };
    const { outs: after } = await apps.update(id, outs, news);
    expect(await storages()).toEqual([`${id}-cache:/cache`, `${id}-uploads:/app/media`, `${id}-hand-made:/hand`].sort());
    expect(after.deploymentUuid).not.toBe(outs.deploymentUuid);

    await apps.update(id, after, { ...news, volumes: [{ name: "cache", mountPath: "/var/cache" }] });
    expect(await storages()).toEqual([`${id}-cache:/var/cache`, `${id}-hand-made:/hand`].sort());
  });

  it("makes no duplicate application when the create's reply is lost", async () => {
    const inputs = await appInputs();
    coolify.emu.injectFault({ method: "POST", path: "/applications/dockerimage", times: 1, fault: { kind: "ambiguous", status: 504 } });
    const { id } = await apps.create(inputs);
    expect(await countNamed("/applications", "web")).toBe(1);
    expect((await api(coolify.emu, "GET", `/applications/${id}`)).status).toBe(200);
  });
});

describe("database", () => {
  const dbInputs = async (o: Partial<DatabaseInputs> = {}): Promise<DatabaseInputs> => ({
    connection: coolify.connection,
    ...(await placement()),
    name: "web-db",
    image: "pgvector/pgvector:pg16",
    user: "app",
    databaseName: "app",
    password: "pw-123",
    backup: { schedule: "0 3 * * *", retentionDays: 30, retentionAmount: 0 },
    ...o,
  });

  it("creates Postgres with a backup schedule, reads it back, updates in place and deletes", async () => {
    const inputs = await dbInputs();
    const { id, outs } = await dbs.create(inputs);
    expect(outs).toMatchObject({ internalHost: id, port: 5432, internalDbUrl: `postgres://app:pw-123@${id}:5432/app` });
    const backups = (await api(coolify.emu, "GET", `/databases/${id}/backups`)).body;
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatchObject({ uuid: outs.backupUuid, frequency: "0 3 * * *", database_backup_retention_days_locally: 30 });

    const read = await dbs.read(id, outs);
    expect((await dbs.diff(id, read.props as DatabaseOutputs, inputs)).changes).toBe(false);

    const news = { ...inputs, image: "pgvector/pgvector:pg17", backup: { schedule: "0 4 * * *", retentionDays: 7, retentionAmount: 3 } };
    expect(await dbs.diff(id, outs, news)).toMatchObject({ changes: undefined, replaces: [] });
    const { outs: after } = await dbs.update(id, outs, news);
    expect(after.backupUuid).toBe(outs.backupUuid);
    expect((await api(coolify.emu, "GET", `/databases/${id}`)).body).toMatchObject({ image: "pgvector/pgvector:pg17", status: "running:healthy" });
    expect((await api(coolify.emu, "GET", `/databases/${id}/backups`)).body[0]).toMatchObject({ frequency: "0 4 * * *" });

    const { outs: noBackup } = await dbs.update(id, after, { ...news, backup: undefined });
    expect(noBackup.backupUuid).toBeUndefined();
    expect((await api(coolify.emu, "GET", `/databases/${id}/backups`)).body).toHaveLength(0);

    await dbs.delete(id, noBackup);
    expect((await api(coolify.emu, "GET", `/databases/${id}`)).status).toBe(404);
  });

  it("replaces when the role changes (initdb-only)", async () => {
    const inputs = await dbInputs();
    const { id, outs } = await dbs.create(inputs);
    expect(await dbs.diff(id, outs, { ...inputs, user: "web" })).toMatchObject({ replaces: ["user"] });
  });

  it("makes no duplicate database when the create's reply is lost, and retries a 500", async () => {
    coolify.emu.injectFault({ method: "POST", path: "/databases/postgresql", times: 1, fault: { kind: "ambiguous", status: 500 } });
    coolify.emu.injectFault({ method: "POST", path: "/databases/{uuid}/backups", times: 1, fault: { kind: "status", status: 500 } });
    const { id } = await dbs.create(await dbInputs());
    expect(await countNamed("/databases", "web-db")).toBe(1);
    expect((await api(coolify.emu, "GET", `/databases/${id}/backups`)).body).toHaveLength(1);
  });
});
