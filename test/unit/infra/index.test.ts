/**
 * The program entry fails before ANY resource is registered when the config or the credentials are wrong,
 * with one message listing every problem.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../stacks/config";
import type * as pulumi from "@pulumi/pulumi";
import { isSecretInput, outputOf, reveal } from "../mocks";
import { at, clone, ROOT, stackInput } from "../stacks/fixtures";
import { PROVIDER_CONFIG, PROVIDER_SECRET_KEYS, runProgram } from "../stacks/helpers";

afterEach(() => {
  vi.unstubAllEnvs();
});

function problems(outcome: Awaited<ReturnType<typeof runProgram>>["outcome"]): readonly string[] {
  if (outcome.ok) throw new Error("expected the program to fail");
  // infra/index.ts is imported fresh per test, so its ConfigError is a different class object than ours.
  expect((outcome.error as Error).name).toBe("ConfigError");
  return (outcome.error as ConfigError).problems;
}

describe("infra/index.ts refuses to start", () => {
  it("on bad config: every problem in one error, zero resources registered", async () => {
    const input = clone(stackInput("production"));
    at(input.raw, "slipway:scaling").fly.minRunning = "one";
    input.raw["slipway:domains"] = ["http://shop.example.com"];
    const { registry, outcome } = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    expect(problems(outcome)).toEqual([
      'slipway:domains[0]: expected a bare host name without "http://" (slipway always serves https), got "http://shop.example.com"',
      'slipway:scaling.fly.minRunning: expected an integer ≥ 0, got "one"',
    ]);
    expect(registry.resources).toEqual([]);
  });

  it("on a plaintext secret in the stack file, without echoing it", async () => {
    const input = clone(stackInput("staging"));
    at(input.raw, "slipway:app").env.SMTP_PASSWORD = "hunter2-hunter2";
    const { registry, outcome } = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    expect(problems(outcome)).toEqual([
      "slipway:app.env.SMTP_PASSWORD: expected no secret in plaintext config, got a string (15 chars) — use `pulumi config set --secret --path 'slipway:secrets.SMTP_PASSWORD' <value>` and list SMTP_PASSWORD in slipway:app.secretEnv",
    ]);
    expect((outcome as { error: Error }).error.message).not.toContain("hunter2");
    expect(registry.resources).toEqual([]);
  });

  it("when the configured targets have no credentials (config or environment)", async () => {
    const { registry, outcome } = await runProgram(stackInput("staging"));
    expect(problems(outcome)).toEqual([
      "coolify:url: expected the Coolify API URL for slipway:targets.coolify (e.g. https://coolify.example.com/api/v1), got nothing — run `pulumi config set coolify:url <url>` or set COOLIFY_URL",
      "coolify:token: expected a Coolify API token for slipway:targets.coolify, got nothing — run `pulumi config set --secret coolify:token <token>` or set COOLIFY_TOKEN",
      "github:token: expected a GitHub token for slipway:github, got nothing — run `pulumi config set --secret github:token <token>` or set GITHUB_TOKEN",
    ]);
    expect(registry.resources).toEqual([]);
  });

  it("when a platform token is plaintext provider config, or a URL is plain http to a remote host", async () => {
    const { registry, outcome } = await runProgram(stackInput("production"), {
      config: { "fly:token": "fo1_plaintext_token_value", "fly:apiUrl": "http://api.machines.dev", "github:token": PROVIDER_CONFIG["github:token"] as string },
      secretKeys: ["github:token"],
    });
    expect(problems(outcome)).toEqual([
      'fly:apiUrl: expected an https:// URL (http:// only for localhost), got "http://api.machines.dev"',
      "fly:token: expected a secure value, got a plaintext string (25 chars) — use `pulumi config set --secret fly:token <token>`",
    ]);
    expect(registry.resources).toEqual([]);
  });

  it("takes credentials from the environment when provider config has none, as secrets", async () => {
    const { registry, outcome } = await runProgram(stackInput("production"), {
      env: { FLY_API_TOKEN: "fo1_from_the_environment", FLY_API_URL: "http://127.0.0.1:4010", GITHUB_TOKEN: "ghp_from_the_environment" },
    });
    if (!outcome.ok) throw outcome.error;
    const app = registry.one("pulumi-nodejs:dynamic/fly:App", "fly-app");
    expect(isSecretInput(app.inputs.connection)).toBe(true);
    expect(reveal(app.inputs.connection)).toEqual({ apiUrl: "http://127.0.0.1:4010", token: "fo1_from_the_environment" });
    expect(reveal(registry.one("pulumi:providers:github").inputs.token)).toBe("ghp_from_the_environment");
  });

  it("on slipway:github.webhook, saying why: Coolify's GitHub webhook cannot deploy an image application", async () => {
    const input = clone(stackInput("staging"));
    at(input.raw, "slipway:github").webhook = { events: ["push"] };
    const { registry, outcome } = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    expect(problems(outcome)).toEqual([
      "slipway:github.webhook: expected no webhook: Coolify's GitHub webhook deploys only applications it builds from a git repository and branch, and slipway's run a docker image (releases deploy through slipway deploy in the workflows), got a webhook",
    ]);
    expect(registry.resources).toEqual([]);
  });
});

describe("the image of a run", () => {
  const build = { kind: "build", registry: "ghcr.io", repository: "acme/shop" };

  it("a kind build stack outside a release (no commit) builds nothing and hands the release resource the reason", async () => {
    const input = clone(stackInput("pr"));
    input.raw["slipway:image"] = build;
    const { registry, outcome } = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!outcome.ok) throw outcome.error;
    expect(registry.byType("docker-build:index:Image")).toEqual([]);
    expect(registry.one("pulumi-nodejs:dynamic/slipway:Release").inputs).toMatchObject({
      pinned: false,
      unavailable: 'slipway:image: kind "build" is built only by a release, and stack unit has none yet; run: npx slipway deploy unit',
    });
  });

  it("in a release, a kind build stack builds the release's commit and pins the digest it pushed", async () => {
    const input = clone(stackInput("pr"));
    input.raw["slipway:image"] = build;
    input.raw["slipway:release"] = { commit: "0123456789abcdef0123456789abcdef01234567" };
    const { registry, outcome } = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!outcome.ok) throw outcome.error;
    expect(registry.one("docker-build:index:Image").inputs.tags).toEqual(["ghcr.io/acme/shop:0123456789abcdef0123456789abcdef01234567", "ghcr.io/acme/shop:unit"]);
    expect(registry.one("pulumi-nodejs:dynamic/slipway:Release").inputs).toMatchObject({ pinned: true, commit: "0123456789abcdef0123456789abcdef01234567" });
  });

  it("a release's recorded image wins over every kind and is never rebuilt (rollback of a build stack)", async () => {
    const input = clone(stackInput("pr"));
    input.raw["slipway:image"] = build;
    const recorded = `ghcr.io/acme/shop@sha256:${"e".repeat(64)}`;
    input.raw["slipway:release"] = { commit: "0123456789abcdef0123456789abcdef01234567", image: recorded };
    const { registry, outcome } = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!outcome.ok) throw outcome.error;
    expect(registry.byType("docker-build:index:Image")).toEqual([]);
    expect(registry.one("pulumi-nodejs:dynamic/slipway:Release").inputs).toMatchObject({ imageRef: recorded, pinned: true });
    expect(await outputOf(outcome.exports.imageRef as pulumi.Output<string>)).toBe(recorded);
  });
});

describe("release metadata", () => {
  it("exports commit, tag and time from SLIPWAY_RELEASE_* over slipway:release", async () => {
    const input = clone(stackInput("pr"));
    input.raw["slipway:release"] = { commit: "0123456789abcdef0123456789abcdef01234567", tag: "v0.9.0" };
    const fromConfig = await runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });
    if (!fromConfig.outcome.ok) throw fromConfig.outcome.error;
    const exported = async (e: Record<string, unknown>) =>
      Object.fromEntries(await Promise.all(["releaseCommit", "releaseTag", "releasedAt"].map(async (k) => [k, await outputOf(e[k] as pulumi.Output<unknown>)])));
    expect(await exported(fromConfig.outcome.exports)).toEqual({ releaseCommit: "0123456789abcdef0123456789abcdef01234567", releaseTag: "v0.9.0", releasedAt: undefined });

    const fromEnv = await runProgram(input, {
      config: PROVIDER_CONFIG,
      secretKeys: PROVIDER_SECRET_KEYS,
      env: { SLIPWAY_RELEASE_TAG: "v1.0.0", SLIPWAY_RELEASE_TIME: "2026-11-25T13:00:00Z" },
    });
    if (!fromEnv.outcome.ok) throw fromEnv.outcome.error;
    expect(await exported(fromEnv.outcome.exports)).toEqual({ releaseCommit: "0123456789abcdef0123456789abcdef01234567", releaseTag: "v1.0.0", releasedAt: "2026-11-25T13:00:00Z" });
  });
});

describe("no code branches on the stack name", () => {
  it("infra/ and stacks/ never compare getStack() (every difference is config)", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const p = join(dir, entry);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) files.push(p);
      }
    };
    walk(join(ROOT, "stacks"));
    files.push(join(ROOT, "infra", "index.ts"));
    const offenders = files.filter((f) => {
      const text = readFileSync(f, "utf8");
      return /getStack\(\)\s*(===|!==|==|!=)|(===|!==|==|!=)\s*pulumi\.getStack\(\)|case\s+["'](staging|production)["']|["'](staging|production)["']\s*(===|!==)/.test(text);
    });
    expect(offenders).toEqual([]);
  });
});
