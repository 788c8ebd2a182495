import { describe, expect, it } from "vitest";
import { buildCreateAppBody } from "../../../../components/fly/app.provider";
import { ipKind } from "../../../../components/fly/ip.provider";
import {
  buildCreateBody,
  buildMachineConfig,
  fingerprint,
  normalizeAutostop,
  type MachineGroupInputs,
} from "../../../../components/fly/machine-spec";
import { buildReleaseMachineBody, exitCodeOf } from "../../../../components/fly/release-command.provider";
import { leaseSchema } from "../../../../components/fly/responses";
import { planSecretsChange } from "../../../../components/fly/secrets.provider";
import { buildCreateVolumeBody } from "../../../../components/fly/volume.provider";

const connection = { apiUrl: "http://127.0.0.1:4280", token: "t0ken" };

const spec: MachineGroupInputs = {
  connection,
  app: "acme-web",
  group: "web",
  region: "ewr",
  image: "ghcr.io/acme/web@sha256:abc",
  count: 2,
  guest: { cpuKind: "shared", cpus: 2, memoryMb: 2048 },
  env: { PORT: "3000", NODE_ENV: "production" },
  services: [
    {
      internalPort: 3000,
      protocol: "tcp",
      ports: [
        { port: 80, handlers: ["http"], forceHttps: true },
        { port: 443, handlers: ["tls", "http"], forceHttps: false },
      ],
      autostart: true,
      autostop: "stop",
      minMachinesRunning: 1,
    },
  ],
  checks: { http: { type: "http", port: 3000, path: "/health", interval: "15s", timeout: "5s", gracePeriod: "10s" } },
  mounts: [],
  metadata: { release: "v1.2.3" },
  minSecretsVersion: 4,
  strategy: "rolling",
  maxUnavailable: 1,
};

describe("machine create body", () => {
  it("maps the group spec to the exact Fly request JSON", () => {
    const body = buildCreateBody(spec, "web-launch-1");
    const fp = fingerprint(buildMachineConfig(spec), 4);
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({
        region: "ewr",
        config: {
          image: "ghcr.io/acme/web@sha256:abc",
          guest: { cpu_kind: "shared", cpus: 2, memory_mb: 2048 },
          env: { NODE_ENV: "production", PORT: "3000" },
          services: [
            {
              protocol: "tcp",
              internal_port: 3000,
              autostart: true,
              autostop: "stop",
              min_machines_running: 1,
              ports: [
                { port: 80, handlers: ["http"], force_https: true },
                { port: 443, handlers: ["tls", "http"], force_https: false },
              ],
            },
          ],
          checks: {
            http: { type: "http", port: 3000, interval: "15s", timeout: "5s", grace_period: "10s", method: "GET", path: "/health" },
          },
          mounts: [],
          restart: { policy: "on-failure", max_retries: 10 },
          metadata: {
            release: "v1.2.3",
            fly_process_group: "app",
            slipway_group: "web",
            slipway_config: fp,
            slipway_launch_id: "web-launch-1",
          },
        },
        min_secrets_version: 4,
      }),
    );
  });

  it("adds init.cmd and mounts only when given, and omits min_secrets_version when unset", () => {
    const body = buildCreateBody(
      { ...spec, cmd: ["node", "server.js"], mounts: [{ volume: "vol_123", path: "/data" }], minSecretsVersion: undefined },
      "l",
    );
    expect(body.config?.init).toEqual({ cmd: ["node", "server.js"] });
    expect(body.config?.mounts).toEqual([{ volume: "vol_123", path: "/data" }]);
    expect("min_secrets_version" in body).toBe(false);
  });

  it("leaves min_machines_running out when autostop is off", () => {
    const service = { ...spec.services[0]!, autostop: "off" as const, minMachinesRunning: 0 };
    const body = buildCreateBody({ ...spec, services: [service] }, "l");
    expect(body.config?.services?.[0]).not.toHaveProperty("min_machines_running");
    expect(body.config?.services?.[0]?.autostop).toBe("off");
  });

  it("fingerprints change with the image or secrets version, not with env key order or the launch id", () => {
    const base = buildMachineConfig(spec).metadata?.slipway_config;
    expect(buildMachineConfig({ ...spec, env: { PORT: "3000", NODE_ENV: "production" } }).metadata?.slipway_config).toBe(base);
    expect(buildMachineConfig({ ...spec, image: "ghcr.io/acme/web@sha256:def" }).metadata?.slipway_config).not.toBe(base);
    expect(buildMachineConfig({ ...spec, minSecretsVersion: 5 }).metadata?.slipway_config).not.toBe(base);
    expect(buildCreateBody(spec, "a").config?.metadata?.slipway_config).toBe(buildCreateBody(spec, "b").config?.metadata?.slipway_config);
  });

  it("normalises autostop as Fly echoes it (booleans for off/stop)", () => {
    expect(normalizeAutostop(true)).toBe("stop");
    expect(normalizeAutostop(false)).toBe("off");
    expect(normalizeAutostop("suspend")).toBe("suspend");
    expect(normalizeAutostop("off")).toBe("off");
    expect(normalizeAutostop(undefined)).toBeUndefined();
  });
});

