/**
 * The bad-config corpus: one realistic mistake per case, each with the exact lines the operator sees.
 * Cases start from the real stack files (with their documented secrets) so every line is caused by the
 * one mutation, not by a half-valid fixture.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { at, clone, stackInput } from "./fixtures";
import { PROVIDER_CONFIG, PROVIDER_SECRET_KEYS, problemsOf, runProgram } from "./helpers";

afterEach(() => {
  vi.unstubAllEnvs();
});

type Stack = "staging" | "production" | "pr";
interface Case {
  name: string;
  stack: Stack;
  mutate: (raw: Record<string, unknown>, secretKeys: string[]) => void;
  problems: string[];
}

const cases: Case[] = [
  { name: "a word where a number belongs", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.minRunning = "one"; },
    problems: ['slipway:scaling.fly.minRunning: expected an integer ≥ 0, got "one"'] },
  { name: "more machines always running than allowed", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.minRunning = 6; },
    problems: ["slipway:scaling.fly.minRunning: expected at most maxMachines (5), got 6"] },
  { name: "health check on an undeclared port", stack: "staging", mutate: (r) => { at(r, "slipway:app").healthCheck.port = 5000; },
    problems: ["slipway:app.healthCheck.port: expected one of the declared ports (3000, 4000), got 5000"] },
  { name: "health check timeout not shorter than its interval", stack: "staging", mutate: (r) => { at(r, "slipway:app").healthCheck.timeoutSeconds = 10; },
    problems: ["slipway:app.healthCheck.timeoutSeconds: expected less than intervalSeconds (10), got 10"] },
  { name: "port out of range", stack: "staging", mutate: (r) => { at(r, "slipway:app").ports.http = 70000; },
    problems: ["slipway:app.ports.http: expected an integer from 1 to 65535, got 70000"] },
  { name: "internal port repeats the public port", stack: "staging", mutate: (r) => { at(r, "slipway:app").ports.internal = [3000]; },
    problems: ["slipway:app.ports.internal[0]: expected a port other than the public http port 3000, got 3000"] },
  { name: "typo in a key", stack: "staging", mutate: (r) => { const app = at(r, "slipway:app"); app.prots = app.ports; delete app.ports; },
    problems: [
      "slipway:app.ports: expected an object (a YAML map), got nothing",
      "slipway:app.prots: unknown key, expected one of: name, ports, healthCheck, env, secretEnv, releaseCommand, healthGate, resources",
    ] },
  { name: "unknown top-level key", stack: "staging", mutate: (r) => { r["slipway:domain"] = "staging.example.com"; },
    problems: ["slipway:domain: unknown key, expected one of: slipway:app, slipway:image, slipway:targets, slipway:database, slipway:volumes, slipway:domains, slipway:scaling, slipway:github, slipway:notifications, slipway:secrets, slipway:release"] },
  { name: "required key missing", stack: "production", mutate: (r) => { delete r["slipway:image"]; },
    problems: ["slipway:image: expected this key to be set, got nothing"] },
  { name: "domain with a scheme", stack: "staging", mutate: (r) => { r["slipway:domains"] = ["http://staging.example.com"]; },
    problems: ['slipway:domains[0]: expected a bare host name without "http://" (slipway always serves https), got "http://staging.example.com"'] },
  { name: "domain that is not a host name", stack: "staging", mutate: (r) => { r["slipway:domains"] = ["staging_example.com:8443"]; },
    problems: ['slipway:domains[0]: expected a lower-case host name like app.example.com (no port, path or wildcard), got "staging_example.com:8443"'] },
  { name: "same domain twice", stack: "production", mutate: (r) => { r["slipway:domains"] = ["shop.example.com", "shop.example.com"]; },
    problems: ['slipway:domains[1]: expected each domain once, got "shop.example.com" again'] },
  { name: "image by tag instead of digest", stack: "staging", mutate: (r) => { at(r, "slipway:image").ref = "ghcr.io/acme/shop:latest"; },
    problems: ['slipway:image.ref: expected an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>, got "ghcr.io/acme/shop:latest"'] },
  { name: "unknown image kind", stack: "staging", mutate: (r) => { at(r, "slipway:image").kind = "docker"; },
    problems: ['slipway:image.kind: expected an image with kind one of "build", "pinned", "fromStack", "flox", got "docker"'] },
  { name: "no target at all", stack: "production", mutate: (r) => { r["slipway:targets"] = {}; delete at(r, "slipway:scaling").fly; },
    problems: ["slipway:targets: expected at least one of coolify, fly, got neither"] },
  { name: "Fly target without Fly scaling", stack: "production", mutate: (r) => { r["slipway:scaling"] = {}; },
    problems: ["slipway:scaling.fly: expected Fly scaling (regions, guest, machines) for the fly target, got nothing"] },
  { name: "bluegreen with an attached volume", stack: "production", mutate: (r) => { const f = at(r, "slipway:scaling").fly; f.strategy = "bluegreen"; delete f.maxUnavailable; },
    problems: ['slipway:scaling.fly.strategy: expected "rolling" or "immediate" when volumes are mounted (Fly cannot start a second machine on an attached volume), got "bluegreen"'] },
  { name: "volumes across two regions", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.regions = ["ewr", "lhr"]; },
    problems: ['slipway:scaling.fly.regions: expected exactly one region when volumes are mounted (each machine gets its own volume in that region), got ["ewr","lhr"]'] },
  { name: "canary without a health check", stack: "pr", mutate: (r) => { const app = at(r, "slipway:app"); delete app.healthCheck; app.healthGate = { off: true, reason: "no health endpoint yet" }; at(r, "slipway:scaling").fly.strategy = "canary"; },
    problems: ['slipway:scaling.fly.strategy: expected a health check in slipway:app.healthCheck for "canary" (Fly moves traffic only after checks pass), got none'] },
  { name: "maxUnavailable with a non-rolling strategy", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.strategy = "immediate"; },
    problems: ['slipway:scaling.fly.maxUnavailable: expected it only with strategy "rolling", got 1 with "immediate"'] },
  { name: "suspend on a 4 GB machine", stack: "production", mutate: (r) => { const f = at(r, "slipway:scaling").fly; f.autostop = "suspend"; f.guest.memoryMb = 4096; },
    problems: ['slipway:scaling.fly.autostop: expected "stop" or "off" for machines over 2048 MB (Fly suspends only machines with ≤ 2 GB), got "suspend"'] },
  { name: "more memory than Fly gives 2 shared CPUs", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.guest.memoryMb = 8192; },
    problems: ["slipway:scaling.fly.guest.memoryMb: expected 512–4096 MB for 2 shared CPUs, got 8192"] },
  { name: "a CPU count Fly does not sell", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.guest.cpus = 3; },
    problems: ["slipway:scaling.fly.guest.cpus: expected one of 1, 2, 4, 6, 8 for shared CPUs, got 3"] },
  // Fly's own limits (components/fly/limits.ts), the same rules the Fly emulator refuses with Fly's statuses.
  { name: "a typo in a Fly region", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.regions = ["ewrr"]; },
    problems: ['slipway:scaling.fly.regions[0]: expected a Fly region (ams, arn, bom, cdg, dfw, ewr, fra, gru, iad, jnb, lax, lhr, nrt, ord, sin, sjc, syd, yyz), got "ewrr"'] },
  { name: "a region Fly retired", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.regions = ["bos"]; },
    problems: ['slipway:scaling.fly.regions[0]: expected a Fly region (ams, arn, bom, cdg, dfw, ewr, fra, gru, iad, jnb, lax, lhr, nrt, ord, sin, sjc, syd, yyz; Fly retired bos into ewr), got "bos"'] },
  { name: "64 GB on one shared CPU", stack: "production", mutate: (r) => { const g = at(r, "slipway:scaling").fly.guest; g.cpus = 1; g.memoryMb = 65536; },
    problems: ["slipway:scaling.fly.guest.memoryMb: expected 256–2048 MB for 1 shared CPU, got 65536"] },
  { name: "performance memory off the 1 GB steps", stack: "production", mutate: (r) => { const g = at(r, "slipway:scaling").fly.guest; g.cpuKind = "performance"; g.memoryMb = 4352; },
    problems: ["slipway:scaling.fly.guest.memoryMb: expected a multiple of 1024 MB for performance CPUs, got 4352"] },
  { name: "a CPU kind Fly does not have", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.guest.cpuKind = "quantum"; },
    problems: ['slipway:scaling.fly.guest.cpuKind: expected one of "shared", "performance", got "quantum"'] },
  { name: "a malformed Postgres image", stack: "production", mutate: (r) => { at(r, "slipway:database").image = "NOT A::valid image@@"; },
    problems: ['slipway:database.image: expected a Postgres image like pgvector/pgvector:pg16 (invalid reference format: repository name must be lowercase), got "NOT A::valid image@@"'] },
  { name: "memory not in 256 MB steps", stack: "production", mutate: (r) => { at(r, "slipway:scaling").fly.guest.memoryMb = 1000; },
    problems: ["slipway:scaling.fly.guest.memoryMb: expected a multiple of 256 MB for shared CPUs, got 1000"] },
  { name: "scale to zero with autostart off", stack: "pr", mutate: (r) => { at(r, "slipway:scaling").fly.autostart = false; },
    problems: ["slipway:scaling.fly.autostart: expected true when minRunning is 0 (nothing would start a stopped machine again), got false"] },
  { name: "autostop value from fly.toml habits", stack: "pr", mutate: (r) => { at(r, "slipway:scaling").fly.autostop = true; },
    problems: ['slipway:scaling.fly.autostop: expected one of "off", "stop", "suspend", got true'] },
  { name: "Coolify rolling update without a health check", stack: "staging", mutate: (r) => { const app = at(r, "slipway:app"); delete app.healthCheck; app.healthGate = { off: true, reason: "no health endpoint yet" }; },
    problems: ["slipway:scaling.coolify.healthGatedRollingUpdate: expected a health check in slipway:app.healthCheck (Coolify rolls only when it passes), got none"] },
  { name: "Coolify rolling update with host port mappings", stack: "staging", mutate: (r) => { at(r, "slipway:targets").coolify.portMappings = ["8080:3000"]; },
    problems: ['slipway:targets.coolify.portMappings: expected no host port mappings with healthGatedRollingUpdate (Coolify cannot run two containers on one host port), got ["8080:3000"]'] },
  { name: "DATABASE_URL declared while slipway manages Postgres", stack: "staging", mutate: (r) => { at(r, "slipway:app").secretEnv.push("DATABASE_URL"); at(r, "slipway:secrets").DATABASE_URL = "postgres://app:pw@db:5432/app"; },
    problems: ['slipway:app.secretEnv[2]: expected no DATABASE_URL: slipway sets it from slipway:database (postgres), got "DATABASE_URL"'] },
  { name: "SQLite outside any volume without accepting data loss", stack: "pr", mutate: (r) => { at(r, "slipway:database").ephemeral = false; },
    problems: ['slipway:database.path: expected a path inside a volume\'s mountPath (none declared), or ephemeral: true to accept losing the data on every deploy, got "/app/data/shop.db"'] },
  { name: "Postgres version disagreeing with the image tag", stack: "staging", mutate: (r) => { at(r, "slipway:database").version = 15; },
    problems: ["slipway:database.version: expected 16 to match the image tag pg16, got 15"] },
  { name: "backup retention longer than Fly keeps snapshots", stack: "production", mutate: (r) => { at(r, "slipway:database").backups.retentionDays = 90; },
    problems: ["slipway:database.backups.retentionDays: expected at most 60 with the fly target (Fly keeps volume snapshots 1–60 days), got 90"] },
  { name: "backup schedule in prose", stack: "staging", mutate: (r) => { at(r, "slipway:database").backups.schedule = "every night"; },
    problems: ['slipway:database.backups.schedule: expected a 5-field cron expression like "0 3 * * *", or @daily (also @hourly, @weekly, @monthly, @yearly, or hourly, daily, …), got "every night"'] },
  { name: "unknown database kind", stack: "staging", mutate: (r) => { at(r, "slipway:database").kind = "mysql"; },
    problems: ['slipway:database.kind: expected a database with kind one of "postgres", "sqlite", "flyManaged", "none", got "mysql"'] },
  { name: "volume snapshot retention over 60 days", stack: "production", mutate: (r) => { (r["slipway:volumes"] as Array<Record<string, unknown>>)[0]!.snapshotRetentionDays = 90; },
    problems: ["slipway:volumes[0].snapshotRetentionDays: expected an integer from 1 to 60, got 90"] },
  { name: "two volumes on one mount path", stack: "staging", mutate: (r) => { (r["slipway:volumes"] as unknown[]).push({ name: "uploads", mountPath: "/app/media" }); },
    problems: ['slipway:volumes[1].mountPath: expected a unique mount path, got "/app/media" again'] },
  { name: "Fly app name with capitals", stack: "production", mutate: (r) => { at(r, "slipway:targets").fly.appName = "Shop"; },
    problems: ['slipway:targets.fly.appName: expected a Fly app name (lower-case letters, digits, -; up to 63 chars, not starting or ending with -), got "Shop"'] },
  { name: "deployment policy with branches and tags", stack: "production", mutate: (r) => { at(r, "slipway:github").deploymentPolicy.branches = ["main"]; },
    problems: ["slipway:github.deploymentPolicy: expected exactly one of branches, tags, got both"] },
  { name: "more reviewers than GitHub allows", stack: "production", mutate: (r) => { at(r, "slipway:github").reviewers.users = ["a", "b", "c", "d", "e", "f"]; },
    problems: ["slipway:github.reviewers: expected at most 6 users and teams (GitHub's limit), got 7"] },
  { name: "wait timer over GitHub's 30 days", stack: "production", mutate: (r) => { at(r, "slipway:github").waitTimerMinutes = 50000; },
    problems: ["slipway:github.waitTimerMinutes: expected an integer from 0 to 43200, got 50000"] },
  { name: "a deploy webhook (Coolify's GitHub webhook cannot deploy image applications)", stack: "production", mutate: (r) => { at(r, "slipway:github").webhook = { events: ["push"] }; },
    problems: ["slipway:github.webhook: expected no webhook: Coolify's GitHub webhook deploys only applications it builds from a git repository and branch, and slipway's run a docker image (releases deploy through slipway deploy in the workflows), got a webhook"] },
  { name: "a declared secret with no value", stack: "production", mutate: (r) => { delete at(r, "slipway:secrets").STRIPE_API_KEY; },
    problems: ["slipway:secrets.STRIPE_API_KEY: expected a secret value (listed in slipway:app.secretEnv), got nothing — use `pulumi config set --secret --path 'slipway:secrets.STRIPE_API_KEY' <value>`"] },
  { name: "a secret nobody uses (typo in the name)", stack: "production", mutate: (r) => { at(r, "slipway:secrets").SESION_SECRET = "x"; },
    problems: ["slipway:secrets.SESION_SECRET: expected a name listed in slipway:app.secretEnv, slipway:github.secrets or slipway:notifications, got an unused secret"] },
  { name: "a name both plain and secret", stack: "staging", mutate: (r) => { at(r, "slipway:app").env.SESSION_SECRET = ""; },
    problems: ['slipway:app.secretEnv[0]: expected a name not also set in slipway:app.env, got "SESSION_SECRET"'] },
  { name: "an env var name with a dash", stack: "staging", mutate: (r) => { at(r, "slipway:app").env["log-level"] = "debug"; },
    problems: ['slipway:app.env["log-level"]: expected an environment variable name (letters, digits, _; not starting with a digit), got "log-level"'] },
  { name: "GitHub secret in the reserved GITHUB_ namespace", stack: "production", mutate: (r) => { at(r, "slipway:github").secrets = ["GITHUB_DEPLOY_KEY"]; },
    problems: ['slipway:github.secrets[0]: expected a GitHub secret or variable name (letters, digits, _; not starting with GITHUB_), got "GITHUB_DEPLOY_KEY"'] },
  { name: "a GitHub secret that is also a variable", stack: "production", mutate: (r) => { const g = at(r, "slipway:github"); g.variables.fly_region = "ewr"; g.secrets.push("FLY_REGION"); at(r, "slipway:secrets").FLY_REGION = "ewr"; },
    problems: ['slipway:github.secrets[3]: expected a name that is not also a variable (GitHub compares them upper-cased), got "FLY_REGION"'] },
  { name: "an additional environment named like the main one", stack: "staging", mutate: (r) => { at(r, "slipway:github").additionalEnvironments[0].name = "staging"; },
    problems: ['slipway:github.additionalEnvironments[0].name: expected a name not used by another environment of this stack, got "staging"'] },
];

describe("bad config: exact messages, one mistake per case", () => {
  it("has at least 25 distinct mistakes", () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(new Set(cases.map((c) => c.problems.join("\n"))).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)("$name", async ({ stack, mutate, problems }) => {
    const input = clone(stackInput(stack));
    mutate(input.raw, input.secretKeys);
    expect(problemsOf(input)).toEqual(problems);
    // The same config through the real program entry: the same lines, and nothing registered.
    const run = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (run.outcome.ok) throw new Error("the program accepted the config");
    expect((run.outcome.error as ConfigError).problems).toEqual(problems);
    expect(run.registry.resources).toEqual([]);
  });
});

describe("several mistakes at once", () => {
  it("lists every invalid path in ONE error, one line each", () => {
    const input = clone(stackInput("production"));
    at(input.raw, "slipway:scaling").fly.minRunning = "one";
    at(input.raw, "slipway:app").healthCheck.path = "healthz";
    input.raw["slipway:domains"] = ["https://shop.example.com"];
    at(input.raw, "slipway:github").waitTimerMinutes = -5;
    at(input.raw, "slipway:database").kind = "postgresql";
    let error: unknown;
    try {
      parseStackConfig(input.raw, input.secretKeys);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        "invalid slipway stack config (5 problems):",
        '  slipway:app.healthCheck.path: expected an HTTP path starting with /, got "healthz"',
        '  slipway:database.kind: expected a database with kind one of "postgres", "sqlite", "flyManaged", "none", got "postgresql"',
        '  slipway:domains[0]: expected a bare host name without "https://" (slipway always serves https), got "https://shop.example.com"',
        '  slipway:scaling.fly.minRunning: expected an integer ≥ 0, got "one"',
        "  slipway:github.waitTimerMinutes: expected an integer from 0 to 43200, got -5",
      ].join("\n"),
    );
  });
});
