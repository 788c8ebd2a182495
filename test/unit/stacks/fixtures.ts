/**
 * The real stack files, read the way the engine would see them once an operator has run the
 * `pulumi config set --secret` commands documented at the top of each file.
 */
import { resolve } from "node:path";
import { readStackFile, renderPrTemplate } from "../../../stacks/files";

export const ROOT = resolve(__dirname, "../../..");

/** The secrets each committed stack file documents; values are fake but shaped like the real thing. */
export const DOCUMENTED_SECRETS: Record<"staging" | "production" | "pr", Record<string, string>> = {
  staging: {
    SESSION_SECRET: "s".repeat(64),
    STRIPE_API_KEY: `sk_test_${"a".repeat(24)}`,
    COOLIFY_TOKEN: `1|${"c".repeat(40)}`,
    SLIPWAY_GITHUB_TOKEN: `ghp_${"s".repeat(36)}`,
    PULUMI_CONFIG_PASSPHRASE: "staging passphrase",
    FLY_API_TOKEN: `fo1_${"r".repeat(40)}`,
  },
  production: {
    SESSION_SECRET: "p".repeat(64),
    STRIPE_API_KEY: `sk_live_${"b".repeat(24)}`,
    FLY_API_TOKEN: `fo1_${"f".repeat(40)}`,
    SLIPWAY_GITHUB_TOKEN: `ghp_${"p".repeat(36)}`,
    PULUMI_CONFIG_PASSPHRASE: "production passphrase",
  },
  // What `slipway pr up` reads from SLIPWAY_SECRET_<NAME> (the preview environment's values, never a file).
  pr: {
    SESSION_SECRET: "r".repeat(64),
    STRIPE_API_KEY: `sk_test_${"p".repeat(24)}`,
  },
};

export interface StackInput {
  raw: Record<string, unknown>;
  secretKeys: string[];
}

/** The committed file as-is (no secrets set). */
export function committed(stack: "staging" | "production" | "pr"): StackInput {
  return readStackFile(resolve(ROOT, `Pulumi.${stack}.yaml`));
}

/** The committed file plus its documented secrets, as secure config; PR template rendered for PR 42. */
export function stackInput(stack: "staging" | "production" | "pr"): StackInput {
  const { raw, secretKeys } = committed(stack);
  const secrets = DOCUMENTED_SECRETS[stack];
  const rendered = stack === "pr" ? renderPrTemplate(raw, 42) : raw;
  if (Object.keys(secrets).length === 0) return { raw: rendered, secretKeys };
  return { raw: { ...rendered, "slipway:secrets": { ...secrets } }, secretKeys: [...secretKeys, "slipway:secrets"] };
}

/** A deep copy to mutate in one test case without touching the others. */
export function clone(input: StackInput): StackInput {
  return { raw: structuredClone(input.raw), secretKeys: [...input.secretKeys] };
}

/**
 * Object access for mutations: `at(raw, "slipway:scaling").fly.minRunning = "one"`. Deliberately untyped
 * (test-only): the corpus writes values the schema forbids, which typed access would not allow.
 */
export function at(raw: Record<string, unknown>, key: string): Record<string, any> {
  return raw[key] as Record<string, any>;
}
