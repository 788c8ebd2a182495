/**
 * The Coolify providers against behaviours of Coolify v4.3.10 that the OpenAPI description does not tell
 * (each one modelled by the emulator from Coolify's source, see the comments there): the digest storage form and
 * PATCH's image-name pattern, the uuid prefix Coolify gives volume names, deploy de-duplication, token abilities
 * and hidden values, `delete_volumes`, and the per-minute rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coolifyApplicationProvider } from "../../components/coolify/application.provider";
import { coolifyDatabaseProvider } from "../../components/coolify/database.provider";
import { coolifyProjectProvider } from "../../components/coolify/project.provider";
import type { ApplicationInputs, ApplicationOutputs, DatabaseInputs, DatabaseOutputs, ProjectInputs, ProjectOutputs } from "../../components/coolify/types";
import { startCoolifyEmulator, type CoolifyEmulator } from "./coolify";
import { api, appGet, useCoolifyEmulator } from "./coolify/testkit";
import { engineCalls, useFastProviderSettings } from "./common/provider-harness";

useFastProviderSettings();

const IMAGE_A = `ghcr.io/acme/web@sha256:${"a".repeat(64)}`;
const IMAGE_B = `ghcr.io/acme/web@sha256:${"b".repeat(64)}`;
const HOST = "staging.example.com";
/** The token the README tells users to create: read, write and deploy, without read:sensitive. */
const NORMAL = "normal-token";
const READ_ONLY = "read-only-token";

const coolify = useCoolifyEmulator({
  port: 0,
  timeScale: 400,
  strictResponses: true,
  tokenAbilities: { [NORMAL]: ["read", "write", "deploy"], [READ_ONLY]: ["read"] },
});

const projects = engineCalls<ProjectInputs, ProjectOutputs>(coolifyProjectProvider);
const apps = engineCalls<ApplicationInputs, ApplicationOutputs>(coolifyApplicationProvider);
const dbs = engineCalls<DatabaseInputs, DatabaseOutputs>(coolifyDatabaseProvider);

const connectionFor = (token: string) => ({ apiUrl: coolify.emu.url, token });

async function appInputs(token: string, o: Partial<ApplicationInputs> = {}): Promise<ApplicationInputs> {
  const { outs } = await projects.create({ connection: connectionFor(token), name: "web", environmentName: "staging" });
  return {
    connection: connectionFor(token),
    projectUuid: outs.projectUuid,
    environmentUuid: outs.environmentUuid,
    environmentName: "staging",
    serverUuid: coolify.emu.serverUuid,
    name: "web",
    image: IMAGE_A,
    domains: [HOST],
    ports: [3000],
    portMappings: [],
    healthCheck: { path: "/health", intervalSeconds: 2, timeoutSeconds: 1, retries: 2, startPeriodSeconds: 1, returnCode: 200 },
    env: { NODE_ENV: "production" },
    secretEnv: { API_KEY: "s3cret" },
    githubWebhookSecret: "whsec-1",
    deploy: true,
    ...o,
  };
}

/** Requests other than reads, after `since` (an index into the log). */
const writesSince = (since: number): string[] =>
  coolify.emu.log.slice(since).filter((l) => l.method !== "GET").map((l) => `${l.method} ${l.path.replace(/\?.*$/, "")}`);

describe("digests (ApplicationsController create_application / update_by_uuid, ValidationPatterns)", () => {
  it("reads a digest back as it was given, and updates to another digest with a PATCH Coolify accepts", async () => {
    const inputs = await appInputs("root-token");
    const { id, outs } = await apps.create(inputs);
    const stored = (await api(coolify.emu, "GET", `/applications/${id}`)).body;
    expect(stored).toMatchObject({ docker_registry_image_name: "ghcr.io/acme/web@sha256", docker_registry_image_tag: "a".repeat(64) });
    const read = await apps.read(id, outs);
    expect(read.props).toMatchObject({ image: IMAGE_A });

    const { outs: after } = await apps.update(id, outs, { ...inputs, image: IMAGE_B });
    expect(after.deploymentStatus).toBe("finished");
    expect(coolify.emu.log.filter((l) => l.status === 422)).toEqual([]);
    expect(await appGet(coolify.emu, HOST, "/")).toMatchObject({ status: 200, image: IMAGE_B });
    expect((await apps.read(id, after)).props).toMatchObject({ image: IMAGE_B });
  });
});

