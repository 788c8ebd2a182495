import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { committed, DOCUMENTED_SECRETS, stackInput, type StackInput } from "./fixtures";

function problemsOf(input: StackInput): readonly string[] {
  try {
    parseStackConfig(input.raw, input.secretKeys);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("the committed stack files", () => {
  it("staging: Coolify, pgvector Postgres with nightly backups kept 30 days, environment staging from main", () => {
    const { raw, secretKeys } = stackInput("staging");
    const c = parseStackConfig(raw, secretKeys);
    expect(c.targets.coolify).toMatchObject({ projectName: "shop", environmentName: "staging", portMappings: [] });
    expect(c.targets.fly).toBeUndefined();
    expect(c.database).toMatchObject({ kind: "postgres", image: "pgvector/pgvector:pg16", backups: { schedule: "0 3 * * *", retentionDays: 30 } });
    expect(c.domains).toEqual(["staging.example.com"]);
    expect(c.github).toMatchObject({ environment: "staging", deploymentPolicy: { branches: ["main"] } });
    expect(c.github?.webhook).toBeUndefined();
    expect(c.scaling.coolify).toEqual({ healthGatedRollingUpdate: true });
    expect(c.secrets).toEqual(DOCUMENTED_SECRETS.staging);
  });

  it("production: Fly ewr, 1–5 shared-2x 2 GB machines, media volume, protected Postgres, tags v*.*.* with reviewers", () => {
    const { raw, secretKeys } = stackInput("production");
    const c = parseStackConfig(raw, secretKeys);
    expect(c.targets).toEqual({ fly: { org: "acme", appName: "shop-production" } });
    expect(c.scaling.fly).toEqual({
      regions: ["ewr"], guest: { cpuKind: "shared", cpus: 2, memoryMb: 2048 }, minRunning: 1, maxMachines: 5,
      autostart: true, autostop: "stop", strategy: "rolling", maxUnavailable: 1,
    });
    expect(c.volumes).toEqual([{ name: "media", mountPath: "/app/media", sizeGb: 20, snapshotRetentionDays: 14, protect: true }]);
    expect(c.database).toMatchObject({ kind: "postgres", protect: true, volumeSizeGb: 40 });
    expect(c.github).toMatchObject({ environment: "production", deploymentPolicy: { tags: ["v*.*.*"] }, reviewers: { users: ["alice-acme", "bob-acme"], teams: ["release-managers"] } });
    expect(c.image).toEqual({ kind: "pinned", ref: expect.stringMatching(/^ghcr\.io\/acme\/shop@sha256:[0-9a-f]{64}$/) });
  });

  it("staging and production deploy the same image (promotion is by digest)", () => {
    const s = parseStackConfig(stackInput("staging").raw, stackInput("staging").secretKeys);
    const p = parseStackConfig(stackInput("production").raw, stackInput("production").secretKeys);
    expect(p.image).toEqual(s.image);
  });

  it("the PR template, rendered for PR 42: shop-pr-42, scale to zero, 256 MB, ephemeral SQLite, no volume", () => {
    const { raw, secretKeys } = stackInput("pr");
    const c = parseStackConfig(raw, secretKeys);
    expect(c.targets.fly?.appName).toBe("shop-pr-42");
    expect(c.app.env.PUBLIC_URL).toBe("https://shop-pr-42.fly.dev");
    expect(c.scaling.fly).toMatchObject({ minRunning: 0, guest: { memoryMb: 256 } });
    expect(c.database).toEqual({ kind: "sqlite", path: "/app/data/shop.db", ephemeral: true });
    expect(c.volumes).toEqual([]);
    expect(c.github).toBeUndefined();
  });

  it("as committed (no secrets set yet), each file fails only for the secrets its header says to set", () => {
    expect(problemsOf(committed("staging"))).toEqual([
      "slipway:secrets.SESSION_SECRET: expected a secret value (listed in slipway:app.secretEnv), got nothing — use `pulumi config set --secret --path 'slipway:secrets.SESSION_SECRET' <value>`",
      "slipway:secrets.STRIPE_API_KEY: expected a secret value (listed in slipway:app.secretEnv), got nothing — use `pulumi config set --secret --path 'slipway:secrets.STRIPE_API_KEY' <value>`",
      "slipway:secrets.COOLIFY_TOKEN: expected a secret value (listed in slipway:github.secrets), got nothing — use `pulumi config set --secret --path 'slipway:secrets.COOLIFY_TOKEN' <value>`",
      "slipway:secrets.SLIPWAY_GITHUB_TOKEN: expected a secret value (listed in slipway:github.secrets), got nothing — use `pulumi config set --secret --path 'slipway:secrets.SLIPWAY_GITHUB_TOKEN' <value>`",
      "slipway:secrets.PULUMI_CONFIG_PASSPHRASE: expected a secret value (listed in slipway:github.secrets), got nothing — use `pulumi config set --secret --path 'slipway:secrets.PULUMI_CONFIG_PASSPHRASE' <value>`",
      "slipway:secrets.FLY_API_TOKEN: expected a secret value (listed in slipway:github.additionalEnvironments[0].secrets), got nothing — use `pulumi config set --secret --path 'slipway:secrets.FLY_API_TOKEN' <value>`",
    ]);
    expect(problemsOf(committed("production"))).toHaveLength(5);
  });

  it("the PR template itself is not a stack: the unsubstituted placeholder is reported, and its secrets are not in it", () => {
    expect(problemsOf(committed("pr"))).toEqual([
      'slipway:app.env.PUBLIC_URL: expected the pull-request number in place of {{pr}}, got "https://shop-pr-{{pr}}.fly.dev" — create PR stacks with `npx slipway pr up <number>`',
      'slipway:targets.fly.appName: expected the pull-request number in place of {{pr}}, got "shop-pr-{{pr}}" — create PR stacks with `npx slipway pr up <number>`',
      // `pr up` sets them from SLIPWAY_SECRET_<NAME> (infra/cli/preview-secrets.ts); the file never holds them.
      "slipway:secrets.SESSION_SECRET: expected a secret value (listed in slipway:app.secretEnv), got nothing — use `pulumi config set --secret --path 'slipway:secrets.SESSION_SECRET' <value>`",
      "slipway:secrets.STRIPE_API_KEY: expected a secret value (listed in slipway:app.secretEnv), got nothing — use `pulumi config set --secret --path 'slipway:secrets.STRIPE_API_KEY' <value>`",
    ]);
  });

  it("accepts the JSON strings the language host passes for structured values", () => {
    const { raw, secretKeys } = stackInput("production");
    const encoded = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.stringify(v)]));
    expect(parseStackConfig(encoded, secretKeys)).toEqual(parseStackConfig(raw, secretKeys));
  });
});

describe("ConfigError", () => {
  it("is a Pulumi RunError, so the engine prints the list without a stack trace", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const error = new ConfigError(["slipway:app: expected this key to be set, got nothing"]);
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error.name).toBe("ConfigError");
    expect(error.message).toBe("invalid slipway stack config (1 problem):\n  slipway:app: expected this key to be set, got nothing");
  });
});
