/**
 * The real stack files, composed under mocks: each registers the resources its config declares, with the
 * inputs that matter, and exports the documented outputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isSecretInput, outputOf, reveal } from "../mocks";
import { DOCUMENTED_SECRETS } from "./fixtures";
import { runStack } from "./helpers";

const IMAGE = /^ghcr\.io\/acme\/shop@sha256:[0-9a-f]{64}$/;
const out = (exports: Record<string, unknown>, name: string) => outputOf(exports[name] as pulumi.Output<unknown>);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("staging (Coolify)", () => {
  it("registers project, pgvector Postgres with nightly backups, the app, and the GitHub environments (no deploy webhook)", async () => {
    const { registry, outcome } = await runStack("staging");
    if (!outcome.ok) throw outcome.error;
    expect(registry.types().filter((t) => t.includes("fly"))).toEqual([]);

    const project = registry.one("pulumi-nodejs:dynamic/coolify:Project");
    expect(project.inputs).toMatchObject({ name: "shop", environmentName: "staging" });

    const db = registry.one("pulumi-nodejs:dynamic/coolify:Database");
    expect(db.inputs).toMatchObject({ image: "pgvector/pgvector:pg16", databaseName: "shop", serverUuid: "hl0srv4k8g0wks8c0o8c4ws4" });
    expect(db.inputs.backup).toMatchObject({ schedule: "0 3 * * *", retentionDays: 30 });
    expect(registry.one("slipway:coolify:Database").protect).toBe(false);

    const app = registry.one("pulumi-nodejs:dynamic/coolify:Application");
    expect(app.inputs).toMatchObject({
      name: "shop",
      image: expect.stringMatching(IMAGE),
      domains: ["staging.example.com"],
      ports: [3000, 4000],
      portMappings: [],
      preDeploymentCommand: "npm run db:migrate",
      limits: { cpus: "1", memory: "1024m" },
      env: { NODE_ENV: "production", LOG_LEVEL: "debug", PUBLIC_URL: "https://staging.example.com" },
      healthCheck: { path: "/healthz", port: 3000, intervalSeconds: 10, timeoutSeconds: 3, startPeriodSeconds: 20 },
    });
    // Secret env travels as a Pulumi secret, including the DATABASE_URL of the database slipway created.
    expect(isSecretInput(app.inputs.secretEnv)).toBe(true);
    expect(reveal(app.inputs.secretEnv)).toEqual({
      SESSION_SECRET: DOCUMENTED_SECRETS.staging.SESSION_SECRET,
      STRIPE_API_KEY: DOCUMENTED_SECRETS.staging.STRIPE_API_KEY,
      DATABASE_URL: "postgres://app:generated@shop-db:5432/shop",
    });
    expect(JSON.stringify(app.inputs.env)).not.toContain("sk_test_");

    const envs = registry.byType("github:index/repositoryEnvironment:RepositoryEnvironment");
    expect(envs.map((e) => e.inputs.environment).sort()).toEqual(["preview", "staging"]);
    expect(envs.find((e) => e.inputs.environment === "staging")?.inputs).toMatchObject({ repository: "shop", waitTimer: 0 });
    // Only staging is restricted to main; preview takes any PR branch.
    expect(registry.one("github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy").inputs).toMatchObject({ branchPattern: "main", environment: "staging" });
    const ghSecrets = registry.byType("github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret");
    expect(ghSecrets.map((s) => `${String(s.inputs.environment)}/${String(s.inputs.secretName)}`).sort()).toEqual([
      "preview/FLY_API_TOKEN", "preview/PULUMI_CONFIG_PASSPHRASE", "staging/COOLIFY_TOKEN", "staging/PULUMI_CONFIG_PASSPHRASE", "staging/SLIPWAY_GITHUB_TOKEN",
    ]);
    for (const s of ghSecrets) expect(isSecretInput(s.inputs.value)).toBe(true);
    // Coolify's GitHub webhook cannot deploy an image application (stacks/rules.ts): none is declared.
    expect(registry.byType("github:index/repositoryWebhook:RepositoryWebhook")).toEqual([]);
    expect(app.inputs.githubWebhookSecret).toBeUndefined();
    expect(app.inputs.volumes).toEqual([{ name: "media", mountPath: "/app/media" }]);
    expect(registry.one("pulumi:providers:github").inputs).toMatchObject({ owner: "acme" });

    const exports = outcome.exports;
    expect(await out(exports, "url")).toBe("https://staging.example.com");
    expect(await out(exports, "healthUrl")).toBe("https://staging.example.com/healthz");
    expect(await out(exports, "imageRef")).toMatch(IMAGE);
    expect(await out(exports, "databaseHost")).toBe("shop-db");
    expect(exports.flyAppName).toBeUndefined();
  });
});

describe("production (Fly.io)", () => {
  it("registers the app with certificates, protected Postgres on Fly, one protected volume per machine, and 5 machines", async () => {
    const { registry, outcome } = await runStack("production");
    if (!outcome.ok) throw outcome.error;
    expect(registry.types().filter((t) => t.includes("coolify"))).toEqual([]);

    expect(registry.one("pulumi-nodejs:dynamic/fly:App", "fly-app").inputs).toMatchObject({ name: "shop-production", org: "acme" });
    const certs = registry.byType("pulumi-nodejs:dynamic/fly:Certificate").map((c) => c.inputs.hostname);
    expect(certs).toEqual(["shop.example.com", "www.shop.example.com"]);

    const pg = registry.one("slipway:fly:Postgres");
    expect(pg.protect).toBe(true);
    expect(registry.one("pulumi-nodejs:dynamic/fly:App", "fly-postgres-app").inputs).toMatchObject({ name: "shop-production-db" });
    expect(registry.one("pulumi-nodejs:dynamic/fly:Volume", "fly-postgres-data")).toMatchObject({ protect: true, inputs: { sizeGb: 40, region: "ewr", snapshotRetention: 30 } });

    const media = registry.byType("pulumi-nodejs:dynamic/fly:Volume").filter((v) => v.inputs.name === "media");
    expect(media).toHaveLength(5);
    for (const v of media) expect(v).toMatchObject({ protect: true, inputs: { region: "ewr", sizeGb: 20, snapshotRetention: 14 } });

    const groups = registry.byType("pulumi-nodejs:dynamic/fly:MachineGroup").filter((g) => g.name.startsWith("fly-web-"));
    expect(groups.map((g) => g.name)).toEqual(["fly-web-0", "fly-web-1", "fly-web-2", "fly-web-3", "fly-web-4"]);
    for (const [i, g] of groups.entries()) {
      expect(g.inputs).toMatchObject({
        count: 1,
        region: "ewr",
        image: expect.stringMatching(IMAGE),
        guest: { cpuKind: "shared", cpus: 2, memoryMb: 2048 },
        strategy: "rolling",
        mounts: [{ volume: `vol_fly-volume-media-${i}`, path: "/app/media" }],
      });
      const services = g.inputs.services as Array<Record<string, unknown>>;
      // min 1 running: the first machine never autostops; the others stop when idle.
      expect(services[0]).toMatchObject({ internalPort: 3000, autostart: true, autostop: i === 0 ? "off" : "stop" });
      expect(JSON.stringify(g.inputs.checks)).toContain('"path":"/healthz"');
    }
    // Each machine group waits for the previous one (its children register only after it, so they wait too):
    // an update rolls through the machines one at a time and stops at the first failure.
    const components = registry.byType("slipway:fly:MachineGroup").filter((g) => g.name.startsWith("fly-web-"));
    for (const [i, c] of components.entries()) {
      const previous = components[i - 1];
      expect(c.dependencies.some((urn) => urn.endsWith(`::fly-web-${i - 1}`))).toBe(previous !== undefined);
    }

    const release = registry.one("pulumi-nodejs:dynamic/fly:ReleaseCommand");
    expect(release.inputs).toMatchObject({ command: ["sh", "-c", "npm run db:migrate"], region: "ewr" });
    const secrets = registry.one("pulumi-nodejs:dynamic/fly:Secrets", "fly-secrets");
    expect(isSecretInput(secrets.inputs.values)).toBe(true);
    expect(Object.keys(reveal(secrets.inputs.values) as object).sort()).toEqual(["SESSION_SECRET", "STRIPE_API_KEY"]);

    const env = registry.one("github:index/repositoryEnvironment:RepositoryEnvironment");
    expect(env.inputs).toMatchObject({ environment: "production", waitTimer: 5 });
    expect((env.inputs.reviewers as Array<{ users: number[]; teams: number[] }>)[0]?.users).toHaveLength(2);
    expect(registry.one("github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy").inputs).toMatchObject({ tagPattern: "v*.*.*" });
    expect(registry.byType("github:index/repositoryWebhook:RepositoryWebhook")).toEqual([]);

    const exports = outcome.exports;
    expect(await out(exports, "url")).toBe("https://shop.example.com");
    expect(await out(exports, "urls")).toEqual(["https://shop.example.com", "https://www.shop.example.com"]);
    expect(await out(exports, "flyAppName")).toBe("shop-production");
    expect(await out(exports, "flyMachineIds")).toEqual(groups.map((g) => `m_${g.name}`));
    expect(exports.coolifyApplicationUuid).toBeUndefined();
  });
});

describe("a PR stack from Pulumi.pr.yaml", () => {
  it("is one scale-to-zero 256 MB machine with SQLite in the container, no Postgres, no volume, no GitHub", async () => {
    const { registry, outcome } = await runStack("pr");
    if (!outcome.ok) throw outcome.error;
    expect(registry.byType("slipway:fly:Postgres")).toEqual([]);
    expect(registry.byType("pulumi-nodejs:dynamic/fly:Volume")).toEqual([]);
    expect(registry.types().filter((t) => t.startsWith("github:"))).toEqual([]);
    const group = registry.one("pulumi-nodejs:dynamic/fly:MachineGroup");
    expect(group.inputs).toMatchObject({ count: 1, guest: { memoryMb: 256 }, strategy: "immediate", env: { DATABASE_URL: "file:/app/data/shop.db" } });
    expect((group.inputs.services as Array<Record<string, unknown>>)[0]).toMatchObject({ autostop: "suspend", minMachinesRunning: 0 });
    expect(await out(outcome.exports, "url")).toBe("https://shop-pr-42.fly.dev");
  });
});

describe("Fly without volumes across regions", () => {
  it("runs maxMachines per region; min running applies to the primary region, which keeps the name fly-web", async () => {
    const { stackInput, clone } = await import("./fixtures");
    const { PROVIDER_CONFIG, PROVIDER_SECRET_KEYS, runProgram } = await import("./helpers");
    const input = clone(stackInput("production"));
    input.raw["slipway:volumes"] = [];
    (input.raw["slipway:scaling"] as { fly: Record<string, unknown> }).fly.regions = ["ewr", "lhr"];
    const { registry, outcome } = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!outcome.ok) throw outcome.error;
    const groups = registry.byType("pulumi-nodejs:dynamic/fly:MachineGroup").filter((g) => g.name.startsWith("fly-web"));
    expect(groups.map((g) => [g.name, g.inputs.region, g.inputs.count])).toEqual([["fly-web", "ewr", 5], ["fly-web-lhr", "lhr", 5]]);
    const services = groups.map((g) => (g.inputs.services as Array<Record<string, unknown>>)[0]);
    expect(services.map((s) => s?.minMachinesRunning)).toEqual([1, 0]);
    expect(registry.byType("pulumi-nodejs:dynamic/fly:Volume").map((v) => v.name)).toEqual(["fly-postgres-data"]);
  });
});

describe("secrets stay secret", () => {
  /** Every string reachable in `value` that is NOT inside a Pulumi secret marker. */
  function plainStrings(value: unknown, out: string[] = []): string[] {
    if (isSecretInput(value)) return out;
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => plainStrings(v, out));
    else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => plainStrings(v, out));
    return out;
  }

  it.each(["staging", "production"] as const)("%s: no secret value or token appears outside a secret in any input or output", async (stack) => {
    const { registry, outcome } = await runStack(stack);
    if (!outcome.ok) throw outcome.error;
    const { PROVIDER_CONFIG } = await import("./helpers");
    const secrets = [...Object.values(DOCUMENTED_SECRETS[stack]), PROVIDER_CONFIG["coolify:token"], PROVIDER_CONFIG["fly:token"], PROVIDER_CONFIG["github:token"]] as string[];
    const plain = registry.resources.flatMap((r) => plainStrings(Object.fromEntries(Object.entries(r.inputs).filter(([k]) => k !== "__provider"))));
    for (const name of Object.keys(outcome.exports)) {
      const v = outcome.exports[name];
      if (v !== undefined && typeof v === "object" && "apply" in (v as object)) plain.push(...plainStrings(await outputOf(v as pulumi.Output<unknown>)));
    }
    expect(plain.length).toBeGreaterThan(20);
    for (const s of secrets) expect(plain.filter((p) => p.includes(s))).toEqual([]);
  });
});