describe("other request bodies", () => {
  it("app create carries org and idempotency key", () => {
    expect(buildCreateAppBody({ connection, name: "acme-web", org: "acme" }, "key-1")).toEqual({
      name: "acme-web",
      org_slug: "acme",
      idempotency_key: "key-1",
    });
  });

  it("volume create", () => {
    expect(
      buildCreateVolumeBody({ connection, app: "a", name: "media", region: "ewr", sizeGb: 3, snapshotRetention: 14, autoBackup: true, encrypted: true }),
    ).toEqual({ name: "media", region: "ewr", size_gb: 3, snapshot_retention: 14, auto_backup_enabled: true, encrypted: true });
  });

  it("release machine runs the command once, without restarts, with the secrets version", () => {
    const body = buildReleaseMachineBody(
      {
        connection, app: "a", image: "img@sha256:1", command: ["npm", "run", "migrate"], region: "ewr", env: { A: "1" },
        minSecretsVersion: 7, guest: { cpuKind: "shared", cpus: 1, memoryMb: 512 }, timeoutMs: 1000,
      },
      "release-1",
    );
    expect(body).toEqual({
      region: "ewr",
      config: {
        image: "img@sha256:1",
        init: { cmd: ["npm", "run", "migrate"] },
        env: { A: "1" },
        guest: { cpu_kind: "shared", cpus: 1, memory_mb: 512 },
        restart: { policy: "no" },
        auto_destroy: false,
        metadata: { slipway_release: "release-1", slipway_launch_id: "release-1", fly_process_group: "fly_app_release_command" },
      },
      min_secrets_version: 7,
    });
  });

  it("reads the exit code from the newest exit event", () => {
    const events = [
      { type: "exit", status: "stopped", request: { exit_event: { exit_code: 3 } } },
      { type: "exit", status: "stopped", request: { exit_event: { exit_code: 0 } } },
    ];
    expect(exitCodeOf({ id: "m", state: "stopped", events })).toBe(3);
    expect(exitCodeOf({ id: "m", state: "stopped", events: [{ type: "start", status: "started" }] })).toBeUndefined();
  });

  it("secrets updates send only new or changed values and unset removed names", () => {
    expect(planSecretsChange({ A: "1", B: "2", C: "3" }, { A: "1", B: "20", D: "4" })).toEqual({
      set: { B: "20", D: "4" },
      unset: ["C"],
    });
    expect(planSecretsChange({ A: "1" }, { A: "1" })).toEqual({ set: {}, unset: [] });
  });

  it("recognises IP kinds in the app's list", () => {
    expect(ipKind({ ip: "66.241.124.10", shared: true })).toBe("shared_v4");
    expect(ipKind({ ip: "137.66.1.1", shared: false })).toBe("v4");
    expect(ipKind({ ip: "2a09:8280:1::1" })).toBe("v6");
    expect(ipKind({ ip: "fdaa:0:1::2", network: { org_slug: "acme" } })).toBe("private_v6");
  });
});

describe("responses", () => {
  it("reads a lease as the spec describes it and as the live service wraps it", () => {
    expect(leaseSchema.parse({ nonce: "n1", owner: "a@b", expires_at: 1 }).nonce).toBe("n1");
    expect(leaseSchema.parse({ status: "success", data: { nonce: "n2", owner: "a@b", expires_at: 1 } }).nonce).toBe("n2");
    expect(() => leaseSchema.parse({ status: "success" })).toThrow();
  });
});
