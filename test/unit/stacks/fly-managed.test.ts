/**
 * `slipway:database` kind `flyManaged`: what it accepts and refuses (stacks/schema.ts, stacks/rules-database.ts),
 * and what the program registers for it (stacks/compose-fly-database.ts), under mocks.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { environmentRows } from "../../../stacks/env-doc";
import { at, clone, stackInput, type StackInput } from "./fixtures";
import { isSecretInput, reveal } from "../mocks";
import { PROVIDER_CONFIG, PROVIDER_SECRET_KEYS, problemsOf, runProgram } from "./helpers";

afterEach(() => {
  vi.unstubAllEnvs();
});

function withDatabase(stack: "staging" | "production" | "pr", database: Record<string, unknown>): StackInput {
  const input = clone(stackInput(stack));
  input.raw["slipway:database"] = database;
  return input;
}

const CLUSTER = "pulumi-nodejs:dynamic/fly:ManagedPostgresCluster";
const DATABASE = "pulumi-nodejs:dynamic/fly:ManagedPostgresDatabase";
const ATTACHMENT = "pulumi-nodejs:dynamic/fly:ManagedPostgresAttachment";
const run = (input: StackInput, stack = "unit") =>
  runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS, stack });

const refusals: Array<{ name: string; stack: "staging" | "production" | "pr"; database: Record<string, unknown>; problems: string[] }> = [
  {
    name: "on the Coolify target",
    stack: "staging",
    database: { kind: "flyManaged" },
    problems: ['slipway:database.kind: expected "postgres", "sqlite" or "none" with the coolify target (Fly Managed Postgres is a Fly service; Coolify runs its own Postgres with kind "postgres"), got "flyManaged"'],
  },
  {
    name: "a backup schedule (the API has none)",
    stack: "production",
    database: { kind: "flyManaged", backups: { schedule: "0 4 * * *", retentionDays: 30 } },
    problems: ["slipway:database.backups: expected no backups with kind flyManaged: Fly Managed Postgres has no backup schedule or retention in its API (POST /v1/postgres/{id}/backups only starts one backup of a type; Fly backs the cluster up on its own), got a backup setting. Remove it; on-demand backups are `fly mpg backup create`"],
  },
  {
    name: "sizing next to forkFrom (a fork inherits it)",
    stack: "pr",
    database: { kind: "flyManaged", forkFrom: "staging", plan: "starter", diskSizeGb: 20 },
    problems: [
      'slipway:database.plan: expected no plan with forkFrom (a fork inherits the source cluster\'s settings; Fly\'s fork API takes only a name), got "starter"',
      "slipway:database.diskSizeGb: expected no diskSizeGb with forkFrom (a fork inherits the source cluster's settings; Fly's fork API takes only a name), got 20",
    ],
  },
  {
    name: "allowReplace on a protected cluster",
    stack: "production",
    database: { kind: "flyManaged", allowReplace: true },
    problems: ["slipway:database.allowReplace: expected protect: false next to allowReplace: true (a protected cluster is never replaced), got protect true"],
  },
  {
    name: "a disk below Fly's 10 GB, a plan Fly does not have, a Postgres Fly does not run",
    stack: "production",
    database: { kind: "flyManaged", diskSizeGb: 5, plan: "huge", pgMajorVersion: 15 },
    problems: [
      'slipway:database.plan: expected one of "basic", "starter", "launch", "scale", "performance", got "huge"',
      "slipway:database.diskSizeGb: expected an integer from 10 to 1000, got 5",
      "slipway:database.pgMajorVersion: expected an integer from 16 to 17, got 15",
    ],
  },
];

describe("slipway:database kind flyManaged: refusals", () => {
  it.each(refusals)("$name", async ({ stack, database, problems }) => {
    const input = withDatabase(stack, database);
    expect(problemsOf(input)).toEqual(problems);
    const r = await run(input);
    if (r.outcome.ok) throw new Error("the program accepted the config");
    expect((r.outcome.error as ConfigError).problems).toEqual(problems);
    expect(r.registry.resources).toEqual([]);
  });
});

describe("slipway:database kind flyManaged: composition", () => {
  it("a cluster in the primary region, the database with pgvector, the app's user, DATABASE_URL as a secret; protected", async () => {
    const r = await run(withDatabase("production", { kind: "flyManaged", databaseName: "shop", plan: "performance", diskSizeGb: 40 }), "production");
    if (!r.outcome.ok) throw r.outcome.error;
    const cluster = r.registry.one(CLUSTER);
    expect(cluster.inputs).toMatchObject({ org: "acme", name: "shop-production-db", region: "ewr", plan: "Performance", diskSizeGb: 40, pgMajorVersion: "16", allowReplace: false });
    expect(cluster.inputs.forkFrom).toBeUndefined();
    expect(r.registry.one(DATABASE).inputs).toMatchObject({ name: "shop", extensions: ["vector"] });
    expect(r.registry.one(ATTACHMENT).inputs).toMatchObject({ app: "shop-production", username: "shop_production", role: "schema_admin", database: "shop" });
    const secret = r.registry.one("pulumi-nodejs:dynamic/fly:Secrets", "fly-managed-postgres-secret");
    expect(secret.inputs.app).toBe("shop-production");
    expect(isSecretInput(secret.inputs.values)).toBe(true);
    expect(Object.keys(reveal(secret.inputs.values) as Record<string, unknown>)).toEqual(["DATABASE_URL"]);
    // The component is protected, and its children inherit it: destroy and replacement are refused by the engine.
    expect(r.registry.one("slipway:fly:ManagedPostgres").protect).toBe(true);
    expect([CLUSTER, DATABASE, ATTACHMENT].map((t) => r.registry.one(t).protect)).toEqual([true, true, true]);
    // No Postgres app of slipway's own, and the cluster id is a stack output for forks.
    expect(r.registry.byType("slipway:fly:Postgres")).toEqual([]);
    expect(r.outcome.exports).toHaveProperty("flyManagedPostgresClusterId");
  });

  it("forkFrom reads the source stack's cluster id and forks it; unprotected, replaceable", async () => {
    const r = await runProgram(withDatabase("pr", { kind: "flyManaged", forkFrom: "acme/slipway/staging", databaseName: "shop" }), {
      config: PROVIDER_CONFIG,
      secretKeys: PROVIDER_SECRET_KEYS,
      stack: "pr-42",
    });
    if (!r.outcome.ok) throw r.outcome.error;
    expect(r.registry.one("pulumi:pulumi:StackReference").inputs).toMatchObject({ name: "acme/slipway/staging" });
    const cluster = r.registry.one(CLUSTER);
    expect(cluster.inputs).toMatchObject({ allowReplace: true });
    expect(cluster.inputs.region).toBeUndefined();
    expect(cluster.inputs.plan).toBeUndefined();
    expect(r.registry.one("slipway:fly:ManagedPostgres").protect).toBe(false);
    expect(r.registry.one(CLUSTER).protect).toBe(false);
  });

  it("accepts the production stack with flyManaged and no migration problem with a release command", () => {
    const config = parseStackConfig(withDatabase("production", { kind: "flyManaged" }).raw, stackInput("production").secretKeys);
    expect(config.database).toMatchObject({ kind: "flyManaged", databaseName: "app", extensions: ["vector"], endpoint: "pooler" });
    expect(at(stackInput("production").raw, "slipway:app").releaseCommand).toBeDefined();
  });

  it("the runbook's environment table says where DATABASE_URL comes from, never its value", () => {
    const raw = withDatabase("pr", { kind: "flyManaged", forkFrom: "acme/slipway/staging" }).raw;
    expect(environmentRows(raw).find((r) => r.name === "DATABASE_URL")).toEqual({
      name: "DATABASE_URL",
      value: "*secret*",
      source: "slipway:database (flyManaged: set on the app as a Fly secret, the app's own user on a fork of acme/slipway/staging's cluster)",
    });
  });
});
