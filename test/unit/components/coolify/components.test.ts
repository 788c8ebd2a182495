import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { outputOf, outputWithSecrecy, setupMocks, type MockRegistry } from "../../mocks";
import { DIGEST } from "./fixtures";

let registry: MockRegistry;
const connection = { apiUrl: "http://coolify.test/api/v1/", token: "tok" };
const placement = { projectUuid: "p1", environmentUuid: "e1", environmentName: "staging", serverUuid: "s1", connection };
const health = { path: "/health" };

beforeEach(() => {
  vi.resetModules();
  registry = setupMocks({});
});

// Let late registrations (registerOutputs) reach this test's monitor, not the next test's.
afterEach(() => registry.settled());

/** The mock monitor receives secrets in their wire form; this asserts the marker and unwraps. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
function secretValue(wire: unknown): unknown {
  const record = wire as Record<string, unknown>;
  expect(record["4dabf18193072939515e22adb298388d"]).toBe(SECRET_SIG);
  return record.value;
}

async function load() {
  return import("../../../../components/coolify");
}

describe("CoolifyProject", () => {
  it("registers one project resource with its inputs, the token secret", async () => {
    const { CoolifyProject } = await load();
    const project = new CoolifyProject("web", { name: "slipway-web", environmentName: "staging", connection });
    await outputOf(project.projectUuid);
    await registry.settled();
    const res = registry.one("pulumi-nodejs:dynamic/coolify:Project");
    expect(res.name).toBe("web-project");
    expect(res.inputs).toMatchObject({ name: "slipway-web", environmentName: "staging" });
    expect(secretValue(res.inputs.connection)).toEqual({ apiUrl: "http://coolify.test/api/v1", token: "tok" });
    expect(String(res.inputs.__provider)).toContain('key: "coolify:project"');
    expect(registry.one("slipway:coolify:Project").custom).toBe(false);
  });

  it("fails without credentials anywhere", async () => {
    const { CoolifyProject } = await load();
    const saved = { url: process.env.COOLIFY_URL, token: process.env.COOLIFY_TOKEN };
    delete process.env.COOLIFY_URL;
    delete process.env.COOLIFY_TOKEN;
    try {
      expect(() => new CoolifyProject("web", { name: "x", environmentName: "staging" })).toThrow(
        "Coolify API URL is missing: set `coolify:url` in stack config or COOLIFY_URL in the environment",
      );
    } finally {
      if (saved.url !== undefined) process.env.COOLIFY_URL = saved.url;
      if (saved.token !== undefined) process.env.COOLIFY_TOKEN = saved.token;
    }
  });
});

describe("CoolifyApplication", () => {
  it("maps args to the application resource: hosts, ports, health defaults, secret env", async () => {
    const { CoolifyApplication } = await load();
    const app = new CoolifyApplication("web", {
      ...placement,
      name: "web",
      image: DIGEST,
      domains: ["https://Staging.example.com/", "www.example.com"],
      port: 3000,
      internalPorts: [4000],
      healthCheck: health,
      limits: { cpus: "1", memory: "1g" },
      env: { NODE_ENV: "production" },
      secretEnv: { DATABASE_URL: "postgres://x" },
      volumes: [{ name: "media", mountPath: "/app/media" }],
      githubWebhookSecret: "whs",
    });
    await outputOf(app.uuid);
    await registry.settled();
    const res = registry.one("pulumi-nodejs:dynamic/coolify:Application");
    expect(res.inputs).toMatchObject({
      name: "web",
      image: DIGEST,
      domains: ["staging.example.com", "www.example.com"],
      ports: [3000, 4000],
      portMappings: [],
      // The defaults are slipway:app.healthCheck's (components/rules.ts HEALTH_CHECK_DEFAULTS).
      healthCheck: { path: "/health", intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 30, returnCode: 200 },
      limits: { cpus: "1", memory: "1g" },
      env: { NODE_ENV: "production" },
      volumes: [{ name: "media", mountPath: "/app/media" }],
      deploy: true,
      serverUuid: "s1",
    });
    expect(secretValue(res.inputs.githubWebhookSecret)).toBe("whs");
    expect(secretValue(res.inputs.secretEnv)).toEqual({ DATABASE_URL: "postgres://x" });
    expect(secretValue(res.inputs.connection)).toMatchObject({ token: "tok" });
    expect(await outputOf(app.image)).toBe(DIGEST);
  });

  const base = { ...placement, name: "web", image: DIGEST, port: 3000, healthCheck: health };
  it.each([
    [
      { rollingUpdate: true, portMappings: ["8080:3000"] },
      "CoolifyApplication web: portMappings conflicts with rollingUpdate: Coolify cannot roll a container that binds host ports; remove portMappings or set rollingUpdate: false",
    ],
    [
      { rollingUpdate: true, healthCheck: undefined },
      "CoolifyApplication web: rollingUpdate requires a healthCheck: Coolify only rolls when the new container passes one; add healthCheck or set rollingUpdate: false",
    ],
    [
      { env: { A: "1", B: "2" }, secretEnv: { B: "x" } },
      "CoolifyApplication web: env and secretEnv both set B; a variable is either plain or secret",
    ],
    [{ image: "ghcr.io/acme/web:latest" }, 'CoolifyApplication web: image: expected an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>, got "ghcr.io/acme/web:latest"'],
    // The stack config's host-name rule: no wildcard (it was accepted here and refused by the config check).
    [{ domains: ["*.example.com"] }, 'CoolifyApplication web: domains: expected a lower-case host name like app.example.com, or with a container port like api.example.com:4000 (no path or wildcard), got "*.example.com"'],
    [{ domains: ["http://a.example.com"] }, 'CoolifyApplication web: domains are always served over https, got "http://a.example.com"'],
    [{ port: 70000 }, "CoolifyApplication web: port: expected an integer from 1 to 65535, got 70000"],
    [{ portMappings: ["80"] }, 'CoolifyApplication web: portMappings: expected a host:container port mapping like "8080:3000" (ports 1–65535), got "80"'],
    [{ healthCheck: { path: "health" } }, 'CoolifyApplication web: healthCheck.path: expected an HTTP path starting with /, got "health"'],
    [{ volumes: [{ name: "media", mountPath: "app/media" }] }, 'CoolifyApplication web: volumes mountPath: expected an absolute path like /data, got "app/media"'],
    [
      { volumes: [{ name: "a", mountPath: "/m" }, { name: "b", mountPath: "/m" }] },
      'CoolifyApplication web: volumes mountPath "/m" is used twice',
    ],
    [{ volumes: [{ name: "my media", mountPath: "/m" }] }, 'CoolifyApplication web: volumes name: expected a volume name (lower-case letters, digits, _; up to 30 chars), got "my media"'],
    [{ env: { "BAD-NAME": "1" } }, 'CoolifyApplication web: env name: expected an environment variable name (letters, digits, _; not starting with a digit), got "BAD-NAME"'],
  ])("rejects %j before registering anything", async (override, message) => {
    const { CoolifyApplication } = await load();
    expect(() => new CoolifyApplication("web", { ...base, ...override })).toThrow(message);
    await registry.settled();
    expect(registry.byType("pulumi-nodejs:dynamic/coolify:Application")).toHaveLength(0);
  });

  it("derives the health URL from the URLs the provider reports", async () => {
    registry = setupMocks({
      outputs: (args) =>
        args.type === "pulumi-nodejs:dynamic/coolify:Application" ? { uuid: "app1", urls: ["https://staging.example.com"] } : undefined,
    });
    const { CoolifyApplication } = await load();
    const app = new CoolifyApplication("web", { ...base, domains: ["staging.example.com"] });
    expect(await outputOf(app.healthUrl)).toBe("https://staging.example.com/health");
    expect(await outputOf(app.urls)).toEqual(["https://staging.example.com"]);
  });

  it("allows host port mappings once rolling updates are off", async () => {
    const { CoolifyApplication } = await load();
    const app = new CoolifyApplication("web", { ...base, healthCheck: undefined, rollingUpdate: false, portMappings: ["8080:3000"] });
    await outputOf(app.uuid);
    await registry.settled();
    expect(registry.one("pulumi-nodejs:dynamic/coolify:Application").inputs).toMatchObject({ portMappings: ["8080:3000"] });
  });
});

describe("CoolifyDatabase", () => {
  it("generates the password and creates a pgvector Postgres with nightly backups", async () => {
    const { CoolifyDatabase } = await load();
    const db = new CoolifyDatabase("db", { ...placement, name: "web-db", backups: { schedule: "0 3 * * *" } });
    await outputOf(db.uuid);
    await registry.settled();
    const password = registry.one("pulumi-nodejs:dynamic/slipway:GeneratedPassword");
    expect(password.inputs).toMatchObject({ length: 32 });
    const res = registry.one("pulumi-nodejs:dynamic/coolify:Database");
    expect(res.inputs).toMatchObject({
      name: "web-db",
      image: "pgvector/pgvector:pg16",
      user: "app",
      databaseName: "app",
      backup: { schedule: "0 3 * * *", retentionDays: 30, retentionAmount: 0 },
    });
    expect(secretValue(res.inputs.password)).toBe("mock-db-password-" + "x".repeat(32));
    expect(String(res.inputs.__provider)).toContain('key: "coolify:database"');
  });

  it("uses a given password instead of generating one, still secret", async () => {
    const { CoolifyDatabase } = await load();
    const db = new CoolifyDatabase("db", { ...placement, name: "web-db", password: "from-vault" });
    await outputOf(db.uuid);
    await registry.settled();
    expect(registry.byType("pulumi-nodejs:dynamic/slipway:GeneratedPassword")).toHaveLength(0);
    expect(secretValue(registry.one("pulumi-nodejs:dynamic/coolify:Database").inputs.password)).toBe("from-vault");
    expect(await outputWithSecrecy(db.password)).toEqual({ value: "from-vault", secret: true });
  });

  it("keeps the password and the internal URL secret", async () => {
    const { CoolifyDatabase } = await load();
    const db = new CoolifyDatabase("db", { ...placement, name: "web-db" });
    expect((await outputWithSecrecy(db.password)).secret).toBe(true);
    expect((await outputWithSecrecy(db.internalDbUrl)).secret).toBe(true);
  });

  it.each([
    [{ backups: { schedule: "nightly" } }, 'CoolifyDatabase db: backups.schedule: expected a 5-field cron expression like "0 3 * * *", or @daily (also @hourly, @weekly, @monthly, @yearly, or hourly, daily, …), got "nightly"'],
    [{ backups: { schedule: "daily", retentionDays: 0 } }, "CoolifyDatabase db: backups.retentionDays: expected an integer from 1 to 3650, got 0"],
    [{ backups: { schedule: "daily", retentionAmount: -1 } }, "CoolifyDatabase db: backups.retentionAmount: expected an integer ≥ 0, got -1"],
    [{ databaseName: "My-DB" }, 'CoolifyDatabase db: databaseName: expected a lower-case SQL identifier (letters, digits, _; up to 63 chars, not starting with a digit), got "My-DB"'],
    [
      { password: "x", passwordLength: 40 },
      "CoolifyDatabase db: password conflicts with passwordLength: passwordLength only shapes a generated password; set one of them",
    ],
    [{ passwordLength: 8 }, "CoolifyDatabase db: passwordLength: expected an integer from 16 to 128, got 8"],
    [{ image: "Not An Image" }, "CoolifyDatabase db: image: expected an image reference like pgvector/pgvector:pg16 (invalid reference format: repository name must be lowercase)"],
  ])("rejects %j", async (override, message) => {
    const { CoolifyDatabase } = await load();
    expect(() => new CoolifyDatabase("db", { ...placement, name: "web-db", ...override })).toThrow(message);
    await registry.settled();
    expect(registry.resources).toHaveLength(0);
  });
});