describe("volumes (ApplicationsController create_storage names them <uuid>-<name>)", () => {
  it("keeps exactly one storage per declared volume across updates", async () => {
    const inputs = await appInputs("root-token", { volumes: [{ name: "media", mountPath: "/app/media" }] });
    const { id, outs } = await apps.create(inputs);
    const names = async () =>
      ((await api(coolify.emu, "GET", `/applications/${id}/storages`)).body.persistent_storages as { name: string }[]).map((s) => s.name);
    expect(await names()).toEqual([`${id}-media`]);
    const { outs: after } = await apps.update(id, outs, { ...inputs, env: { NODE_ENV: "staging" } });
    await apps.update(id, after, { ...inputs, env: { NODE_ENV: "test" } });
    expect(await names()).toEqual([`${id}-media`]);
    expect((await apps.read(id, after)).props).toMatchObject({ volumes: [{ name: "media", mountPath: "/app/media" }] });
  });
});

describe("deploy de-duplication (DeployController + queue_application_deployment)", () => {
  // A health check that takes two emulated minutes keeps each deployment in progress for ~0.3 s of real time.
  const slow = { path: "/health", intervalSeconds: 2, timeoutSeconds: 1, retries: 2, startPeriodSeconds: 120, returnCode: 200 };
  const deployNow = async (id: string): Promise<string> => {
    const r = await api(coolify.emu, "POST", `/deploy?uuid=${id}&force=true`);
    return String((r.body.deployments as { deployment_uuid: string }[])[0]?.deployment_uuid);
  };
  const statusOf = async (d: string): Promise<unknown> => (await api(coolify.emu, "GET", `/deployments/${d}`)).body.status;
  const untilRunning = async (d: string): Promise<void> => {
    for (let i = 0; i < 200 && (await statusOf(d)) === "queued"; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await statusOf(d)).toBe("in_progress");
  };

  it("an update while a deployment of the app is queued waits for that one, which runs what slipway wrote", async () => {
    const inputs = await appInputs("root-token", { deploy: false, healthCheck: slow });
    const { id, outs } = await apps.create(inputs);
    // Someone (a webhook, the UI) deployed twice a moment ago: one runs, one waits; POST /deploy now answers
    // "Deployment already queued for this commit." with a deployment_uuid that does not exist.
    const running = await deployNow(id);
    await untilRunning(running);
    const queued = await deployNow(id);
    expect(await statusOf(queued)).toBe("queued");
    const { outs: after } = await apps.update(id, outs, { ...inputs, env: { NODE_ENV: "staging" }, deploy: true });
    expect(after).toMatchObject({ deploymentUuid: queued, deploymentStatus: "finished" });
    expect(await statusOf(running)).toBe("finished");
  });

  it("an update while an older deployment is already running deploys again after it", async () => {
    const inputs = await appInputs("root-token", { deploy: false, healthCheck: slow });
    const { id, outs } = await apps.create(inputs);
    const running = await deployNow(id);
    await untilRunning(running);
    // That deployment read the configuration before slipway's change, so it cannot be the one slipway waits for.
    const { outs: after } = await apps.update(id, outs, { ...inputs, env: { NODE_ENV: "staging" }, deploy: true });
    expect(after.deploymentStatus).toBe("finished");
    expect(after.deploymentUuid).not.toBe(running);
    expect(await statusOf(String(after.deploymentUuid))).toBe("finished");
  });
});

