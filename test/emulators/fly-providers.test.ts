import createClient from "openapi-fetch";
import { describe, expect, it } from "vitest";
import type { paths } from "../../components/fly/api.gen";
import { flyAppProvider } from "../../components/fly/app.provider";
import { flyCertificateProvider } from "../../components/fly/certificate.provider";
import { flyIpProvider } from "../../components/fly/ip.provider";
import { flyMachineGroupProvider, type MachineGroupOutputs } from "../../components/fly/machine-group.provider";
import type { MachineGroupInputs } from "../../components/fly/machine-spec";
import { getMachine, updateMachine, withLease } from "../../components/fly/machines";
import { flyReleaseCommandProvider } from "../../components/fly/release-command.provider";
import { flySecretsProvider } from "../../components/fly/secrets.provider";
import { flyVolumeProvider } from "../../components/fly/volume.provider";
import { call, TOKEN, useFlyEmulator } from "./fly/testkit";
import { useFastProviderSettings } from "./common/provider-harness";

// Small backoffs and bounded waits: faults converge in milliseconds, a stuck wait fails fast.
useFastProviderSettings({ SLIPWAY_HTTP_TIMEOUT_MS: "10000", SLIPWAY_POLL_INTERVAL_MS: "25", SLIPWAY_WAIT_TIMEOUT_MS: "15000" });

const fly = useFlyEmulator();

interface Inventory {
  apps: { name: string; org: string; secrets: string[]; secretsVersion: number; ips: unknown[]; certificates: string[] }[];
  machines: { id: string; app: string; state: string; image: string; metadata: Record<string, string>; cordoned: boolean }[];
  volumes: { id: string; app: string; size_gb: number; snapshot_retention: number; state: string }[];
}
const inventory = (): Inventory => fly.emu.inventory() as Inventory;
const live = (app: string) => inventory().machines.filter((m) => m.app === app && !["destroyed", "destroying"].includes(m.state));
const requests = (method: string, pathPart: string) => fly.emu.log.filter((e) => e.method === method && e.path.includes(pathPart));

async function newApp(name: string): Promise<void> {
  await flyAppProvider.create({ connection: fly.connection, name, org: "acme" });
}

function groupSpec(overrides: Partial<MachineGroupInputs> = {}): MachineGroupInputs {
  return {
    connection: fly.connection,
    app: "web",
    group: "web",
    region: "ewr",
    image: "registry.fly.io/web:v1",
    count: 2,
    guest: { cpuKind: "shared", cpus: 1, memoryMb: 256 },
    env: { PORT: "3000" },
    services: [{
      internalPort: 3000, protocol: "tcp", autostart: true, autostop: "stop", minMachinesRunning: 1,
      ports: [{ port: 80, handlers: ["http"], forceHttps: true }, { port: 443, handlers: ["tls", "http"], forceHttps: false }],
    }],
    checks: { http: { type: "http", port: 3000, path: "/health", interval: "15s", timeout: "5s", gracePeriod: "1s" } },
    mounts: [],
    metadata: {},
    strategy: "rolling",
    maxUnavailable: 1,
    ...overrides,
  };
}

