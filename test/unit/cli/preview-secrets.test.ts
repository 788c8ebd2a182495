import path from "node:path";
import { describe, expect, it } from "vitest";
import { prUpConfig } from "../../../infra/cli/commands/pr";
import { previewSecrets } from "../../../infra/cli/preview-secrets";

const TEMPLATE = path.resolve(__dirname, "../../../Pulumi.pr.yaml");
const app = { name: "shop", ports: { http: 3000 }, secretEnv: ["SESSION_SECRET", "STRIPE_API_KEY"] };

describe("a preview's secrets come from SLIPWAY_SECRET_<NAME>, never from a file", () => {
  it("sets every name the template needs as a secure value", () => {
    const config = previewSecrets({ "slipway:app": app }, { SLIPWAY_SECRET_SESSION_SECRET: "s3ss", SLIPWAY_SECRET_STRIPE_API_KEY: "sk_test_x", SESSION_SECRET: "not this one" });
    expect(config).toEqual({
      "slipway:secrets.SESSION_SECRET": { value: "s3ss", secret: true },
      "slipway:secrets.STRIPE_API_KEY": { value: "sk_test_x", secret: true },
    });
  });

  it("notification credentials are needed too, each named by the setting that asks for it", () => {
    const raw = { "slipway:app": { ...app, secretEnv: [] }, "slipway:notifications": { webhook: { urlSecret: "HOOK_URL" }, email: { host: "smtp.example.com", from: "a@example.com", to: ["b@example.com"], user: "u", passwordSecret: "SMTP_PASSWORD" } } };
    expect(() => previewSecrets(raw, {})).toThrow(
      [
        "  slipway:secrets.SMTP_PASSWORD (listed in slipway:notifications.email.passwordSecret): expected a value in SLIPWAY_SECRET_SMTP_PASSWORD, got nothing",
        "  slipway:secrets.HOOK_URL (listed in slipway:notifications.webhook.urlSecret): expected a value in SLIPWAY_SECRET_HOOK_URL, got nothing",
      ].join("\n"),
    );
  });

  it("a missing or empty value (GitHub expands an absent secret to \"\") is one error naming the config path and the variable", () => {
    let message = "";
    try {
      previewSecrets({ "slipway:app": app }, { SLIPWAY_SECRET_SESSION_SECRET: "" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        "a preview takes its secrets from the environment (in CI: the preview GitHub environment's secrets, mapped in .github/workflows/pr.yml); missing:",
        "  slipway:secrets.SESSION_SECRET (listed in slipway:app.secretEnv): expected a value in SLIPWAY_SECRET_SESSION_SECRET, got an empty string",
        "  slipway:secrets.STRIPE_API_KEY (listed in slipway:app.secretEnv): expected a value in SLIPWAY_SECRET_STRIPE_API_KEY, got nothing",
        "nothing was changed",
      ].join("\n"),
    );
  });

  it("pr up's config for the committed template: the template rendered, and the secrets as ONE secure key", () => {
    const config = prUpConfig(5, { SLIPWAY_SECRET_SESSION_SECRET: "a", SLIPWAY_SECRET_STRIPE_API_KEY: "b" }, TEMPLATE);
    expect(config["slipway:secrets"]).toEqual({ value: JSON.stringify({ SESSION_SECRET: "a", STRIPE_API_KEY: "b" }), secret: true });
    expect(JSON.parse(config["slipway:targets"]?.value ?? "{}")).toMatchObject({ fly: { appName: "shop-pr-5" } });
    // Nothing else is secure, and no secret value sits in a plaintext key.
    expect(Object.entries(config).filter(([, v]) => v.secret).map(([k]) => k)).toEqual(["slipway:secrets"]);
    expect(() => prUpConfig(5, {}, TEMPLATE)).toThrow(/slipway:secrets\.SESSION_SECRET \(listed in slipway:app\.secretEnv\): expected a value in SLIPWAY_SECRET_SESSION_SECRET/);
  });
});
