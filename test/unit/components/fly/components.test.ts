import { beforeEach, describe, expect, it, vi } from "vitest";
import { outputOf, outputWithSecrecy, setupMocks, type MockRegistry } from "../../mocks";

type Fly = typeof import("../../../../components/fly");

let registry: MockRegistry;
let fly: Fly;

const T = (type: string): string => `pulumi-nodejs:dynamic/fly:${type}`;

/** How the mock monitor receives a secret: wrapped with Pulumi's secret signature. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecretValue = (v: unknown): boolean =>
  typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270";
/** The inputs with every secret unwrapped, to compare values. */
function reveal(v: unknown): unknown {
  if (isSecretValue(v)) return reveal((v as { value: unknown }).value);
  if (Array.isArray(v)) return v.map(reveal);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}

beforeEach(async () => {
  vi.resetModules();
  vi.stubEnv("FLY_API_TOKEN", "");
  vi.stubEnv("FLY_API_URL", "");
  registry = setupMocks({
    config: { "fly:token": "fly-secret-token", "fly:apiUrl": "http://127.0.0.1:4280" },
    secretKeys: ["fly:token"],
    outputs: (args) => (args.type === T("Volume") ? { volumeId: `vol_${args.name}` } : undefined),
  });
  fly = await import("../../../../components/fly");
});

describe("FlyApp", () => {
  it("creates the app, a shared v4 + v6 and one certificate per domain, all parented to the component", async () => {
    const app = new fly.FlyApp("web", { name: "acme-web", org: "acme", domains: ["app.example.com"] });
    await outputOf(app.name);
    await registry.settled();
    expect(reveal(registry.one(T("App")).inputs)).toMatchObject({ name: "acme-web", org: "acme", connection: { apiUrl: "http://127.0.0.1:4280" } });
    expect(registry.byType(T("IpAssignment")).map((r) => r.inputs.type)).toEqual(["shared_v4", "v6"]);
    expect(registry.one(T("Certificate")).inputs).toMatchObject({ app: "acme-web", hostname: "app.example.com" });
    expect(registry.byProviderKey("fly:app")).toHaveLength(1);
    expect(await outputOf(app.hostname)).toBe("acme-web.fly.dev");
  });

  it("private apps get one Flycast address and no certificates", async () => {
    const app = new fly.FlyApp("db", { name: "acme-db", ips: "private" });
    await outputOf(app.name);
    await registry.settled();
    expect(registry.byType(T("IpAssignment")).map((r) => r.inputs.type)).toEqual(["private_v6"]);
    expect(registry.one(T("App")).inputs.org).toBe("personal");
  });

  it("passes the connection (with its token) as a secret to every child", async () => {
    new fly.FlyApp("web", { name: "acme-web", domains: ["a.example.com"] });
    await registry.settled();
    const children = registry.resources.filter((r) => r.custom);
    expect(children).toHaveLength(4);
    for (const child of children) {
      // A secret nested in an input makes the whole property secret on the wire, so state encrypts it.
      expect(isSecretValue(child.inputs.connection)).toBe(true);
      expect(reveal(child.inputs.connection)).toEqual({ apiUrl: "http://127.0.0.1:4280", token: "fly-secret-token" });
    }
  });

  it("refuses domains without public IPs, registering nothing", () => {
    expect(() => new fly.FlyApp("web", { name: "acme-web", ips: "private", domains: ["a.example.com"] })).toThrow(
      'FlyApp "web": domains need public IPs; set ips to "public" or remove domains (ips is "private")',
    );
    expect(registry.resources).toHaveLength(0);
  });
});