describe("FlyApp provider", () => {
  it("creates, reads, keeps outputs on a token-only update, reports replacement of org, and deletes", async () => {
    const inputs = { connection: fly.connection, name: "web", org: "acme" };
    const created = await flyAppProvider.create(inputs);
    expect(created.id).toBe("web");
    expect(inventory().apps).toEqual([expect.objectContaining({ name: "web", org: "acme" })]);
    expect(created.outs.appId).toEqual(expect.any(String));

    const read = await flyAppProvider.read!("web", created.outs);
    expect(read).toEqual({
      id: "web",
      props: expect.objectContaining({ name: "web", org: "acme", appId: created.outs.appId }),
      // What was read is reported as the inputs too (without the outputs), so refreshed drift reaches the engine's diff.
      inputs: { connection: fly.connection, name: "web", org: "acme" },
    });

    const updated = await flyAppProvider.update!("web", created.outs, { ...inputs, connection: { ...fly.connection, token: TOKEN } });
    expect(updated.outs?.appId).toBe(created.outs.appId);
    expect(await flyAppProvider.diff!("web", created.outs, { ...inputs, org: "other" })).toMatchObject({ replaces: ["org"] });

    await flyAppProvider.delete!("web", created.outs);
    expect(inventory().apps).toEqual([]);
    expect(await flyAppProvider.read!("web", created.outs)).toEqual({});
  });

  it("an ambiguous create (created, answered 502) makes no duplicate and succeeds", async () => {
    fly.emu.injectFault({ method: "POST", path: "/v1/apps", times: 1, fault: { kind: "ambiguous", status: 502 } });
    const created = await flyAppProvider.create({ connection: fly.connection, name: "web", org: "acme" });
    expect(created.id).toBe("web");
    expect(inventory().apps.map((a) => a.name)).toEqual(["web"]);
    // The lost attempt's app is found by name in our org and adopted: no second POST.
    expect(requests("POST", "/v1/apps").map((e) => e.status)).toEqual([502]);
    expect(requests("GET", "/v1/apps/web").map((e) => e.status)).toContain(200);
  });

  it("a name taken by someone else fails with a clear message", async () => {
    await call(fly.emu, "POST", "/v1/apps", { name: "web", org_slug: "someone" });
    await expect(flyAppProvider.create({ connection: fly.connection, name: "web", org: "acme" })).rejects.toThrow(
      'FlyApp: the app name "web" is taken; app names are global across Fly.io, choose another',
    );
  });

  it("converges through 500s and a 429 with Retry-After on reads", async () => {
    const created = await flyAppProvider.create({ connection: fly.connection, name: "web", org: "acme" });
    fly.emu.injectFault({ method: "GET", path: "/v1/apps/{app_name}", times: 2, fault: { kind: "status", status: 500 } });
    fly.emu.injectFault({ method: "GET", path: "/v1/apps/{app_name}", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 0 } });
    const read = await flyAppProvider.read!("web", created.outs);
    expect(read.id).toBe("web");
    expect(requests("GET", "/v1/apps/web").map((e) => e.status)).toEqual([500, 500, 429, 200]);
  });
});

describe("timeouts", () => {
  it("a read that hangs past the client timeout is abandoned and retried", async () => {
    await newApp("web");
    const created = await flyVolumeProvider.create({ connection: fly.connection, app: "web", name: "media", region: "ewr", sizeGb: 1, snapshotRetention: 5, autoBackup: true, encrypted: true });
    fly.emu.injectFault({ method: "GET", path: "/v1/apps/{app_name}/volumes/{volume_id}", times: 1, fault: { kind: "hang", ms: 2_000 } });
    process.env.SLIPWAY_HTTP_TIMEOUT_MS = "300";
    try {
      const read = await flyVolumeProvider.read!(created.id, created.outs);
      expect(read.id).toBe(created.id);
    } finally {
      process.env.SLIPWAY_HTTP_TIMEOUT_MS = "10000";
    }
    expect(requests("GET", `/volumes/${created.id}`).length).toBeGreaterThanOrEqual(2);
  });
});

describe("IP and certificate providers", () => {
  it("assigns shared v4 + v6, requests a certificate, reads and releases them", async () => {
    await newApp("web");
    const v4 = await flyIpProvider.create({ connection: fly.connection, app: "web", type: "shared_v4" });
    const v6 = await flyIpProvider.create({ connection: fly.connection, app: "web", type: "v6" });
    expect(v4.id).not.toBe(v6.id);
    expect((await flyIpProvider.read!(v6.id, v6.outs)).id).toBe(v6.id);
    const cert = await flyCertificateProvider.create({ connection: fly.connection, app: "web", hostname: "app.example.com" });
    expect(cert.id).toBe("app.example.com");
    expect(cert.outs.status).toEqual(expect.any(String));
    expect(inventory().apps[0]?.certificates).toEqual(["app.example.com"]);

    await flyCertificateProvider.delete!(cert.id, cert.outs);
    await flyIpProvider.delete!(v6.id, v6.outs);
    expect(await flyIpProvider.read!(v6.id, v6.outs)).toEqual({});
    expect(await flyCertificateProvider.read!(cert.id, cert.outs)).toEqual({});
    expect(inventory().apps[0]?.certificates).toEqual([]);
  });

  it("an ambiguous IP assignment is adopted, not doubled", async () => {
    await newApp("web");
    fly.emu.injectFault({ method: "POST", path: "/v1/apps/{app_name}/ip_assignments", times: 1, fault: { kind: "ambiguous", status: 500 } });
    await flyIpProvider.create({ connection: fly.connection, app: "web", type: "v6" });
    expect(inventory().apps[0]?.ips).toHaveLength(1);
  });
});

