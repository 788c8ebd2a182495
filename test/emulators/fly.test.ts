import { describe, expect, it } from "vitest";
import { call, createApp, startedMachine, TOKEN, traffic, useFlyEmulator } from "./fly/testkit";

const fly = useFlyEmulator();

describe("fly emulator: apps, auth and validation", () => {
  it("creates, shows, lists and deletes apps; a taken name is 422 name_taken", async () => {
    const created = await call(fly.emu, "POST", "/v1/apps", { name: "web-staging", org_slug: "acme" });
    expect(created.status).toBe(201);
    expect(typeof created.body.id).toBe("string");
    const shown = await call(fly.emu, "GET", "/v1/apps/web-staging");
    expect(shown.body).toMatchObject({ name: "web-staging", organization: { slug: "acme" }, machine_count: 0 });
    const listed = await call(fly.emu, "GET", "/v1/apps?org_slug=acme");
    expect(listed.body.apps.map((a: { name: string }) => a.name)).toEqual(["web-staging"]);
    expect((await call(fly.emu, "GET", "/v1/apps?org_slug=other")).body.apps).toEqual([]);
    const taken = await call(fly.emu, "POST", "/v1/apps", { name: "web-staging", org_slug: "acme" });
    expect(taken.status).toBe(422);
    expect(taken.body).toEqual({ error: expect.stringContaining("taken"), status: "name_taken" });
    expect((await call(fly.emu, "DELETE", "/v1/apps/web-staging")).status).toBe(202);
    expect((await call(fly.emu, "GET", "/v1/apps/web-staging")).status).toBe(404);
  });

  it("replays a create with the same idempotency_key instead of a false name_taken", async () => {
    const first = await call(fly.emu, "POST", "/v1/apps", { name: "idem", org_slug: "acme", idempotency_key: "k1" });
    const again = await call(fly.emu, "POST", "/v1/apps", { name: "idem", org_slug: "acme", idempotency_key: "k1" });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const other = await call(fly.emu, "POST", "/v1/apps", { name: "idem-2", org_slug: "acme", idempotency_key: "k1" });
    expect(other.status).toBe(422);
    expect((await call(fly.emu, "GET", "/v1/apps/idem-2")).status).toBe(404);
  });

  it("answers 401 in Fly's shape for a missing or wrong token, and accepts FlyV1 tokens", async () => {
    const none = await call(fly.emu, "GET", "/v1/apps?org_slug=x", undefined, { authorization: "" });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: expect.any(String), status: "unknown" });
    expect((await call(fly.emu, "GET", "/v1/apps?org_slug=x", undefined, { authorization: "Bearer nope" })).status).toBe(401);
    expect((await call(fly.emu, "GET", "/v1/apps?org_slug=x", undefined, { authorization: `FlyV1 ${TOKEN}` })).status).toBe(200);
  });

  it("rejects off-spec requests with Fly's {error, status}", async () => {
    const badType = await call(fly.emu, "POST", "/v1/apps", { name: 42, org_slug: "acme" });
    expect(badType.status).toBe(400);
    expect(badType.body).toEqual({ error: expect.stringContaining("name"), status: "unknown" });
    const missingQuery = await call(fly.emu, "GET", "/v1/apps");
    expect(missingQuery.status).toBe(400);
    expect(missingQuery.body.error).toContain("org_slug");
    const badJson = await call(fly.emu, "POST", "/v1/apps", "{not json");
    expect(badJson.status).toBe(400);
    expect(badJson.body.status).toBe("unknown");
    const unknownPath = await call(fly.emu, "GET", "/v1/nothing-here");
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.body).toEqual({ error: expect.any(String), status: "unknown" });
    await createApp(fly.emu, "shape");
    const m = await call(fly.emu, "POST", "/v1/apps/shape/machines", { config: { image: "nginx" }, lease_ttl: "long" });
    expect(m.status).toBe(400);
    expect(fly.emu.state.machines.size).toBe(0);
  });
});

