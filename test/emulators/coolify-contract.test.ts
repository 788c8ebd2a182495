/**
 * What a raw HTTP client sees from the Coolify emulator where Coolify v4.3.10's source decides the answer and
 * the OpenAPI description does not (the source file is named at each behaviour in test/emulators/coolify/).
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COOLIFY_SPEC } from "./coolify/flavor";
import { api, createApp, projectWithEnv, useCoolifyEmulator } from "./coolify/testkit";

const coolify = useCoolifyEmulator({
  timeScale: 0.0001,
  tokenAbilities: { reader: ["read"], normal: ["read", "write", "deploy"], sensitive: ["read", "read:sensitive"] },
});
const HEX = "a".repeat(64);

describe("fuzzer findings", () => {
  it("answers a body with __proto__ or constructor keys on every write route without a 500", async () => {
    const spec = JSON.parse(readFileSync(COOLIFY_SPEC, "utf8")) as { paths: Record<string, Record<string, unknown>> };
    const body = '{"__proto__": {"polluted": true}, "constructor": {"prototype": 1}, "name": "x"}';
    const statuses = new Map<number, number>();
    for (const [template, ops] of Object.entries(spec.paths)) {
      for (const method of Object.keys(ops).filter((m) => ["post", "patch", "put"].includes(m))) {
        const r = await api(coolify.emu, method.toUpperCase(), template.replace(/\{[^}]+\}/g, "x"), body);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(r.status, `${method} ${template}`).not.toBe(500);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(statuses.get(422)).toBeGreaterThan(0);
  });

  it("routes /projects/{uuid}/envs to its own operation, not to the environment route", async () => {
    const { project } = await projectWithEnv(coolify.emu);
    // Not implemented by the emulator (501), but matched: no 405, and no environment called "envs".
    expect((await api(coolify.emu, "POST", `/projects/${project}/envs`, { key: "A", value: "1" })).status).toBe(501);
    expect((await api(coolify.emu, "GET", `/projects/${project}/envs`)).status).toBe(501);
    expect((await api(coolify.emu, "GET", `/projects/${project}/staging`)).body).toMatchObject({ name: "staging" });
  });

  it("reads DELETE flags loosely like Laravel's boolean(): docker_cleanup=null is false, not a 422", async () => {
    const app = await createApp(coolify.emu, await projectWithEnv(coolify.emu));
    const r = await api(coolify.emu, "DELETE", `/applications/${app}?docker_cleanup=null&delete_volumes=nope`);
    expect(r).toMatchObject({ status: 200, body: { message: "Application deletion request queued." } });
  });
});

describe("token abilities (ApiAbility.php) and hidden values (ApiSensitiveData.php)", () => {
  it("refuses each route without its ability with Coolify's 403", async () => {
    const app = await createApp(coolify.emu, await projectWithEnv(coolify.emu));
    expect((await api(coolify.emu, "GET", `/applications/${app}`, undefined, { token: "reader" })).status).toBe(200);
    expect(await api(coolify.emu, "PATCH", `/applications/${app}`, { name: "x" }, { token: "reader" })).toMatchObject({
      status: 403,
      body: { message: "Missing required permissions: write" },
    });
    expect((await api(coolify.emu, "POST", `/deploy?uuid=${app}`, undefined, { token: "reader" })).body).toEqual({ message: "Missing required permissions: deploy" });
    // The ability check runs before the controller: a token with `deploy` reaches it and gets its 400.
    expect((await api(coolify.emu, "POST", "/deploy", undefined, { token: "normal" })).status).toBe(400);
    expect((await api(coolify.emu, "PATCH", "/applications/none", { description: "x" }, { token: "normal" })).status).toBe(404);
  });

  it("hides env values, webhook secrets, database passwords and deployment logs without read:sensitive", async () => {
    const where = await projectWithEnv(coolify.emu);
    const app = await createApp(coolify.emu, where, { manual_webhook_secret_github: "whsec" });
    await api(coolify.emu, "POST", `/applications/${app}/envs`, { key: "API_KEY", value: "s3cret" });
    await api(coolify.emu, "POST", `/applications/${app}/envs`, { key: "ONCE", value: "o", is_shown_once: true });
    const envs = (token: string) => api(coolify.emu, "GET", `/applications/${app}/envs`, undefined, { token });
    expect(((await envs("normal")).body as Record<string, unknown>[]).map((e) => [e.key, e.value])).toEqual([["API_KEY", undefined], ["ONCE", undefined]]);
    expect(((await envs("sensitive")).body as Record<string, unknown>[]).map((e) => [e.key, e.value])).toEqual([["API_KEY", "s3cret"], ["ONCE", undefined]]);
    expect((await api(coolify.emu, "GET", `/applications/${app}`, undefined, { token: "normal" })).body).not.toHaveProperty("manual_webhook_secret_github");
    expect((await api(coolify.emu, "GET", `/applications/${app}`, undefined, { token: "sensitive" })).body).toMatchObject({ manual_webhook_secret_github: "whsec" });
    const d = String(((await api(coolify.emu, "POST", `/deploy?uuid=${app}`)).body.deployments as { deployment_uuid: string }[])[0]?.deployment_uuid);
    expect((await api(coolify.emu, "GET", `/deployments/${d}`, undefined, { token: "normal" })).body).not.toHaveProperty("logs");
    expect((await api(coolify.emu, "GET", `/deployments/${d}`, undefined, { token: "sensitive" })).body).toHaveProperty("logs");
    const db = await api(coolify.emu, "POST", "/databases/postgresql", { project_uuid: where.project, environment_uuid: where.env, server_uuid: coolify.emu.serverUuid, postgres_password: "pw" });
    const dbBody = (await api(coolify.emu, "GET", `/databases/${String(db.body.uuid)}`, undefined, { token: "normal" })).body;
    expect(dbBody).not.toHaveProperty("postgres_password");
    expect(dbBody).not.toHaveProperty("internal_db_url");
  });
});

describe("images (ApplicationsController create_application / update_by_uuid)", () => {
  it("stores a digest as repo@sha256 + hex, and PATCH accepts only a name without tag", async () => {
    const app = await createApp(coolify.emu, await projectWithEnv(coolify.emu), { docker_registry_image_name: `ghcr.io/acme/web@sha256:${HEX}` });
    expect((await api(coolify.emu, "GET", `/applications/${app}`)).body).toMatchObject({ docker_registry_image_name: "ghcr.io/acme/web@sha256", docker_registry_image_tag: HEX });
    const full = await api(coolify.emu, "PATCH", `/applications/${app}`, { docker_registry_image_name: `ghcr.io/acme/web@sha256:${"b".repeat(64)}` });
    expect(full).toMatchObject({ status: 422, body: { errors: { docker_registry_image_name: ["The docker registry image name field format is invalid."] } } });
    expect((await api(coolify.emu, "PATCH", `/applications/${app}`, { docker_registry_image_name: "ghcr.io/acme/web@sha256", docker_registry_image_tag: "b".repeat(64) })).status).toBe(200);
    expect((await api(coolify.emu, "PATCH", `/applications/${app}`, { docker_registry_image_name: "ghcr.io/acme/web:1.2" })).status).toBe(422);
  });
});

describe("deployments (DeployController, queue_application_deployment)", () => {
  it("answers a second deploy of a queued app with a deployment_uuid that does not exist", async () => {
    const app = await createApp(coolify.emu, await projectWithEnv(coolify.emu));
    const first = await api(coolify.emu, "POST", `/deploy?uuid=${app}`);
    const second = await api(coolify.emu, "POST", `/deploy?uuid=${app}`);
    const [d] = second.body.deployments as { message: string; deployment_uuid: string }[];
    expect(d?.message).toBe("Deployment already queued for this commit.");
    expect(d?.deployment_uuid).not.toBe((first.body.deployments as { deployment_uuid: string }[])[0]?.deployment_uuid);
    expect((await api(coolify.emu, "GET", `/deployments/${String(d?.deployment_uuid)}`)).status).toBe(404);
    expect((await api(coolify.emu, "POST", `/deploy?uuid=${app}&force=true`)).body.deployments).toMatchObject([{ message: expect.stringContaining("deployment queued") }]);
  });

  it("answers 429 with Retry-After: 60 when the server's deployment queue is full", async () => {
    const where = await projectWithEnv(coolify.emu);
    coolify.emu.state.deploymentQueueLimit = 1;
    const a = await createApp(coolify.emu, where, { domains: "https://a.example.com" });
    const b = await createApp(coolify.emu, where, { domains: "https://b.example.com" });
    expect((await api(coolify.emu, "POST", `/deploy?uuid=${a}`)).status).toBe(200);
    const full = await api(coolify.emu, "POST", `/deploy?uuid=${b}`);
    expect(full).toMatchObject({ status: 429, body: { message: "Deployment queue is full. Please wait for existing deployments to complete." } });
    expect(full.headers.get("retry-after")).toBe("60");
  });
});

describe("volumes (create_storage, DeleteResourceJob)", () => {
  it("deleting an application removes its Docker volumes unless delete_volumes=false", async () => {
    const where = await projectWithEnv(coolify.emu);
    const volumeOf = async (domain: string): Promise<{ app: string; volume: string }> => {
      const app = await createApp(coolify.emu, where, { domains: `https://${domain}` });
      const created = await api(coolify.emu, "POST", `/applications/${app}/storages`, { type: "persistent", name: "media", mount_path: "/m" });
      expect(created.body).toMatchObject({ name: `${app}-media` });
      await api(coolify.emu, "POST", `/deploy?uuid=${app}`);
      coolify.emu.advance(20_000);
      expect(coolify.emu.state.volumes.has(`${app}-media`)).toBe(true);
      return { app, volume: `${app}-media` };
    };
    const kept = await volumeOf("kept.example.com");
    const gone = await volumeOf("gone.example.com");
    await api(coolify.emu, "DELETE", `/applications/${kept.app}?delete_volumes=false`);
    await api(coolify.emu, "DELETE", `/applications/${gone.app}`);
    coolify.emu.advance(2_000);
    expect([coolify.emu.state.volumes.has(kept.volume), coolify.emu.state.volumes.has(gone.volume)]).toEqual([true, false]);
  });
});

describe("rate limit (RouteServiceProvider, config/api.php)", () => {
  it("answers the 201st request of a minute with 429 Too Many Attempts. and Retry-After", async () => {
    let last = await api(coolify.emu, "GET", "/projects");
    for (let i = 1; i < 200 && last.status === 200; i++) last = await api(coolify.emu, "GET", "/projects");
    expect(last.status).toBe(200);
    last = await api(coolify.emu, "GET", "/projects");
    expect(last).toMatchObject({ status: 429, body: { message: "Too Many Attempts." } });
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    coolify.emu.advance(60_000);
    expect((await api(coolify.emu, "GET", "/projects")).status).toBe(200);
  });
});

describe("manual GitHub webhook (Webhook/Github.php manual)", () => {
  const push = (body: string, signature: string) =>
    fetch(`${coolify.emu.origin}/webhooks/source/github/events/manual`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": `sha256=${signature}` },
      body,
    });
  const sign = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");

  it("matches applications by repository and branch, checks each one's secret, and queues a deployment", async () => {
    const app = await createApp(coolify.emu, await projectWithEnv(coolify.emu), { manual_webhook_secret_github: "whsec" });
    const body = JSON.stringify({ ref: "refs/heads/main", after: "abc", repository: { full_name: "acme/shop" } });
    // A docker-image app made through the API has git_repository coollabsio/coolify: nothing matches.
    const none = await push(body, sign("whsec", body));
    expect(await none.text()).toBe("Nothing to do. No applications found with deploy key set, branch is 'main' and Git Repository name has acme/shop.");
    await api(coolify.emu, "PATCH", `/applications/${app}`, { git_repository: "https://github.com/Acme/shop.git", git_branch: "main" });
    expect(await (await push(body, sign("wrong", body))).json()).toEqual([{ status: "failed", message: "Invalid signature." }]);
    const ok = (await (await push(body, sign("whsec", body))).json()) as { status: string; deployment_uuid: string }[];
    expect(ok).toMatchObject([{ status: "success", message: "Deployment queued.", application_uuid: app }]);
    expect((await api(coolify.emu, "GET", `/deployments/${String(ok[0]?.deployment_uuid)}`)).body).toMatchObject({ status: "queued" });
  });
});
