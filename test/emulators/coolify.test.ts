import { describe, expect, it } from "vitest";
import { startEmulatorServer } from "./common/server";
import { coolifyFlavor } from "./coolify/flavor";
import { startCoolifyEmulator } from "./coolify/index";
import { api, createApp, pluck, projectWithEnv, useCoolifyEmulator } from "./coolify/testkit";

// Self-tests of the Coolify emulator's API surface: validation in both directions, auth, error shapes,
// control API and every fault kind. Lifecycle behaviour is in coolify/lifecycle.test.ts.
// A near-frozen clock: only advance() moves time, so nothing changes between two assertions.
const coolify = useCoolifyEmulator({ timeScale: 0.0001 });

describe("valid requests", () => {
  it("creates a project with Coolify's default production environment, then more environments", async () => {
    const created = await api(coolify.emu, "POST", "/projects", { name: "shop", description: "web shop" });
    expect(created.status).toBe(201);
    const uuid = String(created.body.uuid);
    const envs = await api(coolify.emu, "GET", `/projects/${uuid}/environments`);
    expect(pluck(envs.body, "name")).toEqual(["production"]);
    const staging = await api(coolify.emu, "POST", `/projects/${uuid}/environments`, { name: "staging" });
    expect(staging.status).toBe(201);
    const byName = await api(coolify.emu, "GET", `/projects/${uuid}/staging`);
    expect(byName.body).toMatchObject({ name: "staging", uuid: staging.body.uuid });
    expect((await api(coolify.emu, "POST", `/projects/${uuid}/environments`, { name: "staging" })).status).toBe(409);
    const patched = await api(coolify.emu, "PATCH", `/projects/${uuid}`, { name: "shop2" });
    expect(patched).toMatchObject({ status: 201, body: { uuid, name: "shop2" } });
  });

  it("stores a docker image app: digest parsed like Coolify, domains become fqdn, limits and commands kept", async () => {
    const where = await projectWithEnv(coolify.emu);
    const app = await createApp(coolify.emu, where, {
      name: "web",
      domains: "https://shop.example.com",
      limits_memory: "512m",
      health_check_enabled: true,
      health_check_path: "/health",
      pre_deployment_command: "npm run migrate",
    });
    const got = await api(coolify.emu, "GET", `/applications/${app}`);
    expect(got.body).toMatchObject({
      name: "web",
      fqdn: "https://shop.example.com",
      // Coolify v4.3.10 create_application: DockerImageParser + "@sha256" appended to the name, bare hex as tag.
      docker_registry_image_name: "ghcr.io/acme/web@sha256",
      docker_registry_image_tag: "a".repeat(64),
      limits_memory: "512m",
      health_check_enabled: true,
      health_check_path: "/health",
      pre_deployment_command: "npm run migrate",
      ports_exposes: "3000",
      status: "exited",
    });
    const patched = await api(coolify.emu, "PATCH", `/applications/${app}`, { domains: "https://a.example.com,https://b.example.com" });
    expect(patched.status).toBe(200);
    expect((await api(coolify.emu, "GET", `/applications/${app}`)).body.fqdn).toBe("https://a.example.com,https://b.example.com");
    const clash = await createApp(coolify.emu, where, { domains: "https://b.example.com" }).catch((e: Error) => e.message);
    expect(clash).toContain("409");
  });

  it("env vars: create, PATCH by key, bulk upsert, is_runtime/is_buildtime accepted, delete; values masked in the log", async () => {
    const app = await createApp(coolify.emu, await projectWithEnv(coolify.emu));
    const created = await api(coolify.emu, "POST", `/applications/${app}/envs`, { key: "A", value: "one", is_runtime: true, is_buildtime: false });
    expect(created.status).toBe(201);
    expect((await api(coolify.emu, "POST", `/applications/${app}/envs`, { key: "A", value: "dup" })).status).toBe(409);
    const patched = await api(coolify.emu, "PATCH", `/applications/${app}/envs`, { key: "A", value: "two" });
    expect(patched).toMatchObject({ status: 201, body: { key: "A", value: "two", is_buildtime: false } });
    const bulk = await api(coolify.emu, "PATCH", `/applications/${app}/envs/bulk`, { data: [{ key: "A", value: "three" }, { key: "B", value: "new" }] });
    expect(bulk.status).toBe(201);
    const list = await api(coolify.emu, "GET", `/applications/${app}/envs`);
    expect((list.body as { key: string; value: string }[]).map((e) => `${e.key}=${e.value}`).sort()).toEqual(["A=three", "B=new"]);
    expect((await api(coolify.emu, "DELETE", `/applications/${app}/envs/${String(created.body.uuid)}`)).status).toBe(200);
    expect((await api(coolify.emu, "GET", `/applications/${app}/envs`)).body).toHaveLength(1);
    expect(JSON.stringify(coolify.emu.log)).not.toMatch(/"value":"(one|two|three|new)"/);
    expect(coolify.emu.log.find((l) => l.operationId === "create-env-by-application-uuid")?.body).toMatchObject({ value: "********" });
    expect(JSON.stringify(coolify.emu.inventory())).not.toMatch(/"value":"(three|new)"/);
    await api(coolify.emu, "PATCH", `/applications/${app}`, { manual_webhook_secret_github: "whsec-123" });
    expect(JSON.stringify(coolify.emu.log)).not.toContain("whsec-123");
    expect(JSON.stringify(coolify.emu.inventory())).not.toContain("whsec-123");
  });
});

