/**
 * Configs every platform accepts but that make a deploy do the wrong thing silently (stacks/rules-deploy.ts):
 * refused with what to do instead, before any resource is registered.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { at, clone, stackInput } from "./fixtures";
import { PROVIDER_CONFIG, PROVIDER_SECRET_KEYS, problemsOf, runProgram } from "./helpers";

afterEach(() => {
  vi.unstubAllEnvs();
});

const vol = (r: Record<string, unknown>) => (r["slipway:volumes"] as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
const GATE = "healthGate: { off: true, reason: <why> } to deploy without the gate (slipway deploy would skip it and never roll back)";

const cases: Array<{ name: string; stack: "staging" | "production" | "pr"; mutate: (r: Record<string, unknown>) => void; problems: string[] }> = [
  {
    name: "a release command migrating SQLite on Fly",
    stack: "pr",
    mutate: (r) => { at(r, "slipway:app").releaseCommand = "npm run db:migrate"; },
    problems: [
      'slipway:app.releaseCommand: expected no releaseCommand with SQLite on Fly (the release machine mounts no volume, so it would migrate a throwaway copy of /app/data/shop.db): run the migration in the image\'s start command (e.g. CMD ["sh", "-c", "npm run db:migrate && npm start"]) or use slipway:database kind "postgres", got "npm run db:migrate"',
    ],
  },
  {
    name: "SQLite on a Fly volume with a release command (the release machine still mounts none)",
    stack: "production",
    mutate: (r) => { r["slipway:database"] = { kind: "sqlite", path: "/app/media/shop.db" }; },
    problems: [
      'slipway:app.releaseCommand: expected no releaseCommand with SQLite on Fly (the release machine mounts no volume, so it would migrate a throwaway copy of /app/media/shop.db): run the migration in the image\'s start command (e.g. CMD ["sh", "-c", "npm run db:migrate && npm start"]) or use slipway:database kind "postgres", got "npm run db:migrate"',
    ],
  },
  {
    name: "Coolify without a domain: no health URL to gate on",
    stack: "staging",
    mutate: (r) => { r["slipway:domains"] = []; },
    problems: [`slipway:app.healthGate: expected a domain in slipway:domains so the health gate can poll it, or ${GATE}, got a coolify target without any slipway:domains (no URL to poll)`],
  },
  {
    name: "no health check on Fly",
    stack: "production",
    mutate: (r) => { delete at(r, "slipway:app").healthCheck; },
    problems: [`slipway:app.healthGate: expected a health check in slipway:app.healthCheck so the health gate can poll it, or ${GATE}, got no slipway:app.healthCheck`],
  },
  {
    name: "healthGate off without a reason",
    stack: "staging",
    mutate: (r) => { r["slipway:domains"] = []; at(r, "slipway:app").healthGate = { off: true }; },
    problems: ["slipway:app.healthGate.reason: expected why deploys of this stack may skip the health gate, got nothing"],
  },
  {
    name: "healthGate off: false",
    stack: "staging",
    mutate: (r) => { at(r, "slipway:app").healthGate = { off: false, reason: "x" }; },
    problems: ["slipway:app.healthGate.off: expected true (the only way to turn the gate off), got false"],
  },
  {
    name: "a size on a Coolify volume",
    stack: "staging",
    mutate: (r) => { vol(r).sizeGb = 10; },
    problems: ["slipway:volumes[0].sizeGb: expected no sizeGb on Coolify (a Coolify volume is a Docker volume on the server and has no size — Coolify v4.3.10 app/Models/LocalPersistentVolume.php), got 10"],
  },
  {
    name: "snapshot retention on a Coolify volume",
    stack: "staging",
    mutate: (r) => { vol(r).snapshotRetentionDays = 7; },
    problems: ["slipway:volumes[0].snapshotRetentionDays: expected backups: { schedule, retentionDays } instead on Coolify (it has no volume snapshots; it runs scheduled volume backups — Coolify v4.3.10 app/Http/Controllers/Api/VolumeBackupsController.php), got 7"],
  },
  {
    name: "a backup schedule on a Fly volume",
    stack: "production",
    mutate: (r) => { vol(r).backups = { schedule: "0 3 * * *", retentionDays: 7 }; },
    problems: ["slipway:volumes[0].backups: expected snapshotRetentionDays instead on Fly (Fly snapshots every volume daily on its own schedule; only the retention is set), got a backup schedule"],
  },
  {
    name: "a Fly volume without a size",
    stack: "production",
    mutate: (r) => { delete vol(r).sizeGb; },
    problems: ["slipway:volumes[0].sizeGb: expected a size in GB for the fly target (a Fly volume has a fixed size), got nothing"],
  },
  {
    name: "a notification webhook whose URL secret was never set",
    stack: "production",
    mutate: (r) => { r["slipway:notifications"] = { webhook: { urlSecret: "DEPLOY_WEBHOOK_URL" } }; },
    problems: ["slipway:secrets.DEPLOY_WEBHOOK_URL: expected a secret value (listed in slipway:notifications.webhook.urlSecret), got nothing — use `pulumi config set --secret --path 'slipway:secrets.DEPLOY_WEBHOOK_URL' <value>`"],
  },
  {
    name: "an SMTP user without a password secret",
    stack: "production",
    mutate: (r) => { r["slipway:notifications"] = { email: { host: "smtp.acme.example", user: "deploys", from: "deploys@acme.example", to: ["oncall@acme.example"] } }; },
    problems: ["slipway:notifications.email.passwordSecret: expected user and passwordSecret together (SMTP authentication needs both; leave both out for an open relay), got only user"],
  },
  {
    name: "a notification event that does not exist",
    stack: "production",
    mutate: (r) => { r["slipway:notifications"] = { events: ["release"] }; },
    problems: ['slipway:notifications.events[0]: expected one of "deploy", "rollback", "automatic-rollback", got "release"'],
  },
];

describe("configs that would deploy wrongly without a word", () => {
  it.each(cases)("$name", async ({ stack, mutate, problems }) => {
    const input = clone(stackInput(stack));
    mutate(input.raw);
    expect(problemsOf(input)).toEqual(problems);
    const run = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (run.outcome.ok) throw new Error("the program accepted the config");
    expect((run.outcome.error as ConfigError).problems).toEqual(problems);
    expect(run.registry.resources).toEqual([]);
  });

  it("accepts the gate turned off with a reason, and exports the reason for slipway deploy", async () => {
    const input = clone(stackInput("staging"));
    input.raw["slipway:domains"] = [];
    at(input.raw, "slipway:app").healthGate = { off: true, reason: "LAN-only staging, smoke-tested by hand" };
    const config = parseStackConfig(input.raw, input.secretKeys);
    expect(config.app.healthGate).toEqual({ off: true, reason: "LAN-only staging, smoke-tested by hand" });
    const run = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!run.outcome.ok) throw run.outcome.error;
    expect(run.outcome.exports.healthGateOff).toBe("LAN-only staging, smoke-tested by hand");
  });

  it("a Coolify volume's backups become a Coolify volume backup schedule; a Fly volume keeps its snapshots", async () => {
    const staging = await runProgram(stackInput("staging"), { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!staging.outcome.ok) throw staging.outcome.error;
    expect(staging.registry.one("pulumi-nodejs:dynamic/coolify:VolumeBackup").inputs).toMatchObject({ volume: "media", schedule: "30 3 * * *", retentionDays: 14, applicationUuid: "app-uuid" });
    const production = await runProgram(stackInput("production"), { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!production.outcome.ok) throw production.outcome.error;
    expect(production.registry.byType("pulumi-nodejs:dynamic/coolify:VolumeBackup")).toEqual([]);
    const media = production.registry.byType("pulumi-nodejs:dynamic/fly:Volume").filter((v) => v.name.startsWith("fly-volume-media"));
    expect(media.map((v) => [v.inputs.sizeGb, v.inputs.snapshotRetention])).toEqual(Array(5).fill([20, 14]));
  });

  it("accepts notifications whose credentials are secure slipway:secrets entries", () => {
    const input = clone(stackInput("production"));
    input.raw["slipway:notifications"] = {
      email: { host: "smtp.acme.example", user: "deploys", passwordSecret: "SMTP_PASSWORD", from: "deploys@acme.example", to: ["oncall@acme.example"] },
      webhook: { urlSecret: "DEPLOY_WEBHOOK_URL" },
    };
    Object.assign(at(input.raw, "slipway:secrets"), { SMTP_PASSWORD: "p", DEPLOY_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/X" });
    expect(parseStackConfig(input.raw, input.secretKeys).notifications).toMatchObject({
      events: ["deploy", "rollback", "automatic-rollback"],
      githubDeployments: true,
      email: { port: 587, tls: false, passwordSecret: "SMTP_PASSWORD" },
    });
  });

  it("the committed stacks gate every deploy", async () => {
    for (const stack of ["staging", "production", "pr"] as const) {
      expect(parseStackConfig(stackInput(stack).raw, stackInput(stack).secretKeys).app.healthGate).toBeUndefined();
    }
  });
});