describe("FlySecrets provider", () => {
  it("sets secrets with a version, updates changed and unsets removed names, deletes its own", async () => {
    await newApp("web");
    const created = await flySecretsProvider.create({ connection: fly.connection, app: "web", values: { A: "1", B: "2" } });
    expect(created.outs.version).toBeGreaterThan(0);
    expect(inventory().apps[0]?.secrets).toEqual(["A", "B"]);

    const updated = await flySecretsProvider.update!(created.id, created.outs, { connection: fly.connection, app: "web", values: { A: "10", C: "3" } });
    expect(updated.outs?.version).toBeGreaterThan(created.outs.version);
    expect(inventory().apps[0]?.secrets).toEqual(["A", "C"]);
    const posted = requests("POST", "/v1/apps/web/secrets");
    // Only the changed/new values were sent, and the log never shows a value.
    expect(posted.at(-1)?.body).toEqual({ values: { A: "********", C: "********" } });

    await call(fly.emu, "DELETE", "/v1/apps/web/secrets/C");
    const read = await flySecretsProvider.read!(created.id, updated.outs!);
    expect(read.props!.names).toEqual(["A"]);

    await flySecretsProvider.delete!(created.id, updated.outs!);
    expect(inventory().apps[0]?.secrets).toEqual([]);
  });
});

describe("FlyVolume provider", () => {
  const inputs = () => ({ connection: fly.connection, app: "web", name: "media", region: "ewr", sizeGb: 1, snapshotRetention: 5, autoBackup: true, encrypted: true });

  it("creates, extends, changes retention, reads drift, and deletes once the machine's 412 window passes", async () => {
    await newApp("web");
    const created = await flyVolumeProvider.create(inputs());
    expect(inventory().volumes).toEqual([expect.objectContaining({ id: created.id, size_gb: 1 })]);

    const grown = await flyVolumeProvider.update!(created.id, created.outs, { ...inputs(), sizeGb: 3, snapshotRetention: 10 });
    expect(grown.outs).toMatchObject({ sizeGb: 3, volumeId: created.id });
    expect(inventory().volumes[0]).toMatchObject({ size_gb: 3, snapshot_retention: 10 });
    await expect(flyVolumeProvider.update!(created.id, grown.outs, { ...inputs(), sizeGb: 2 })).rejects.toThrow("cannot shrink from 3 to 2 GB");

    await call(fly.emu, "PUT", `/v1/apps/web/volumes/${created.id}/extend`, { size_gb: 5 });
    expect((await flyVolumeProvider.read!(created.id, grown.outs!)).props).toMatchObject({ sizeGb: 5 });

    // Mount it, destroy the machine: the volume stays bound for a while (412), and delete waits that out.
    const m = await call(fly.emu, "POST", "/v1/apps/web/machines", { region: "ewr", config: { image: "img:v1", mounts: [{ volume: created.id, path: "/data" }] } });
    expect(m.status).toBe(200);
    await call(fly.emu, "DELETE", `/v1/apps/web/machines/${m.body.id}?force=true`);
    await flyVolumeProvider.delete!(created.id, grown.outs!);
    expect(requests("DELETE", `/volumes/${created.id}`).map((e) => e.status)).toContain(412);
    expect(requests("DELETE", `/volumes/${created.id}`).at(-1)?.status).toBe(200);
    // Fly keeps a destroyed volume readable in pending_destroy for a day: the read sees it (200) and calls it gone.
    expect(await flyVolumeProvider.read!(created.id, grown.outs!)).toEqual({});
    expect(requests("GET", `/volumes/${created.id}`).at(-1)?.status).toBe(200);
    expect(inventory().volumes).toEqual([expect.objectContaining({ id: created.id, state: "pending_destroy" })]);
  });

  it("an ambiguous create is resolved by looking the new volume up", async () => {
    await newApp("web");
    fly.emu.injectFault({ method: "POST", path: "/v1/apps/{app_name}/volumes", times: 1, fault: { kind: "ambiguous", status: 504 } });
    const created = await flyVolumeProvider.create(inputs());
    expect(inventory().volumes.map((v) => v.id)).toEqual([created.id]);
  });
});