describe("FlyMachineGroup", () => {
  it("maps args to one group resource with defaults spelled out", async () => {
    const group = new fly.FlyMachineGroup("web", {
      app: "acme-web",
      image: "img@sha256:1",
      region: "ewr",
      count: 2,
      services: [{ internalPort: 3000, minMachinesRunning: 1 }],
      checks: { http: { port: 3000, path: "/health" } },
      strategy: "canary",
    });
    await outputOf(group.app);
    await registry.settled();
    const r = registry.one(T("MachineGroup"));
    expect(r.name).toBe("web");
    expect(r.inputs).toMatchObject({
      app: "acme-web",
      group: "web",
      count: 2,
      guest: { cpuKind: "shared", cpus: 1, memoryMb: 256 },
      strategy: "canary",
      maxUnavailable: 1,
      services: [
        {
          internalPort: 3000,
          protocol: "tcp",
          autostart: true,
          autostop: "stop",
          minMachinesRunning: 1,
          ports: [
            { port: 80, handlers: ["http"], forceHttps: true },
            { port: 443, handlers: ["tls", "http"], forceHttps: false },
          ],
        },
      ],
      checks: { http: { type: "http", port: 3000, path: "/health", method: "GET", interval: "15s", timeout: "5s", gracePeriod: "10s" } },
    });
    expect(registry.one("slipway:fly:MachineGroup").custom).toBe(false);
  });

  it("holds the machines back until the release command ran (component-level dependsOn reaches the resource)", async () => {
    const release = new fly.FlyReleaseCommand("migrate", { app: "a", image: "i", command: ["migrate"], region: "ewr" });
    const group = new fly.FlyMachineGroup("web", { app: "a", image: "i", region: "ewr" }, { dependsOn: [release] });
    await outputOf(group.machineIds);
    await registry.settled();
    const deps = registry.one(T("MachineGroup")).dependencies;
    expect(deps.some((urn) => urn.endsWith("fly:ReleaseCommand::migrate"))).toBe(true);
  });

  const base = { app: "a", image: "i", region: "ewr" };
  it.each([
    [{ ...base, strategy: "canary" as const, maxUnavailable: 2 }, 'FlyMachineGroup "g": maxUnavailable only applies to the "rolling" strategy, not "canary"'],
    [{ ...base, maxUnavailable: 0 }, 'FlyMachineGroup "g": maxUnavailable must be an integer ≥ 1, got 0'],
    [{ ...base, count: 2, mounts: [{ volume: "v", path: "/data" }] }, 'FlyMachineGroup "g": a volume attaches to one machine, so mounts need count 1, got count 2'],
    [{ ...base, strategy: "bluegreen" as const, mounts: [{ volume: "v", path: "/d" }] }, 'FlyMachineGroup "g": the "bluegreen" strategy starts new machines beside the old ones, which cannot share a volume; use "rolling" or "immediate" with mounts'],
    [{ ...base, count: 1, services: [{ internalPort: 3000, minMachinesRunning: 2 }] }, 'FlyMachineGroup "g": minMachinesRunning (2) exceeds count (1)'],
    [{ ...base, services: [{ internalPort: 3000, autostop: "off" as const, minMachinesRunning: 1 }] }, 'FlyMachineGroup "g": minMachinesRunning has no effect with autostop "off"; remove one of them'],
    [{ ...base, count: 1.5 }, 'FlyMachineGroup "g": count must be an integer ≥ 0, got 1.5'],
  ])("rejects conflicting args with an exact message (%#)", (args, message) => {
    expect(() => new fly.FlyMachineGroup("g", args)).toThrow(message);
    expect(registry.resources).toHaveLength(0);
  });
});

describe("FlySecrets, FlyVolume, FlyReleaseCommand", () => {
  it("secret values are registered as secrets and the version is an output", async () => {
    const s = new fly.FlySecrets("web-secrets", { app: "acme-web", values: { SESSION_KEY: "s3cret" } });
    await outputOf(s.names);
    await registry.settled();
    const inputs = registry.one(T("Secrets")).inputs;
    expect(isSecretValue(inputs.values)).toBe(true);
    expect(reveal(inputs)).toMatchObject({ app: "acme-web", values: { SESSION_KEY: "s3cret" } });
    expect((await outputWithSecrecy(s.names)).secret).toBe(false);
  });

  it("rejects an invalid secret name", () => {
    expect(() => new fly.FlySecrets("s", { app: "a", values: { "BAD-NAME": "x" } })).toThrow(
      'FlySecrets "s": values name: expected an environment variable name (letters, digits, _; not starting with a digit), got "BAD-NAME"',
    );
  });

  it("volume defaults and validation", async () => {
    const v = new fly.FlyVolume("media", { app: "a", name: "media", region: "ewr", sizeGb: 3 });
    await outputOf(v.volumeId);
    await registry.settled();
    expect(registry.one(T("Volume")).inputs).toMatchObject({ name: "media", sizeGb: 3, snapshotRetention: 5, autoBackup: true, encrypted: true });
    expect(() => new fly.FlyVolume("x", { app: "a", name: "Media-Files", region: "ewr" })).toThrow(
      'FlyVolume "x": name: expected a volume name (lower-case letters, digits, _; up to 30 chars), got "Media-Files"',
    );
    expect(() => new fly.FlyVolume("x", { app: "a", name: "m", region: "ewr", sizeGb: 0 })).toThrow(
      'FlyVolume "x": sizeGb: expected an integer from 1 to 500, got 0',
    );
    expect(() => new fly.FlyVolume("x", { app: "a", name: "m", region: "ewr", autoBackup: false, snapshotRetention: 3 })).toThrow(
      'FlyVolume "x": snapshotRetention has no effect with autoBackup false; remove one of them',
    );
  });

  it("release command registers one run with its defaults; empty commands are refused", async () => {
    const r = new fly.FlyReleaseCommand("migrate", { app: "a", image: "i@sha256:1", command: ["npm", "run", "migrate"], region: "ewr" });
    await outputOf(r.exitCode);
    await registry.settled();
    expect(registry.one(T("ReleaseCommand")).inputs).toMatchObject({ timeoutMs: 600000, guest: { memoryMb: 512 }, env: {} });
    expect(() => new fly.FlyReleaseCommand("m", { app: "a", image: "i", command: [], region: "ewr" })).toThrow(
      'FlyReleaseCommand "m": command must not be empty',
    );
  });

  it("without a token anywhere, says how to set one", () => {
    setupMocks({ config: {} });
    expect(() => new fly.FlyVolume("x", { app: "a", name: "m", region: "ewr" })).toThrow(
      "FlyVolume: no Fly API token; set it with `pulumi config set --secret fly:token <token>` or FLY_API_TOKEN",
    );
  });
});

