/**
 * A preview's secrets come from the environment of the job that runs `slipway pr up` — in CI the `preview`
 * GitHub environment's secrets, which the PR workflow maps to `SLIPWAY_SECRET_<NAME>` — never from a committed
 * file: Pulumi.pr.yaml may hold no secure value (a template's ciphertext belongs to no PR stack), and a PR stack
 * is created fresh for every PR. Each value is set as `slipway:secrets.<NAME>` with `secret: true`, so the engine
 * encrypts it in the stack's config and state, exactly as `pulumi config set --secret --path` would.
 *
 * The names are the ones the template needs (stacks/secret-names.ts: `slipway:app.secretEnv`, notifications'
 * credentials), so the program's own check (every needed name has a secure value) passes by construction.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { z } from "zod";
import { sectionSchemas } from "../../stacks/schema";
import { neededSecrets } from "../../stacks/secret-names";

export const SECRET_ENV_PREFIX = "SLIPWAY_SECRET_";

/** The environment variable `slipway pr up` reads the secret `name` from. */
export function secretEnvVar(name: string): string {
  return `${SECRET_ENV_PREFIX}${name}`;
}

/** A section parsed by its schema; a broken one needs nothing here (the program reports it, with its path). */
function section<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The `slipway:secrets.<NAME>` entries of a preview stack, from `env`. Throws one error naming, for every
 * missing value, the config path that asks for it and the variable it is read from — before any stack exists.
 * An empty value counts as missing: GitHub expands a secret the environment does not have to "".
 */
export function previewSecrets(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ConfigMap {
  const needed = neededSecrets({
    app: section(sectionSchemas.app, raw["slipway:app"]),
    github: section(sectionSchemas.github, raw["slipway:github"]),
    notifications: section(sectionSchemas.notifications, raw["slipway:notifications"]),
  });
  const config: ConfigMap = {};
  const missing: string[] = [];
  for (const [name, from] of needed) {
    const value = env[secretEnvVar(name)];
    if (value === undefined || value === "") missing.push(`  slipway:secrets.${name} (listed in ${from}): expected a value in ${secretEnvVar(name)}, got ${value === undefined ? "nothing" : "an empty string"}`);
    else config[`slipway:secrets.${name}`] = { value, secret: true };
  }
  if (missing.length > 0) {
    throw new Error(
      `a preview takes its secrets from the environment (in CI: the preview GitHub environment's secrets, mapped in .github/workflows/pr.yml); missing:\n${missing.join("\n")}\nnothing was changed`,
    );
  }
  return config;
}
