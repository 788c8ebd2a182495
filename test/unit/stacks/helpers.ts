/** Runs the real program (`infra/index.ts`) under mocks for one of the committed stack files. */
import { vi } from "vitest";
import { fakeDigest, setupMocks, type MockRegistry } from "../mocks";
import { ConfigError, parseStackConfig } from "../../../stacks/config";
import { stackInput, type StackInput } from "./fixtures";

/** Provider config an operator would have set (tokens as secure keys). */
export const PROVIDER_CONFIG: Record<string, string> = {
  "coolify:url": "https://coolify.home.example.net/api/v1",
  "coolify:token": `7|${"k".repeat(40)}`,
  "fly:token": `fo1_${"t".repeat(40)}`,
  "github:token": `ghp_${"g".repeat(36)}`,
};
export const PROVIDER_SECRET_KEYS = ["coolify:token", "fly:token", "github:token"];

/** Outputs the platform APIs would report, so composition reads realistic values. */
function outputs(args: { type: string; name: string; inputs: Record<string, unknown> }): Record<string, unknown> | undefined {
  switch (args.type) {
    case "pulumi-nodejs:dynamic/coolify:Database":
      return { uuid: "db-uuid", internalHost: "shop-db", internalDbUrl: "postgres://app:generated@shop-db:5432/shop" };
    case "pulumi-nodejs:dynamic/coolify:Application":
      return { uuid: "app-uuid", urls: ["https://staging.example.com"] };
    case "pulumi-nodejs:dynamic/coolify:Project":
      return { uuid: "project-uuid", environmentUuid: "env-uuid" };
    case "pulumi-nodejs:dynamic/fly:Secrets":
      return { version: 3 };
    case "pulumi-nodejs:dynamic/fly:Volume":
      return { volumeId: `vol_${args.name}` };
    case "pulumi-nodejs:dynamic/fly:MachineGroup":
      return { machineIds: [`m_${args.name}`] };
    case "pulumi-nodejs:dynamic/fly:ManagedPostgresCluster":
      return { clusterId: `cl_${args.name}`, clusterName: `${String(args.inputs.name)}-0a1b2c3d`, poolerHost: "pgbouncer.cl.flympg.net", poolerPort: 5432, directHost: "direct.cl.flympg.net", directPort: 5432 };
    case "pulumi-nodejs:dynamic/fly:ManagedPostgresAttachment":
      return { databaseUrl: "postgresql://u:generated@pgbouncer.cl.flympg.net:5432/app?sslmode=require" };
    case "pulumi:pulumi:StackReference":
      // What a flyManaged source stack exports (a fork's forkFrom reads it).
      return { outputs: { flyManagedPostgresClusterId: "cl_source" } };
    default:
      return undefined;
  }
}

export interface ProgramRun {
  registry: MockRegistry;
  outcome: { ok: true; exports: Record<string, unknown> } | { ok: false; error: unknown };
}

/**
 * Installs mocks with the given config and imports `infra/index.ts` fresh. Process env credentials are
 * cleared, so only what the test passes counts.
 */
export async function runProgram(
  input: StackInput,
  extra: { config?: Record<string, string>; secretKeys?: string[]; stack?: string; env?: Record<string, string> } = {},
): Promise<ProgramRun> {
  vi.resetModules();
  for (const name of ["COOLIFY_URL", "COOLIFY_TOKEN", "FLY_API_URL", "FLY_API_TOKEN", "GITHUB_TOKEN", "GITHUB_API_URL", "SLIPWAY_RELEASE_COMMIT", "SLIPWAY_RELEASE_TAG", "SLIPWAY_RELEASE_TIME"]) {
    vi.stubEnv(name, "");
  }
  for (const [name, value] of Object.entries(extra.env ?? {})) vi.stubEnv(name, value);
  const registry = setupMocks({
    stack: extra.stack ?? "unit",
    config: { ...input.raw, ...(extra.config ?? {}) },
    secretKeys: [...input.secretKeys, ...(extra.secretKeys ?? [])],
    outputs,
  });
  let outcome: ProgramRun["outcome"];
  try {
    outcome = { ok: true, exports: (await import("../../../infra/index")) as Record<string, unknown> };
  } catch (error) {
    outcome = { ok: false, error };
  }
  await registry.settled();
  return { registry, outcome };
}

/** The committed stack plus its documented secrets and provider credentials. */
export function runStack(stack: "staging" | "production" | "pr"): Promise<ProgramRun> {
  return runProgram(stackInput(stack), { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS, stack: stack === "pr" ? "pr-42" : stack });
}

export { fakeDigest };

/** The problems the config check reports for a stack config that must be refused; one it accepts fails the test. */
export function problemsOf(input: StackInput): readonly string[] {
  try {
    parseStackConfig(input.raw, input.secretKeys);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, the config was accepted");
}