describe("application storages", () => {
  it("adds, lists, moves and deletes a persistent volume; a taken name fails, bad names and unknown fields are refused", async () => {
    const app = await createApp(coolify.emu, await projectWithEnv(coolify.emu));
    const base = `/applications/${app}/storages`;
    // Coolify v4.3.10 create_storage names the volume "<application uuid>-<name>".
    const created = await api(coolify.emu, "POST", base, { type: "persistent", name: "media", mount_path: "/app/media" });
    expect(created).toMatchObject({ status: 201, body: { name: `${app}-media`, mount_path: "/app/media" } });
    // A second volume of that name breaks the table's unique index: Laravel's bare 500.
    expect((await api(coolify.emu, "POST", base, { type: "persistent", name: "media", mount_path: "/other" })).status).toBe(500);
    expect((await api(coolify.emu, "POST", base, { type: "persistent", name: "bad name", mount_path: "/x" })).status).toBe(422);
    expect((await api(coolify.emu, "POST", base, { type: "persistent", name: "x", mount_path: "/x", size: 5 })).body).toMatchObject({ errors: { size: ["This field is not allowed."] } });
    const moved = await api(coolify.emu, "PATCH", base, { uuid: created.body.uuid, type: "persistent", mount_path: "/data" });
    expect(moved).toMatchObject({ status: 200, body: { mount_path: "/data" } });
    expect((await api(coolify.emu, "GET", base)).body).toMatchObject({ persistent_storages: [{ uuid: created.body.uuid, mount_path: "/data" }], file_storages: [] });
    expect((await api(coolify.emu, "DELETE", `${base}/${String(created.body.uuid)}`)).status).toBe(200);
    expect((await api(coolify.emu, "GET", base)).body).toMatchObject({ persistent_storages: [] });
    expect((await api(coolify.emu, "DELETE", `${base}/${String(created.body.uuid)}`)).status).toBe(404);
  });
});

describe("off-spec requests get Coolify's errors", () => {
  it("rejects an unknown field, a wrong type and a missing required field with 422 Validation failed.", async () => {
    const unknown = await api(coolify.emu, "POST", "/projects", { name: "x", colour: "red" });
    expect(unknown).toMatchObject({ status: 422, body: { message: "Validation failed.", errors: { colour: ["This field is not allowed."] } } });
    const wrongType = await api(coolify.emu, "POST", "/projects", { name: 42 });
    expect(wrongType.body).toEqual({ message: "Validation failed.", errors: { name: ["The name field must be a string."] } });
    const where = await projectWithEnv(coolify.emu);
    const missing = await api(coolify.emu, "POST", "/applications/dockerimage", { project_uuid: where.project, environment_uuid: where.env, environment_name: "staging", server_uuid: coolify.emu.serverUuid });
    expect(missing).toMatchObject({ status: 422, body: { errors: { docker_registry_image_name: ["The docker registry image name field is required."] } } });
    const badQuery = await api(coolify.emu, "GET", `/deployments/applications/x?take=zero`);
    expect(badQuery.status).toBe(422);
    expect((await api(coolify.emu, "POST", "/projects")).status).toBe(400);
    expect((await api(coolify.emu, "POST", "/projects", "{not json")).status).toBe(400);
  });

  it("answers 401 Unauthenticated. without a token or with a wrong one", async () => {
    expect(await api(coolify.emu, "GET", "/projects", undefined, { token: null })).toMatchObject({ status: 401, body: { message: "Unauthenticated." } });
    const locked = await startCoolifyEmulator({ token: "right" });
    try {
      expect((await api(locked, "GET", "/projects", undefined, { token: "wrong" })).body).toEqual({ message: "Unauthenticated." });
      expect((await api(locked, "GET", "/projects", undefined, { token: "right" })).status).toBe(200);
    } finally {
      await locked.close();
    }
  });

  it("answers GET on v4.2+ POST-only endpoints with 405, unknown paths with 404", async () => {
    expect(await api(coolify.emu, "GET", "/deploy?uuid=x")).toMatchObject({ status: 405, body: { message: "This endpoint has changed to a POST request." } });
    expect((await api(coolify.emu, "GET", "/applications/abc/restart")).status).toBe(405);
    expect((await api(coolify.emu, "GET", "/nothing-here")).status).toBe(404);
    const servers = await api(coolify.emu, "GET", "/servers");
    expect(pluck(servers.body, "uuid")).toEqual([coolify.emu.serverUuid]);
    expect((await api(coolify.emu, "GET", `/servers/${coolify.emu.serverUuid}`)).body).toMatchObject({ name: "localhost" });
    expect(await api(coolify.emu, "GET", "/applications/missing")).toMatchObject({ status: 404, body: { message: "Application not found." } });
  });

  it("refuses to delete a non-empty environment or project with 400", async () => {
    const where = await projectWithEnv(coolify.emu);
    await createApp(coolify.emu, where);
    expect((await api(coolify.emu, "DELETE", `/projects/${where.project}/environments/staging`)).status).toBe(400);
    expect((await api(coolify.emu, "DELETE", `/projects/${where.project}`)).status).toBe(400);
    expect((await api(coolify.emu, "DELETE", `/projects/${where.project}/environments/production`)).status).toBe(200);
  });
});