describe("fly emulator: machines", () => {
  it("keeps a machine created with skip_service_registration out of the proxy until uncordoned", async () => {
    await createApp(fly.emu, "green");
    const m = await startedMachine(fly.emu, "green", { skip_service_registration: true });
    expect(m.cordoned).toBe(true);
    expect((await traffic(fly.emu, "green.fly.dev")).status).toBe(503);
    await call(fly.emu, "POST", `/v1/apps/green/machines/${m.id}/uncordon`);
    expect(await traffic(fly.emu, "green.fly.dev")).toMatchObject({ status: 200, machine: m.id });
  });

  it("goes created → starting → started, and /wait blocks until the state or answers 408", async () => {
    await createApp(fly.emu, "life");
    const created = await call(fly.emu, "POST", "/v1/apps/life/machines", { name: "web-1", region: "iad", config: { image: "nginx:1.27" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ state: "created", name: "web-1", region: "iad", image_ref: { repository: "nginx", tag: "1.27" } });
    expect(created.body.version).toHaveLength(26);
    const id = created.body.id as string;
    const wait = await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/wait?state=started&timeout=30`);
    expect(wait.status).toBe(200);
    expect(wait.body).toMatchObject({ ok: true, state: "started", version: created.body.version });
    const events = (await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/events`)).body.map((e: { status: string }) => e.status);
    expect(events.slice(0, 3)).toEqual(["started", "starting", "created"]);

    const timeout = await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/wait?state=stopped&timeout=1`);
    expect(timeout.status).toBe(408);
    expect(timeout.body.error).toContain("deadline_exceeded");
    expect((await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/wait?state=started&timeout=61`)).status).toBe(400);

    expect((await call(fly.emu, "POST", `/v1/apps/life/machines/${id}/stop`, { signal: "SIGTERM" })).status).toBe(200);
    // Transient states are checked through the event history: a GET could land after the transition under load.
    const statuses = async (): Promise<string[]> => (await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/events?limit=50`)).body.map((e: { status: string }) => e.status);
    expect((await statuses())[0]).toMatch(/^(stopping|stopped)$/);
    expect((await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/wait?state=stopped&timeout=30`)).body.state).toBe("stopped");
    expect((await statuses()).slice(0, 2)).toEqual(["stopped", "stopping"]);
    await call(fly.emu, "POST", `/v1/apps/life/machines/${id}/start`);
    expect((await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/wait?state=started&timeout=30`)).status).toBe(200);
    await call(fly.emu, "POST", `/v1/apps/life/machines/${id}/restart`);
    expect((await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/wait?state=started&timeout=30`)).status).toBe(200);
    expect((await statuses()).slice(0, 3)).toEqual(["started", "starting", "stopping"]);
    await call(fly.emu, "POST", `/v1/apps/life/machines/${id}/suspend`);
    expect((await call(fly.emu, "GET", `/v1/apps/life/machines/${id}/wait?state=suspended&timeout=30`)).status).toBe(200);
    expect((await call(fly.emu, "GET", "/v1/apps/life/machines?state=suspended")).body).toHaveLength(1);
  });

  it("refuses to destroy a running machine without force; destroyed machines show, then 404", async () => {
    await createApp(fly.emu, "gone");
    const m = await startedMachine(fly.emu, "gone");
    const refused = await call(fly.emu, "DELETE", `/v1/apps/gone/machines/${m.id}`);
    expect(refused.status).toBe(412);
    expect(refused.body.error).toContain("failed_precondition");
    expect((await call(fly.emu, "DELETE", `/v1/apps/gone/machines/${m.id}?force=true`)).status).toBe(200);
    expect((await call(fly.emu, "GET", `/v1/apps/gone/machines/${m.id}/wait?state=destroyed&timeout=10`)).body.state).toBe("destroyed");
    expect((await call(fly.emu, "GET", "/v1/apps/gone/machines")).body).toEqual([]);
    expect((await call(fly.emu, "GET", "/v1/apps/gone/machines?include_deleted=true")).body).toHaveLength(1);
    fly.emu.advance(5 * 60_000);
    expect((await call(fly.emu, "GET", `/v1/apps/gone/machines/${m.id}`)).status).toBe(404);
  });

  it("rejects an update with a stale current_version (409) and changes nothing", async () => {
    await createApp(fly.emu, "cas");
    const m = await startedMachine(fly.emu, "cas");
    const updated = await call(fly.emu, "POST", `/v1/apps/cas/machines/${m.id}`, { current_version: m.version, config: { ...m.config, image: "registry.fly.io/web:v2" } });
    expect(updated.status).toBe(200);
    expect(updated.body.version).not.toBe(m.version);
    expect(updated.body.state).toBe("replacing");
    const stale = await call(fly.emu, "POST", `/v1/apps/cas/machines/${m.id}`, { current_version: m.version, config: { ...m.config, image: "registry.fly.io/web:v3" } });
    expect(stale.status).toBe(409);
    const now = (await call(fly.emu, "GET", `/v1/apps/cas/machines/${m.id}`)).body;
    expect(now.config.image).toBe("registry.fly.io/web:v2");
    expect(now.version).toBe(updated.body.version);
    const versions = (await call(fly.emu, "GET", `/v1/apps/cas/machines/${m.id}/versions`)).body;
    expect(versions.map((v: { version: string }) => v.version)).toEqual([updated.body.version, m.version]);
    expect((await call(fly.emu, "GET", `/v1/apps/cas/machines/${m.id}/wait?state=started&timeout=30`)).status).toBe(200);
  });

  it("gates writes to a leased machine on the fly-machine-lease-nonce header (409 without it)", async () => {
    await createApp(fly.emu, "lease");
    const m = await startedMachine(fly.emu, "lease");
    const lease = await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}/lease`, { ttl: 600, description: "deploy" });
    expect(lease.status).toBe(201);
    // Wrapped as the service answers (superfly/docs reference/machines/_machines_lease_create_resp.erb).
    expect(lease.body).toMatchObject({ status: "success", data: { nonce: expect.any(String), owner: expect.any(String), expires_at: expect.any(Number) } });
    const nonce = lease.body.data.nonce as string;
    expect(nonce).toMatch(/^[0-9a-f]+$/);
    const second = await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}/lease`, { ttl: 60 });
    expect(second.status).toBe(409);
    const blocked = await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}`, { config: m.config });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toContain("lease currently held");
    expect((await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}/stop`, undefined, { "fly-machine-lease-nonce": "wrong" })).status).toBe(409);
    const allowed = await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}`, { config: m.config }, { "fly-machine-lease-nonce": nonce });
    expect(allowed.status).toBe(200);
    expect((await call(fly.emu, "GET", `/v1/apps/lease/machines/${m.id}/lease`)).body).toMatchObject({ status: "success", data: { nonce, description: "deploy" } });
    expect((await call(fly.emu, "DELETE", `/v1/apps/lease/machines/${m.id}/lease`, undefined, { "fly-machine-lease-nonce": "wrong" })).status).toBe(409);
    expect((await call(fly.emu, "DELETE", `/v1/apps/lease/machines/${m.id}/lease`, undefined, { "fly-machine-lease-nonce": nonce })).status).toBe(200);
    expect((await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}/cordon`)).status).toBe(200);
    // A lease expires on the emulated clock.
    await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}/lease`, { ttl: 300 });
    expect((await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}/uncordon`)).status).toBe(409);
    fly.emu.advance(301_000);
    expect((await call(fly.emu, "POST", `/v1/apps/lease/machines/${m.id}/uncordon`)).status).toBe(200);
  });

  it("returns the nonce of a lease taken at create time (lease_ttl), and holds writes to it", async () => {
    await createApp(fly.emu, "lease2");
    const created = await call(fly.emu, "POST", "/v1/apps/lease2/machines", { lease_ttl: 600, config: { image: "nginx" } });
    expect(created.body.nonce).toMatch(/^[0-9a-f]+$/);
    const id = created.body.id as string;
    expect((await call(fly.emu, "POST", `/v1/apps/lease2/machines/${id}/stop`)).status).toBe(409);
    const withNonce = { "fly-machine-lease-nonce": created.body.nonce as string };
    expect((await call(fly.emu, "GET", `/v1/apps/lease2/machines/${id}/wait?state=started&timeout=30`)).status).toBe(200);
    expect((await call(fly.emu, "POST", `/v1/apps/lease2/machines/${id}/stop`, undefined, withNonce)).status).toBe(200);
    const listed = await call(fly.emu, "GET", "/v1/apps/lease2/machines?include_leases=true");
    expect(listed.body[0].lease).toMatchObject({ owner: expect.any(String), expires_at: expect.any(Number) });
    expect(listed.body[0].nonce).toBeUndefined();
  });
});
