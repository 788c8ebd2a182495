/**
 * The deploy revert (components/fly/deploy.ts) on the shapes the real Machines API answers: it restores each
 * machine with the config it read back, and that config carries what fly-go's types encode — `autostop` as
 * booleans for "stop"/"off", `force_instance_key: null` — while every lease is answered wrapped as
 * `{status, data: {nonce, …}}`. The emulator validates the re-sent bodies as the Go service decodes them, so a
 * revert that only worked on the spec's shapes would fail here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flyAppProvider } from "../../components/fly/app.provider";
import { flyMachineGroupProvider, type MachineGroupOutputs } from "../../components/fly/machine-group.provider";
import type { MachineGroupInputs } from "../../components/fly/machine-spec";
import { startFlyEmulator, type FlyEmulator } from "./fly/index";
import { call, TOKEN } from "./fly/testkit";
import { useFastProviderSettings } from "./common/provider-harness";

useFastProviderSettings({ SLIPWAY_POLL_INTERVAL_MS: "25", SLIPWAY_WAIT_TIMEOUT_MS: "15000" });

let emu: FlyEmulator;
let connection: { apiUrl: string; token: string };
beforeAll(async () => {
  emu = await startFlyEmulator({ token: TOKEN });
  connection = { apiUrl: emu.url, token: TOKEN };
});
afterAll(async () => {
  await emu.close();
});

function spec(image: string): MachineGroupInputs {
  return {
    connection,
    app: "web",
    group: "web",
    region: "ewr",
    image,
    count: 3,
    guest: { cpuKind: "shared", cpus: 1, memoryMb: 256 },
    env: { PORT: "3000" },
    services: [
      { internalPort: 3000, protocol: "tcp", autostart: true, autostop: "stop", minMachinesRunning: 1, ports: [{ port: 443, handlers: ["tls", "http"], forceHttps: false }] },
      { internalPort: 4000, protocol: "tcp", autostart: true, autostop: "off", minMachinesRunning: 0, ports: [] },
    ],
    checks: { http: { type: "http", port: 3000, path: "/health", interval: "15s", timeout: "5s", gracePeriod: "1s" } },
    mounts: [],
    metadata: {},
    strategy: "rolling",
    maxUnavailable: 2,
  };
}

interface ServiceBody {
  internal_port: number;
  autostop?: unknown;
  force_instance_key?: unknown;
}

describe("deploy revert against the Machines API's real shapes", () => {
  it("restores a failed batch from GET bodies with booleans, nulls and wrapped leases, back to the old config", async () => {
    await flyAppProvider.create({ connection, name: "web", org: "acme" });
    const created = await flyMachineGroupProvider.create(spec("registry.fly.io/web:v1"));
    const ids = (created.outs as MachineGroupOutputs).machineIds;
    const before = await Promise.all(ids.map(async (id) => (await call(emu, "GET", `/v1/apps/web/machines/${id}`)).body));
    // What a GET answers: "stop" as true, "off" as false, the unset force_instance_key as null.
    expect(before[0].config.services.map((s: ServiceBody) => [s.internal_port, s.autostop, s.force_instance_key])).toEqual([
      [3000, true, null],
      [4000, false, null],
    ]);

    emu.markImageUnhealthy("registry.fly.io/web:bad");
    const mark = emu.log.length;
    await expect(flyMachineGroupProvider.update!(created.id, created.outs, spec("registry.fly.io/web:bad"))).rejects.toThrow(
      /failed at step 1\/2 \(update\): Fly: machine \w+ of web failed its checks: http .*; reverted \w+, \w+$/,
    );
    const calls = emu.log.slice(mark);

    // Every lease was answered wrapped, and slipway used the nonce inside it.
    const leases = calls.filter((e) => e.method === "POST" && e.path.endsWith("/lease"));
    expect(leases.length).toBe(4);
    expect(leases.every((e) => e.status === 201)).toBe(true);
    // The restores re-sent the config read back, booleans and nulls included, and the service took them.
    const restores = calls.filter(
      (e) => e.method === "POST" && /\/machines\/\w+$/.test(e.path) && (e.body as { config?: { image?: string } })?.config?.image === "registry.fly.io/web:v1",
    );
    expect(restores.map((e) => e.status)).toEqual([200, 200]);
    for (const r of restores) {
      const services = (r.body as { config: { services: ServiceBody[] } }).config.services;
      expect(services.map((s) => [s.autostop, s.force_instance_key])).toEqual([[true, null], [false, null]]);
    }
    expect(emu.responseViolations).toEqual([]);

    // The group is back where it was: same machines, the old config, started.
    await expect.poll(async () => {
      const now = await Promise.all(ids.map(async (id) => (await call(emu, "GET", `/v1/apps/web/machines/${id}`)).body));
      return now.map((m) => [m.state, m.config.image, m.config.metadata.slipway_config]);
    }).toEqual(before.map((m) => ["started", "registry.fly.io/web:v1", m.config.metadata.slipway_config]));
    const after = await Promise.all(ids.map(async (id) => (await call(emu, "GET", `/v1/apps/web/machines/${id}`)).body));
    expect(after.map((m) => m.config.services)).toEqual(before.map((m) => m.config.services));
    const leaseLeft = await Promise.all(ids.map(async (id) => (await call(emu, "GET", `/v1/apps/web/machines/${id}/lease`)).status));
    expect(leaseLeft).toEqual([404, 404, 404]);
  });
});
