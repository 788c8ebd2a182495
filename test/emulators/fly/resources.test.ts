import { describe, expect, it } from "vitest";
import { call, createApp, startedMachine, TOKEN, traffic, useFlyEmulator } from "./testkit";

const fly = useFlyEmulator();

const HEALTH_CHECK = { checks: { alive: { type: "http", port: 8080, path: "/healthz", interval: "10s", timeout: "2s" } } };

describe("fly emulator: volumes", () => {
  it("binds a volume to its machine; delete is 412 while bound and for a while after the machine is destroyed", async () => {
    await createApp(fly.emu, "vol");
    const v = await call(fly.emu, "POST", "/v1/apps/vol/volumes", { name: "data", region: "iad", size_gb: 1 });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ name: "data", size_gb: 1, state: "created", region: "iad" });
    expect(v.body.id).toMatch(/^vol_[a-z0-9]{16}$/);
    const m = await startedMachine(fly.emu, "vol", {}, { mounts: [{ volume: v.body.id, path: "/data" }] });
    expect((await call(fly.emu, "GET", `/v1/apps/vol/volumes/${v.body.id}`)).body.attached_machine_id).toBe(m.id);
    const other = await call(fly.emu, "POST", "/v1/apps/vol/machines", { region: "iad", config: { image: "nginx", mounts: [{ volume: v.body.id, path: "/d" }] } });
    expect(other.status).toBe(400);

    const extended = await call(fly.emu, "PUT", `/v1/apps/vol/volumes/${v.body.id}/extend`, { size_gb: 3 });
    expect(extended.body).toMatchObject({ needs_restart: true, volume: { size_gb: 3 } });
    expect((await call(fly.emu, "PUT", `/v1/apps/vol/volumes/${v.body.id}/extend`, { size_gb: 2 })).status).toBe(400);
    expect((await call(fly.emu, "POST", `/v1/apps/vol/volumes/${v.body.id}/snapshots`)).status).toBe(200);
    const snaps = await call(fly.emu, "GET", `/v1/apps/vol/volumes/${v.body.id}/snapshots`);
    expect(snaps.body).toHaveLength(1);
    expect(snaps.body[0]).toMatchObject({ volume_size: 3, status: "created" });

    const bound = await call(fly.emu, "DELETE", `/v1/apps/vol/volumes/${v.body.id}`);
    expect(bound.status).toBe(412);
    expect(bound.body.error).toBe(`failed_precondition: volume is currently bound to machine: ${m.id}`);
    await call(fly.emu, "DELETE", `/v1/apps/vol/machines/${m.id}?force=true`);
    expect((await call(fly.emu, "GET", `/v1/apps/vol/machines/${m.id}/wait?state=destroyed&timeout=10`)).status).toBe(200);
    expect((await call(fly.emu, "DELETE", `/v1/apps/vol/volumes/${v.body.id}`)).status).toBe(412);
    fly.emu.advance(61_000);
    const deleted = await call(fly.emu, "DELETE", `/v1/apps/vol/volumes/${v.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.state).toBe("pending_destroy");
    // Soft-deleted: still readable and listed in pending_destroy for 24 h, then gone (docs volumes/volume-states).
    expect((await call(fly.emu, "GET", `/v1/apps/vol/volumes/${v.body.id}`)).body).toMatchObject({ id: v.body.id, state: "pending_destroy" });
    expect((await call(fly.emu, "GET", "/v1/apps/vol/volumes")).body).toEqual([expect.objectContaining({ id: v.body.id, state: "pending_destroy", attached_machine_id: null })]);
    expect((await call(fly.emu, "GET", "/v1/apps/vol")).body.volume_count).toBe(0);
    fly.emu.advance(24 * 3_600_000 + 1);
    expect((await call(fly.emu, "GET", `/v1/apps/vol/volumes/${v.body.id}`)).status).toBe(404);
    expect((await call(fly.emu, "GET", "/v1/apps/vol/volumes")).body).toEqual([]);
  });
});

describe("fly emulator: secrets", () => {
  it("versions secrets and gates machine starts on min_secrets_version", async () => {
    await createApp(fly.emu, "sec");
    const set = await call(fly.emu, "POST", "/v1/apps/sec/secrets", { values: { DATABASE_URL: "postgres://u:p@db/app", API_KEY: "k1" } });
    expect(set.status).toBe(200);
    expect(set.body.version).toBe(1);
    expect(set.body.secrets.map((s: { name: string }) => s.name).sort()).toEqual(["API_KEY", "DATABASE_URL"]);
    const hidden = await call(fly.emu, "GET", "/v1/apps/sec/secrets");
    expect(hidden.body.secrets.every((s: { value?: string; digest?: string }) => s.value === undefined && s.digest)).toBe(true);
    const shown = await call(fly.emu, "GET", "/v1/apps/sec/secrets/API_KEY?show_secrets=true");
    expect(shown.body.value).toBe("k1");
    // Secret values never reach the request log.
    expect(JSON.stringify(fly.emu.log)).not.toContain("postgres://u:p@db/app");

    const early = await call(fly.emu, "POST", "/v1/apps/sec/machines", { region: "iad", min_secrets_version: 2, config: { image: "nginx" } });
    expect((await call(fly.emu, "GET", `/v1/apps/sec/machines/${early.body.id}/wait?state=failed&state=started&timeout=30`)).body.state).toBe("failed");
    expect((await call(fly.emu, "GET", `/v1/apps/sec/machines/${early.body.id}/wait?state=started&timeout=2`)).status).toBe(408);

    const one = await call(fly.emu, "POST", "/v1/apps/sec/secrets/API_KEY", { value: "k2" });
    expect(one.status).toBe(201);
    expect(one.body.version).toBe(2);
    await call(fly.emu, "POST", `/v1/apps/sec/machines/${early.body.id}/start`);
    expect((await call(fly.emu, "GET", `/v1/apps/sec/machines/${early.body.id}/wait?state=started&timeout=30`)).status).toBe(200);
    expect((await call(fly.emu, "GET", "/v1/apps/sec/secrets?min_version=9")).status).toBe(400);
    expect((await call(fly.emu, "DELETE", "/v1/apps/sec/secrets/API_KEY")).body.version).toBe(3);
    expect((await call(fly.emu, "GET", "/v1/apps/sec/secrets/API_KEY")).status).toBe(404);
  });
});

describe("fly emulator: checks, proxy traffic and metadata", () => {
  it("serves <app>.fly.dev from machines passing checks; an unhealthy image fails checks and answers 503", async () => {
    await createApp(fly.emu, "shop");
    const old = await startedMachine(fly.emu, "shop", {}, { image: "registry.fly.io/shop:v1", ...HEALTH_CHECK });
    expect(old.checks).toEqual([expect.objectContaining({ name: "alive", status: "passing" })]);
    const ok = await traffic(fly.emu, "shop.fly.dev", "/healthz");
    expect(ok).toMatchObject({ status: 200, machine: old.id });

    // Rolling update: a second machine on an unhealthy image fails its checks and gets no traffic.
    fly.emu.markImageUnhealthy("registry.fly.io/shop:v2");
    const bad = await startedMachine(fly.emu, "shop", {}, { image: "registry.fly.io/shop:v2", ...HEALTH_CHECK });
    expect(bad.checks[0].status).toBe("critical");
    for (let i = 0; i < 4; i++) expect(await traffic(fly.emu, "shop.fly.dev", "/healthz")).toMatchObject({ status: 200, machine: old.id });

    // Once only the unhealthy machine is in rotation, the app answers 503.
    expect((await call(fly.emu, "POST", `/v1/apps/shop/machines/${old.id}/cordon`)).status).toBe(200);
    expect((await call(fly.emu, "GET", `/v1/apps/shop/machines/${old.id}`)).body.cordoned).toBe(true);
    expect(await traffic(fly.emu, "shop.fly.dev", "/healthz")).toMatchObject({ status: 503, machine: bad.id });
    await call(fly.emu, "POST", `/v1/apps/shop/machines/${old.id}/uncordon`);
    expect((await traffic(fly.emu, "shop.fly.dev")).status).toBe(200);
    expect((await traffic(fly.emu, "nobody.fly.dev")).status).toBe(404);
  });

  it("runs one-shot machines (release commands) to an exit event: 0, or 1 on an unhealthy image", async () => {
    await createApp(fly.emu, "rel");
    fly.emu.markImageUnhealthy("registry.fly.io/rel:broken");
    const exitOf = async (image: string, autoDestroy: boolean): Promise<{ state: string; code: unknown }> => {
      const config = { image, init: { cmd: ["bin/migrate"] }, restart: { policy: "no" }, auto_destroy: autoDestroy };
      const m = await call(fly.emu, "POST", "/v1/apps/rel/machines", { config });
      const w = await call(fly.emu, "GET", `/v1/apps/rel/machines/${m.body.id}/wait?state=${autoDestroy ? "destroyed" : "stopped"}&timeout=30`);
      const events = (await call(fly.emu, "GET", `/v1/apps/rel/machines/${m.body.id}/events`)).body as { type: string; request: any }[];
      return { state: w.body.state, code: events.find((e) => e.type === "exit")?.request.exit_event.exit_code };
    };
    expect(await exitOf("registry.fly.io/rel:good", false)).toEqual({ state: "stopped", code: 0 });
    expect(await exitOf("registry.fly.io/rel:broken", false)).toEqual({ state: "stopped", code: 1 });
    expect(await exitOf("registry.fly.io/rel:good", true)).toEqual({ state: "destroyed", code: 0 });
    // A web machine (restart policy default) keeps running.
    const web = await startedMachine(fly.emu, "rel", {}, { image: "registry.fly.io/rel:good" });
    fly.emu.advance(60_000);
    expect((await call(fly.emu, "GET", `/v1/apps/rel/machines/${web.id}`)).body.state).toBe("started");
  });

  it("serves certificate hostnames and assigns IPs", async () => {
    await createApp(fly.emu, "site");
    const v6 = await call(fly.emu, "POST", "/v1/apps/site/ip_assignments", { type: "v6" });
    const v4 = await call(fly.emu, "POST", "/v1/apps/site/ip_assignments", { type: "shared_v4" });
    expect(v6.body.ip).toMatch(/^2a09:/);
    expect(v4.body).toMatchObject({ shared: true });
    expect((await call(fly.emu, "GET", "/v1/apps/site/ip_assignments")).body.ips).toHaveLength(2);
    const cert = await call(fly.emu, "POST", "/v1/apps/site/certificates/acme", { hostname: "www.example.com" });
    expect(cert.status).toBe(201);
    expect(cert.body).toMatchObject({ hostname: "www.example.com", configured: false, dns_requirements: { aaaa: [v6.body.ip], cname: "site.fly.dev" } });
    fly.emu.advance(6_000);
    expect((await call(fly.emu, "GET", "/v1/apps/site/certificates/www.example.com")).body.status).toBe("Ready");
    await createApp(fly.emu, "thief");
    expect((await call(fly.emu, "POST", "/v1/apps/thief/certificates/acme", { hostname: "www.example.com" })).status).toBe(422);
    expect((await traffic(fly.emu, "www.example.com")).status).toBe(503);
    const m = await startedMachine(fly.emu, "site");
    expect(await traffic(fly.emu, "www.example.com")).toMatchObject({ status: 200, machine: m.id });
    expect((await call(fly.emu, "DELETE", `/v1/apps/site/ip_assignments/${encodeURIComponent(v6.body.ip)}`)).status).toBe(204);
    expect((await call(fly.emu, "DELETE", "/v1/apps/site/certificates/www.example.com")).status).toBe(204);
    expect((await traffic(fly.emu, "www.example.com")).status).toBe(404);
  });

  it("keeps launch metadata, filters machines by it and rejects a stale machine_version", async () => {
    await createApp(fly.emu, "meta");
    const m = await startedMachine(fly.emu, "meta", {}, { metadata: { "slipway-launch": "abc" } });
    expect((await call(fly.emu, "POST", `/v1/apps/meta/machines/${m.id}/metadata/role`, { value: "web" })).status).toBe(204);
    expect((await call(fly.emu, "GET", `/v1/apps/meta/machines/${m.id}/metadata/role`)).body).toEqual({ value: "web" });
    expect((await call(fly.emu, "GET", `/v1/apps/meta/machines/${m.id}/metadata`)).body).toEqual({ "slipway-launch": "abc", role: "web" });
    expect((await call(fly.emu, "GET", "/v1/apps/meta/machines?metadata.slipway-launch=abc")).body).toHaveLength(1);
    expect((await call(fly.emu, "GET", "/v1/apps/meta/machines?metadata.slipway-launch=zzz")).body).toHaveLength(0);
    expect((await call(fly.emu, "PATCH", `/v1/apps/meta/machines/${m.id}/metadata`, { machine_version: "0".repeat(26), metadata: { role: "" } })).status).toBe(412);
    expect((await call(fly.emu, "PATCH", `/v1/apps/meta/machines/${m.id}/metadata`, { machine_version: m.version, metadata: { role: "" } })).status).toBe(204);
    expect((await call(fly.emu, "GET", `/v1/apps/meta/machines/${m.id}/metadata/role`)).status).toBe(404);
  });
});

describe("fly emulator: inventory and control API", () => {
  it("dumps state without secret values and takes unhealthy images over /_emulator/", async () => {
    await createApp(fly.emu, "ctl");
    await call(fly.emu, "POST", "/v1/apps/ctl/secrets/TOKEN", { value: "s3cr3t-value" });
    const m = await startedMachine(fly.emu, "ctl", {}, { image: "registry.fly.io/ctl:v1" });
    const inv = (await (await fetch(`${fly.emu.origin}/_emulator/inventory`)).json()) as { apps: unknown[]; machines: { id: string; state: string }[] };
    expect(inv.apps).toEqual([expect.objectContaining({ name: "ctl", secrets: ["TOKEN"], secretsVersion: 1 })]);
    expect(inv.machines).toEqual([expect.objectContaining({ id: m.id, state: "started" })]);
    expect(JSON.stringify(inv)).not.toContain("s3cr3t-value");
    const mark = await fetch(`${fly.emu.origin}/_emulator/images/unhealthy`, { method: "POST", body: JSON.stringify({ image: "ctl:v1" }) });
    expect(mark.status).toBe(204);
    expect((await traffic(fly.emu, "ctl.fly.dev")).status).toBe(503);
    expect((await call(fly.emu, "GET", `/v1/apps/ctl/machines/${m.id}`)).body.state).toBe("started");
  });
});

describe("fly emulator: organization listings", () => {
  it("lists an organization's machines and volumes across its apps, and the platform regions", async () => {
    await call(fly.emu, "POST", "/v1/apps", { name: "org-a", org_slug: "acme" });
    await call(fly.emu, "POST", "/v1/apps", { name: "org-b", org_slug: "other" });
    const m = await startedMachine(fly.emu, "org-a", {}, { metadata: { role: "web" } });
    await startedMachine(fly.emu, "org-b");
    const v = await call(fly.emu, "POST", "/v1/apps/org-a/volumes", { name: "data", region: "iad" });
    const machines = await call(fly.emu, "GET", "/v1/orgs/acme/machines");
    expect(machines.body.machines).toEqual([expect.objectContaining({ id: m.id, app_name: "org-a", config: expect.objectContaining({ metadata: { role: "web" } }) })]);
    expect(machines.body.last_machine_id).toBe(m.id);
    const volumes = await call(fly.emu, "GET", "/v1/orgs/acme/volumes");
    expect(volumes.body.volumes).toEqual([expect.objectContaining({ id: v.body.id, app_name: "org-a" })]);
    const regions = await call(fly.emu, "GET", "/v1/platform/regions");
    expect(regions.body.regions.map((r: { code: string }) => r.code)).toContain("iad");
  });
});

describe("fly emulator: faults on Fly routes", () => {
  it("fails the next calls with 500/502, 429 + Retry-After, a hang, and the ambiguous create", async () => {
    fly.emu.injectFault({ method: "POST", path: "/v1/apps", times: 2, fault: { kind: "status", status: 502 } });
    const f1 = await call(fly.emu, "POST", "/v1/apps", { name: "faulty", org_slug: "o" });
    expect(f1.status).toBe(502);
    expect(f1.body).toEqual({ error: expect.any(String), status: "unknown" });
    expect((await call(fly.emu, "POST", "/v1/apps", { name: "faulty", org_slug: "o" })).status).toBe(502);
    expect((await call(fly.emu, "GET", "/v1/apps/faulty")).status).toBe(404);
    expect((await call(fly.emu, "POST", "/v1/apps", { name: "faulty", org_slug: "o" })).status).toBe(201);

    fly.emu.injectFault({ method: "GET", path: "/v1/apps/{app_name}", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 2 } });
    const limited = await call(fly.emu, "GET", "/v1/apps/faulty");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect((await call(fly.emu, "GET", "/v1/apps/faulty")).status).toBe(200);

    fly.emu.injectFault({ method: "GET", path: "/v1/apps/faulty", times: 1, fault: { kind: "hang", ms: 2_000 } });
    const hung = fetch(`${fly.emu.url}/v1/apps/faulty`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(200) });
    await expect(hung).rejects.toThrow();

    fly.emu.injectFault({ method: "POST", path: "/v1/apps/{app_name}/machines", times: 1, fault: { kind: "ambiguous", status: 504 } });
    const amb = await call(fly.emu, "POST", "/v1/apps/faulty/machines", { name: "web-1", config: { image: "nginx" } });
    expect(amb.status).toBe(504);
    const list = await call(fly.emu, "GET", "/v1/apps/faulty/machines");
    expect(list.body.map((m: { name: string }) => m.name)).toEqual(["web-1"]);
    // The retry of the same create cannot make a duplicate: machine names are unique within the app.
    expect((await call(fly.emu, "POST", "/v1/apps/faulty/machines", { name: "web-1", config: { image: "nginx" } })).status).toBe(409);
    fly.emu.injectFault({ method: "GET", path: "/v1/apps/{app_name}/machines", times: 1, fault: { kind: "status", status: 500 } });
    expect((await call(fly.emu, "GET", "/v1/apps/faulty/machines")).status).toBe(500);
  });
});
