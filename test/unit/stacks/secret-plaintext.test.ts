/**
 * Secrets and platform credentials written into plaintext stack config: rejected with a hint to use
 * `pulumi config set --secret`, and the value itself never appears in the error.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { isSecretLookingKey, isSecretLookingValue } from "../../../stacks/secrets";
import { at, clone, stackInput } from "./fixtures";

const STRIPE = `sk_live_${"9".repeat(24)}`;
const GH_TOKEN = `ghp_${"A1b2".repeat(9)}`;
const DSN = "postgres://shop:hunter2hunter2@db.internal:5432/shop";
const FLY_TOKEN = `fo1_${"z".repeat(43)}`;

interface SecretCase {
  name: string;
  stack: "staging" | "production";
  secret: string;
  mutate: (raw: Record<string, unknown>, secretKeys: string[]) => void;
  problems: string[];
}

const cases: SecretCase[] = [
  { name: "an API key in app.env (by its name)", stack: "staging", secret: STRIPE, mutate: (r) => { at(r, "slipway:app").env.PAYMENT_API_KEY = STRIPE; },
    problems: ["slipway:app.env.PAYMENT_API_KEY: expected no secret in plaintext config, got a string (32 chars) — use `pulumi config set --secret --path 'slipway:secrets.PAYMENT_API_KEY' <value>` and list PAYMENT_API_KEY in slipway:app.secretEnv"] },
  { name: "a DSN with a password under an innocent name (by its value)", stack: "staging", secret: "hunter2hunter2", mutate: (r) => { at(r, "slipway:app").env.ANALYTICS_DB = DSN; },
    problems: [`slipway:app.env.ANALYTICS_DB: expected no secret in plaintext config, got a string (${DSN.length} chars) — use \`pulumi config set --secret --path 'slipway:secrets.ANALYTICS_DB' <value>\` and list ANALYTICS_DB in slipway:app.secretEnv`] },
  { name: "a GitHub token as an environment variable", stack: "production", secret: GH_TOKEN, mutate: (r) => { at(r, "slipway:github").variables.RELEASE_BOT = GH_TOKEN; },
    problems: [`slipway:github.variables.RELEASE_BOT: expected no secret in plaintext config, got a string (${GH_TOKEN.length} chars) — use \`pulumi config set --secret --path 'slipway:secrets.RELEASE_BOT' <value>\` and list RELEASE_BOT in slipway:github.secrets`] },
  { name: "a password-named field elsewhere", stack: "staging", secret: "correct-horse", mutate: (r) => { at(r, "slipway:app").env.SMTP_PASSWORD = "correct-horse"; },
    problems: ["slipway:app.env.SMTP_PASSWORD: expected no secret in plaintext config, got a string (13 chars) — use `pulumi config set --secret --path 'slipway:secrets.SMTP_PASSWORD' <value>` and list SMTP_PASSWORD in slipway:app.secretEnv"] },
  { name: "slipway:secrets set without --secret", stack: "production", secret: "p".repeat(64), mutate: (r, keys) => { keys.splice(keys.indexOf("slipway:secrets"), 1); },
    problems: [
      "slipway:secrets.SESSION_SECRET: expected a secure value, got a plaintext string (64 chars) — use `pulumi config set --secret --path 'slipway:secrets.SESSION_SECRET' <value>`",
      "slipway:secrets.STRIPE_API_KEY: expected a secure value, got a plaintext string (32 chars) — use `pulumi config set --secret --path 'slipway:secrets.STRIPE_API_KEY' <value>`",
      "slipway:secrets.FLY_API_TOKEN: expected a secure value, got a plaintext string (44 chars) — use `pulumi config set --secret --path 'slipway:secrets.FLY_API_TOKEN' <value>`",
      "slipway:secrets.SLIPWAY_GITHUB_TOKEN: expected a secure value, got a plaintext string (40 chars) — use `pulumi config set --secret --path 'slipway:secrets.SLIPWAY_GITHUB_TOKEN' <value>`",
      "slipway:secrets.PULUMI_CONFIG_PASSPHRASE: expected a secure value, got a plaintext string (21 chars) — use `pulumi config set --secret --path 'slipway:secrets.PULUMI_CONFIG_PASSPHRASE' <value>`",
    ] },
  { name: "the Fly token in the Fly target", stack: "production", secret: FLY_TOKEN, mutate: (r) => { at(r, "slipway:targets").fly.token = FLY_TOKEN; },
    problems: ["slipway:targets.fly.token: expected no platform credentials in slipway: config, got a string (47 chars) — set the provider config instead: `pulumi config set --secret fly:token <token>` (or FLY_API_TOKEN)"] },
  { name: "the Coolify URL and token in the Coolify target", stack: "staging", secret: "4|abcdefghijklmnopqrstuvwxyz0123456789ABCD", mutate: (r) => { const c = at(r, "slipway:targets").coolify; c.url = "https://coolify.home.example.net"; c.apiToken = "4|abcdefghijklmnopqrstuvwxyz0123456789ABCD"; },
    problems: [
      "slipway:targets.coolify.url: expected no platform credentials in slipway: config, got a string (32 chars) — set the provider config instead: `pulumi config set coolify:url <url>` (or COOLIFY_URL)",
      "slipway:targets.coolify.apiToken: expected no platform credentials in slipway: config, got a string (42 chars) — set the provider config instead: `pulumi config set --secret coolify:token <token>` (or COOLIFY_TOKEN)",
    ] },
  { name: "a GitHub token next to the repository", stack: "production", secret: GH_TOKEN, mutate: (r) => { at(r, "slipway:github").token = GH_TOKEN; },
    problems: [`slipway:github.token: expected no platform credentials in slipway: config, got a string (${GH_TOKEN.length} chars) — set the provider config instead: \`pulumi config set --secret github:token <token>\` (or GITHUB_TOKEN)`] },
  { name: "a credential as its own slipway: key", stack: "production", secret: FLY_TOKEN, mutate: (r) => { r["slipway:flyToken"] = FLY_TOKEN; },
    problems: ["slipway:flyToken: expected no platform credentials in slipway: config, got a string (47 chars) — set the provider config instead: `pulumi config set --secret fly:token <token>` (or FLY_API_TOKEN)"] },
];

describe("secrets in plaintext", () => {
  it.each(cases)("$name", ({ stack, secret, mutate, problems }) => {
    const input = clone(stackInput(stack));
    mutate(input.raw, input.secretKeys);
    let error: unknown;
    try {
      parseStackConfig(input.raw, input.secretKeys);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(problems);
    expect((error as ConfigError).message).not.toContain(secret);
  });

  it("never echoes a value from a secure key, even when it is invalid", () => {
    const input = clone(stackInput("production"));
    at(input.raw, "slipway:app").ports.http = "hunter2";
    input.secretKeys.push("slipway:app");
    let message = "";
    try {
      parseStackConfig(input.raw, input.secretKeys);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("slipway:app.ports.http: expected an integer from 1 to 65535, got a string (7 chars)");
    expect(message).not.toContain("hunter2");
  });

  it("accepts the same values once they are secure", () => {
    const input = clone(stackInput("staging"));
    at(input.raw, "slipway:app").secretEnv.push("PAYMENT_API_KEY");
    at(input.raw, "slipway:secrets").PAYMENT_API_KEY = STRIPE;
    expect(parseStackConfig(input.raw, input.secretKeys).secrets.PAYMENT_API_KEY).toBe(STRIPE);
  });
});

describe("what looks like a secret", () => {
  it.each(["DATABASE_URL", "SESSION_SECRET", "stripeApiKey", "GITHUB_TOKEN", "SECRET_KEY_BASE", "smtp_password", "SENTRY_DSN", "REDIS_URL"])("key %s", (key) => {
    expect(isSecretLookingKey(key)).toBe(true);
  });
  it.each(["PUBLIC_URL", "LOG_LEVEL", "NODE_ENV", "KEYCLOAK_REALM", "secretEnv", "APP_URL", "monkey"])("not key %s", (key) => {
    expect(isSecretLookingKey(key)).toBe(false);
  });
  it.each([GH_TOKEN, DSN, STRIPE, FLY_TOKEN, "-----BEGIN OPENSSH PRIVATE KEY-----\nabc", "AKIAABCDEFGHIJKLMNOP", `1|${"x".repeat(40)}`])("value %#", (value) => {
    expect(isSecretLookingValue(value)).toBe(true);
  });
  it.each(["https://shop.example.com", "ghcr.io/acme/shop@sha256:" + "a".repeat(64), "postgres://db.internal:5432/shop", "npm run db:migrate"])("not value %s", (value) => {
    expect(isSecretLookingValue(value)).toBe(false);
  });
});