describe("FlyReleaseCommand provider", () => {
  const release = (image: string) => ({
    connection: fly.connection, app: "web", image, command: ["bin/migrate"], region: "ewr", env: {},
    guest: { cpuKind: "shared" as const, cpus: 1, memoryMb: 512 }, timeoutMs: 60_000,
  });

  it("runs the command in a one-off machine, reports exit 0 and removes the machine", async () => {
    await newApp("web");
    const run = await flyReleaseCommandProvider.create(release("registry.fly.io/web:v2"));
    expect(run.outs).toMatchObject({ exitCode: 0, machineId: expect.any(String) });
    expect(live("web")).toEqual([]);
  });

  it("a failing command stops the deploy with its exit code", async () => {
    await newApp("web");
    fly.emu.markImageUnhealthy("registry.fly.io/web:broken");
    await expect(flyReleaseCommandProvider.create(release("registry.fly.io/web:broken"))).rejects.toThrow(
      /release command `bin\/migrate` \(machine \w+\) exited with 1; the deploy stops here/,
    );
    expect(live("web")).toEqual([]);
  });
});

describe("FlyMachineGroup provider", () => {
  it("creates the group healthy, updates the image rolling, reads drift, scales and deletes", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec());
    expect(created.id).toBe("web/web");
    const outs = created.outs as MachineGroupOutputs;
    expect(outs.machineIds).toHaveLength(2);
    expect(live("web").map((m) => [m.state, m.image])).toEqual([
      ["started", "registry.fly.io/web:v1"],
      ["started", "registry.fly.io/web:v1"],
    ]);

    const v2 = groupSpec({ image: "registry.fly.io/web:v2" });
    const updated = (await flyMachineGroupProvider.update!(created.id, outs, v2)).outs as MachineGroupOutputs;
    expect(updated.machineIds).toEqual(outs.machineIds); // updated in place, same machines
    expect(live("web").map((m) => m.image)).toEqual(["registry.fly.io/web:v2", "registry.fly.io/web:v2"]);
    // Every update went through a lease and carried current_version.
    const updates = fly.emu.log.filter((e) => e.method === "POST" && /\/machines\/\w+$/.test(e.path));
    expect(updates).toHaveLength(2);
    expect(updates.every((e) => (e.body as { current_version?: string }).current_version)).toBe(true);

    const read = await flyMachineGroupProvider.read!(created.id, updated);
    expect(read.props).toMatchObject({ image: "registry.fly.io/web:v2", count: 2 });

    const scaled = (await flyMachineGroupProvider.update!(created.id, updated, { ...v2, count: 1 })).outs as MachineGroupOutputs;
    expect(scaled.machineIds).toHaveLength(1);
    expect(live("web")).toHaveLength(1);

    await flyMachineGroupProvider.delete!(created.id, scaled);
    expect(inventory().machines.filter((m) => m.app === "web").map((m) => m.state)).toEqual(["destroyed", "destroyed"]);
    expect((await flyMachineGroupProvider.read!(created.id, scaled)).props).toMatchObject({ machineIds: [], count: 0 });
  });

  it("reverts machines already updated when one fails its checks", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec({ count: 3 }));
    fly.emu.markImageUnhealthy("registry.fly.io/web:bad");
    // maxUnavailable 2: the first batch of two gets the bad image and fails its checks.
    await expect(
      flyMachineGroupProvider.update!(created.id, created.outs, groupSpec({ count: 3, image: "registry.fly.io/web:bad", maxUnavailable: 2 })),
    ).rejects.toThrow(/failed at step 1\/2 \(update\): Fly: machine \w+ of web failed its checks: http .*; reverted \w+, \w+/);
    expect(live("web").map((m) => m.image)).toEqual(Array(3).fill("registry.fly.io/web:v1"));
    await expect.poll(() => live("web").every((m) => m.state === "started")).toBe(true);
  });

  it("blue/green replaces the machines with a healthy new set; a bad green set is destroyed and blue keeps serving", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec({ strategy: "bluegreen" }));
    const blue = (created.outs as MachineGroupOutputs).machineIds;
    const green = (await flyMachineGroupProvider.update!(created.id, created.outs, groupSpec({ strategy: "bluegreen", image: "registry.fly.io/web:v2" })))
      .outs as MachineGroupOutputs;
    expect(green.machineIds).toHaveLength(2);
    expect(green.machineIds.some((id) => blue.includes(id))).toBe(false);
    expect(live("web").map((m) => [m.image, m.cordoned])).toEqual([["registry.fly.io/web:v2", false], ["registry.fly.io/web:v2", false]]);

    fly.emu.markImageUnhealthy("registry.fly.io/web:bad");
    await expect(
      flyMachineGroupProvider.update!(created.id, green, groupSpec({ strategy: "bluegreen", image: "registry.fly.io/web:bad" })),
    ).rejects.toThrow(/failed at step 1\/4 \(create\)/);
    expect(live("web").map((m) => m.id).sort()).toEqual(green.machineIds);
  });

  it("canary and immediate strategies end on the new image", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec({ count: 3, strategy: "canary" }));
    const canary = await flyMachineGroupProvider.update!(created.id, created.outs, groupSpec({ count: 3, strategy: "canary", image: "registry.fly.io/web:v2" }));
    expect(live("web").map((m) => m.image)).toEqual(Array(3).fill("registry.fly.io/web:v2"));
    await flyMachineGroupProvider.update!(created.id, canary.outs, groupSpec({ count: 3, strategy: "immediate", image: "registry.fly.io/web:v3" }));
    expect(live("web").map((m) => m.image)).toEqual(Array(3).fill("registry.fly.io/web:v3"));
  });

  it("a volume-backed machine that needs the current secrets version starts; a version the app lacks fails the create", async () => {
    await newApp("web");
    const secrets = await flySecretsProvider.create({ connection: fly.connection, app: "web", values: { DATABASE_URL: "postgres://u:p@db.internal:5432/app" } });
    const vol = await flyVolumeProvider.create({ connection: fly.connection, app: "web", name: "pg_data", region: "ewr", sizeGb: 1, snapshotRetention: 5, autoBackup: true, encrypted: true });
    const spec = groupSpec({ count: 1, strategy: "immediate", mounts: [{ volume: vol.id, path: "/data" }], minSecretsVersion: secrets.outs.version });
    const created = await flyMachineGroupProvider.create(spec);
    const [id] = (created.outs as MachineGroupOutputs).machineIds as [string];
    const machine = await call(fly.emu, "GET", `/v1/apps/web/machines/${id}`);
    expect(machine.body.config.mounts).toEqual([expect.objectContaining({ volume: vol.id, path: "/data" })]);
    await expect.poll(() => live("web")[0]?.state).toBe("started");

    await newApp("other");
    await expect(
      flyMachineGroupProvider.create(groupSpec({ app: "other", count: 1, minSecretsVersion: 99 })),
    ).rejects.toThrow(/failed at step 1\/1 \(create\): Fly: machine \w+ of other is failed instead of started \(.*secrets version 99.*\)/);
    expect(live("other")).toEqual([]);
  });

  it("repairs drift: a machine destroyed out of band is recreated on the next update; a deleted app reads as gone", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec({ count: 2 }));
    const [gone, kept] = (created.outs as MachineGroupOutputs).machineIds as [string, string];
    await call(fly.emu, "DELETE", `/v1/apps/web/machines/${gone}?force=true`);
    const read = await flyMachineGroupProvider.read!(created.id, created.outs);
    expect(read.props).toMatchObject({ count: 1, machineIds: [kept] });
    expect(await flyMachineGroupProvider.diff!(created.id, read.props!, groupSpec({ count: 2 }))).toMatchObject({ changes: undefined, replaces: [] });
    const repaired = (await flyMachineGroupProvider.update!(created.id, read.props!, groupSpec({ count: 2 }))).outs as MachineGroupOutputs;
    expect(repaired.machineIds).toHaveLength(2);
    expect(repaired.machineIds).toContain(kept);
    expect(requests("POST", "/machines/").filter((e) => /\/machines\/\w+$/.test(e.path))).toEqual([]); // the kept one was current: no update

    await call(fly.emu, "DELETE", "/v1/apps/web");
    expect(await flyMachineGroupProvider.read!(created.id, repaired)).toEqual({});
  });

  it("a canary that fails its checks is reverted before any other machine is touched", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec({ count: 3, strategy: "canary" }));
    fly.emu.markImageUnhealthy("registry.fly.io/web:bad");
    await expect(
      flyMachineGroupProvider.update!(created.id, created.outs, groupSpec({ count: 3, strategy: "canary", image: "registry.fly.io/web:bad" })),
    ).rejects.toThrow(/failed at step 1\/2 \(update\).*; reverted \w+$/);
    const bad = fly.emu.log.filter((e) => e.method === "POST" && /\/machines\/\w+$/.test(e.path) && (e.body as { config?: { image?: string } }).config?.image === "registry.fly.io/web:bad");
    expect(bad).toHaveLength(1);
    expect(live("web").map((m) => m.image)).toEqual(Array(3).fill("registry.fly.io/web:v1"));
  });

  it("an ambiguous machine create is found by its launch id: no duplicate", async () => {
    await newApp("web");
    fly.emu.injectFault({ method: "POST", path: "/v1/apps/{app_name}/machines", times: 1, fault: { kind: "ambiguous", status: 502 } });
    const created = await flyMachineGroupProvider.create(groupSpec({ count: 2 }));
    expect((created.outs as MachineGroupOutputs).machineIds).toHaveLength(2);
    expect(live("web")).toHaveLength(2);
  });

  it("waits out a lease held by someone else, then updates", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec({ count: 1 }));
    const [id] = (created.outs as MachineGroupOutputs).machineIds;
    const held = await call(fly.emu, "POST", `/v1/apps/web/machines/${id}/lease`, { ttl: 10, description: "flyctl deploy" });
    expect(held.status).toBe(201);
    await flyMachineGroupProvider.update!(created.id, created.outs, groupSpec({ count: 1, image: "registry.fly.io/web:v2" }));
    expect(live("web")[0]?.image).toBe("registry.fly.io/web:v2");
    expect(requests("POST", `/machines/${id}/lease`).map((e) => e.status)).toContain(409);
  });

  it("a stale current_version (409) is re-read and retried", async () => {
    await newApp("web");
    const created = await flyMachineGroupProvider.create(groupSpec({ count: 1 }));
    const [id] = (created.outs as MachineGroupOutputs).machineIds as [string];
    // A client whose first update is overtaken by someone else's change between our read and our write.
    let raced = false;
    const client = createClient<paths>({
      baseUrl: fly.emu.url,
      fetch: async (input: Request) => {
        if (!raced && input.method === "POST" && input.url.endsWith(`/machines/${id}`)) {
          raced = true;
          const lease = await call(fly.emu, "GET", `/v1/apps/web/machines/${id}/lease`);
          await call(fly.emu, "POST", `/v1/apps/web/machines/${id}`, { config: { ...(await getMachine(client, "web", id)).config, env: { RACE: "1" } } },
            { "fly-machine-lease-nonce": lease.body.data.nonce });
        }
        const authed = new Request(input);
        authed.headers.set("authorization", `Bearer ${TOKEN}`);
        return fetch(authed);
      },
    });
    const config = { image: "registry.fly.io/web:v2" };
    const after = await withLease(client, "web", id, (nonce) => updateMachine(client, "web", id, config, nonce));
    expect(after.config?.image).toBe("registry.fly.io/web:v2");
    expect(fly.emu.log.filter((e) => e.method === "POST" && e.path.endsWith(`/machines/${id}`)).map((e) => e.status)).toEqual([200, 409, 200]);
  });
});