describe("token abilities and hidden values (ApiAbility.php, ApiSensitiveData.php, models' $hidden)", () => {
  it("with a read+write+deploy token: no drift after create, and an unchanged update writes and deploys nothing", async () => {
    const inputs = await appInputs(NORMAL);
    const { id, outs } = await apps.create(inputs);
    // Coolify hides the values from this token.
    const envs = (await api(coolify.emu, "GET", `/applications/${id}/envs`, undefined, { token: NORMAL })).body as Record<string, unknown>[];
    expect(envs.map((e) => "value" in e)).toEqual([false, false]);
    const read = await apps.read(id, outs);
    expect(read.props).toMatchObject({ env: { NODE_ENV: "production" }, secretEnv: { API_KEY: "s3cret" }, githubWebhookSecret: "whsec-1" });
    expect((await apps.diff(id, read.props as ApplicationOutputs, inputs)).changes).toBe(false);
    const since = coolify.emu.log.length;
    const { outs: after } = await apps.update(id, read.props as ApplicationOutputs, inputs);
    expect(writesSince(since)).toEqual([]);
    expect(after.deploymentUuid).toBe(outs.deploymentUuid);
  });

  it("with that token, a changed secret is written and deployed; a failed deployment's error says the log is hidden", async () => {
    const inputs = await appInputs(NORMAL);
    const { id, outs } = await apps.create(inputs);
    const { outs: after } = await apps.update(id, outs, { ...inputs, secretEnv: { API_KEY: "rotated" } });
    expect(after.deploymentUuid).not.toBe(outs.deploymentUuid);
    const envs = (await api(coolify.emu, "GET", `/applications/${id}/envs`)).body as { key: string; value: string }[];
    expect(envs.find((e) => e.key === "API_KEY")?.value).toBe("rotated");
    coolify.emu.markImageUnhealthy(IMAGE_B);
    const failed = await apps.update(id, after, { ...inputs, image: IMAGE_B, secretEnv: { API_KEY: "rotated" } }).catch((e: Error) => e);
    expect(String(failed)).toContain("read:sensitive");
  });

  it("with a read-only token, one message names every missing ability before anything is written", async () => {
    const { outs: project } = await projects.create({ connection: connectionFor("root-token"), name: "web", environmentName: "staging" });
    const since = coolify.emu.log.length;
    const inputs: ApplicationInputs = {
      ...(await appInputs("root-token")),
      connection: connectionFor(READ_ONLY),
      projectUuid: project.projectUuid,
      environmentUuid: project.environmentUuid,
    };
    const error = await apps.create(inputs).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/write/);
    expect(message).toMatch(/deploy/);
    expect(message).toContain("API token");
    expect(coolify.emu.log.slice(since).some((l) => l.path.startsWith("/api/v1/applications/dockerimage"))).toBe(false);
  });
});

describe("deletes keep volume data (DeleteResourceJob: delete_volumes defaults to true)", () => {
  it("deleting or replacing an application leaves its Docker volumes and their data on the server", async () => {
    const inputs = await appInputs("root-token", { volumes: [{ name: "media", mountPath: "/app/media" }] });
    const { id, outs } = await apps.create(inputs);
    expect(coolify.emu.state.volumes.has(`${id}-media`)).toBe(true);
    await apps.delete(id, outs);
    expect((await api(coolify.emu, "GET", `/applications/${id}`)).status).toBe(404);
    expect(coolify.emu.state.volumes.has(`${id}-media`)).toBe(true);
    expect(coolify.emu.log.filter((l) => l.method === "DELETE" && l.path.startsWith(`/api/v1/applications/${id}`)).map((l) => l.path)).toEqual([
      `/api/v1/applications/${id}?delete_volumes=false`,
    ]);
  });

  it("deleting a database leaves its data volume", async () => {
    const { outs: project } = await projects.create({ connection: connectionFor("root-token"), name: "web", environmentName: "staging" });
    const inputs: DatabaseInputs = {
      connection: connectionFor("root-token"),
      projectUuid: project.projectUuid,
      environmentUuid: project.environmentUuid,
      environmentName: "staging",
      serverUuid: coolify.emu.serverUuid,
      name: "web-db",
      image: "pgvector/pgvector:pg16",
      user: "app",
      databaseName: "app",
      password: "pw-123",
    };
    const { id, outs } = await dbs.create(inputs);
    expect(coolify.emu.state.volumes.has(`postgres-data-${id}`)).toBe(true);
    await dbs.delete(id, outs);
    expect((await api(coolify.emu, "GET", `/databases/${id}`)).status).toBe(404);
    expect(coolify.emu.state.volumes.has(`postgres-data-${id}`)).toBe(true);
  });
});

describe("rate limit (RouteServiceProvider: API_RATE_LIMIT requests a minute per token, 429 + Retry-After)", () => {
  let limited: CoolifyEmulator;
  beforeAll(async () => {
    // One emulated minute is 3 s here, so Retry-After stays short.
    limited = await startCoolifyEmulator({ port: 0, timeScale: 20, strictResponses: true, rateLimitPerMinute: 15 });
  });
  afterAll(() => limited.close());

  it("an application create that runs into the limit waits as told and completes", async () => {
    const connection = { apiUrl: limited.url, token: "root-token" };
    const { outs } = await projects.create({ connection, name: "web", environmentName: "staging" });
    const inputs: ApplicationInputs = {
      ...(await appInputs("root-token")),
      connection,
      projectUuid: outs.projectUuid,
      environmentUuid: outs.environmentUuid,
      serverUuid: limited.serverUuid,
    };
    const { id } = await apps.create(inputs);
    expect(limited.log.filter((l) => l.status === 429).length).toBeGreaterThan(0);
    expect((await api(limited, "GET", `/applications/${id}`)).status).toBe(200);
    expect(limited.responseViolations).toEqual([]);
  }, 30_000);
});