describe("FlyPostgres", () => {
  it("builds app, password, secrets, volume and one pgvector machine, and attaches DATABASE_URL as a secret", async () => {
    const pg = new fly.FlyPostgres("db", { name: "acme-db", region: "ewr", attachTo: "acme-web" });
    const url = await outputWithSecrecy(pg.databaseUrl);
    await registry.settled();
    expect(url.secret).toBe(true);
    expect(url.value).toBe("postgres://app:mock-db-password-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@acme-db.internal:5432/app?sslmode=disable");
    expect(await outputOf(pg.host)).toBe("acme-db.internal");
    expect(registry.one("pulumi-nodejs:dynamic/slipway:GeneratedPassword").inputs).toMatchObject({ length: 32 });
    expect(registry.byType(T("IpAssignment"))).toHaveLength(0);
    const group = registry.one(T("MachineGroup"));
    expect(reveal(group.inputs)).toMatchObject({
      app: "acme-db",
      image: "pgvector/pgvector:pg16",
      count: 1,
      strategy: "immediate",
      env: { POSTGRES_USER: "app", POSTGRES_DB: "app", PGDATA: "/data/pgdata" },
      mounts: [{ volume: "vol_db-data", path: "/data" }],
    });
    const secrets = registry.byType(T("Secrets"));
    expect(secrets.map((s) => s.inputs.app).sort()).toEqual(["acme-db", "acme-web"]);
    const attached = secrets.find((s) => s.inputs.app === "acme-web");
    expect(isSecretValue(attached?.inputs.values)).toBe(true);
    expect(reveal(attached?.inputs.values)).toEqual({ DATABASE_URL: url.value });
  });

  it("over Flycast: a private v6 and a proxy service on 5432 without public handlers", async () => {
    const pg = new fly.FlyPostgres("db", { name: "acme-db", region: "ewr", network: "flycast" });
    expect(await outputOf(pg.host)).toBe("acme-db.flycast");
    await registry.settled();
    expect(registry.one(T("IpAssignment")).inputs.type).toBe("private_v6");
    expect(registry.one(T("MachineGroup")).inputs.services).toEqual([
      { internalPort: 5432, protocol: "tcp", ports: [{ port: 5432, handlers: [], forceHttps: false }], autostart: true, autostop: "off", minMachinesRunning: 0 },
    ]);
  });

  it("validates before registering anything", () => {
    expect(() => new fly.FlyPostgres("db", { name: "x", region: "ewr", secretName: "DB_URL" })).toThrow(
      'FlyPostgres "db": secretName needs attachTo (the app that receives the secret)',
    );
    expect(() => new fly.FlyPostgres("db", { name: "x", region: "ewr", database: "My-DB" })).toThrow(
      'FlyPostgres "db": database: expected a lower-case SQL identifier (letters, digits, _; up to 63 chars, not starting with a digit), got "My-DB"',
    );
    expect(registry.resources).toHaveLength(0);
  });
});