describe("response validation", () => {
  it("turns a response that does not match the spec into a 500 and records it", async () => {
    const broken = await startEmulatorServer(
      coolifyFlavor,
      [{ method: "GET", path: "/projects/{uuid}", handler: () => ({ status: 200, body: { uuid: 7 } }) }],
      {},
      { inventory: () => ({}), reset: () => undefined, markImageUnhealthy: () => undefined },
    );
    try {
      const r = await api(broken, "GET", "/projects/p1");
      expect(r.status).toBe(500);
      expect(broken.responseViolations).toHaveLength(1);
      expect(broken.responseViolations[0]).toContain("/uuid must be string");
    } finally {
      await broken.close();
    }
  });
});

describe("faults", () => {
  it("fails the next N calls with the injected status, then recovers", async () => {
    coolify.emu.injectFault({ method: "GET", path: "/projects", times: 2, fault: { kind: "status", status: 503 } });
    expect((await api(coolify.emu, "GET", "/projects")).status).toBe(503);
    expect((await api(coolify.emu, "GET", "/projects")).status).toBe(503);
    expect((await api(coolify.emu, "GET", "/projects")).status).toBe(200);
  });

  it("rate-limits with 429 and Retry-After", async () => {
    coolify.emu.injectFault({ method: "POST", path: "/projects", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 7 } });
    const r = await api(coolify.emu, "POST", "/projects", { name: "x" });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect((await api(coolify.emu, "GET", "/projects")).body).toHaveLength(0);
  });

  it("hangs past the client's timeout without answering", async () => {
    coolify.emu.injectFault({ method: "GET", path: "/projects", times: 1, fault: { kind: "hang", ms: 1_500 } });
    const started = Date.now();
    await expect(api(coolify.emu, "GET", "/projects", undefined, { timeoutMs: 300 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_400);
    expect((await api(coolify.emu, "GET", "/projects")).status).toBe(200);
  });

  it("ambiguous create: the project IS created although the answer is 502", async () => {
    coolify.emu.injectFault({ method: "POST", path: "/projects", times: 1, fault: { kind: "ambiguous", status: 502 } });
    expect((await api(coolify.emu, "POST", "/projects", { name: "ghost" })).status).toBe(502);
    expect(pluck((await api(coolify.emu, "GET", "/projects")).body, "name")).toEqual(["ghost"]);
  });

  it("takes faults, clock moves and unhealthy images over the /_emulator/ control API", async () => {
    const post = (action: string, body: unknown) =>
      fetch(`${coolify.emu.origin}/_emulator/${action}`, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
    expect((await post("faults", { method: "GET", path: "/projects", times: 1, fault: { kind: "status", status: 500 } })).status).toBe(204);
    expect((await api(coolify.emu, "GET", "/projects")).status).toBe(500);
    expect((await post("faults", { method: "GET", path: "/projects", fault: { kind: "status", status: 418 } })).status).toBe(400);
    const before = coolify.emu.clock.now();
    expect((await post("clock/advance", { ms: 60_000 })).status).toBe(204);
    expect(coolify.emu.clock.now() - before).toBeGreaterThanOrEqual(60_000);
    expect((await post("images/unhealthy", { image: "ghcr.io/acme/web:bad" })).status).toBe(204);
    const inventory = (await (await fetch(`${coolify.emu.origin}/_emulator/inventory`)).json()) as { unhealthyImages: string[] };
    expect(inventory.unhealthyImages).toEqual(["ghcr.io/acme/web:bad"]);
    const log = (await (await fetch(`${coolify.emu.origin}/_emulator/log`)).json()) as { status: number }[];
    expect(log.map((l) => l.status)).toEqual([500]);
  });
});
