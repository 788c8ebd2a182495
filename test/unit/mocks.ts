/**
 * Shared Pulumi mocks for unit tests: every resource the program registers is captured as
 * `{ type, name, inputs }` so a test can assert what a component or a whole stack would create.
 *
 * THE ORDER MATTERS. `pulumi.runtime.setMocks` must run before any resource is constructed, and modules
 * that construct resources at import time (`infra/index.ts`) must be imported *after* it. Components that
 * only export classes can be imported statically, but the safest pattern everywhere is:
 *
 * ```ts
 * import { beforeEach, expect, it, vi } from "vitest";
 * import { setupMocks, type MockRegistry } from "../mocks";   // path relative to your test
 *
 * let registry: MockRegistry;
 * beforeEach(() => {
 *   vi.resetModules();                                     // infra/index.ts runs again on the next import
 *   registry = setupMocks({ config: { "slipway:app": {...} }, secretKeys: ["slipway:secrets"] });
 * });
 *
 * it("creates the app", async () => {
 *   const { CoolifyApplication } = await import("../../../components/coolify/application");
 *   const app = new CoolifyApplication("web", { ... });
 *   await outputOf(app.uuid);                              // or: await registry.settled()
 *   expect(registry.byType("pulumi-nodejs:dynamic/coolify:Application")).toHaveLength(1);
 * });
 * ```
 *
 * Why `vi.resetModules()` + dynamic `import()`: `@pulumi/pulumi` keeps its runtime state (monitor, config) on
 * `global`, and `setupMocks` replaces both, so each test gets a fresh monitor and config. But a module that
 * registers resources at import time (`infra/index.ts`) only runs once per module graph: resetting modules and
 * importing it dynamically makes it run again, against the mocks this test installed.
 *
 * Types: dynamic resources register as `pulumi-nodejs:dynamic[/<module>]:<type>` (the 5th/6th arguments of
 * `pulumi.dynamic.Resource`); components register with their own `slipway:…` type token.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** One resource registration the mock monitor saw. */
export interface RegisteredResource {
  /** Type token, e.g. `random:index/randomPassword:RandomPassword` or `slipway:fly:MachineGroup`. */
  type: string;
  /** Logical name as passed to the constructor. */
  name: string;
  /**
   * Resolved inputs as the mock monitor receives them. Secret values keep Pulumi's wire marker:
   * `{ [SECRET_SIG]: SECRET_SIG_VALUE, value }` — use `isSecretInput` / `reveal` to assert on them.
   */
  inputs: Record<string, unknown>;
  /** The id the mock assigned (`<name>-id`), empty for component resources. */
  id: string;
  /** true for custom (provider-managed) resources, false for components. */
  custom: boolean;
  /** Provider reference, when one was passed explicitly. */
  provider?: string;
  /** The `protect` option as the engine would receive it (inherited from parents included). */
  protect: boolean;
  /** URNs this resource explicitly depends on (`dependsOn` plus input dependencies). */
  dependencies: string[];
}

export interface MockRegistry {
  /** Every registration, in the order the monitor saw them. */
  readonly resources: readonly RegisteredResource[];
  /** Registrations with exactly this type token. */
  byType(type: string): RegisteredResource[];
  /** Registrations with exactly this logical name (names repeat across types). */
  byName(name: string): RegisteredResource[];
  /** The single registration of `type` (optionally with `name`); throws listing what exists when not exactly one. */
  one(type: string, name?: string): RegisteredResource;
  /** Distinct type tokens seen, sorted: handy in failure messages and snapshot-free assertions. */
  types(): string[];
  /** Dynamic resources whose serialized provider names the logical key `<key>` (e.g. `fly:app`). */
  byProviderKey(key: string): RegisteredResource[];
  /** Waits until no new registration has arrived for a few ticks: use after constructing resources. */
  settled(): Promise<void>;
}

export interface MockOptions {
  /** Stack config, keys like `slipway:app`; objects are JSON-encoded the way the language host does it. */
  config?: Record<string, unknown>;
  /** Config keys the engine would report as secret (what `secure:` values become at run time). */
  secretKeys?: string[];
  /** @default "slipway" */
  project?: string;
  /** @default "unit" */
  stack?: string;
  /** @default false */
  preview?: boolean;
  /**
   * Extra output state per resource, merged over the defaults (inputs echoed + the fixed values below).
   * Return undefined to keep the defaults.
   */
  outputs?: (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;
  /** Answers for provider function calls (invokes); default: GitHub user/team lookups answered, others `{}`. */
  call?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;
}

/** Pulumi's wire marker for secret values (the "special signature" key and its value for secrets). */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** True when a registered input value was passed as a Pulumi secret. */
export function isSecretInput(value: unknown): boolean {
  return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** The value inside a secret marker (or the value itself when it is not a secret), recursively. */
export function reveal(value: unknown): unknown {
  if (isSecretInput(value)) return reveal((value as { value: unknown }).value);
  if (Array.isArray(value)) return value.map(reveal);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  }
  return value;
}

/** A stable fake digest derived from a name, so assertions on image refs are deterministic. */
export function fakeDigest(seed: string): string {
  return `sha256:${createHash("sha256").update(seed).digest("hex")}`;
}

/**
 * Default outputs for the packages slipway uses, so components that read a child's output
 * (a generated password, an image digest) get something realistic back under mocks.
 */
function defaultOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  switch (args.type) {
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
    case "pulumi-nodejs:dynamic/slipway:GeneratedPassword":
      return { result: `mock-${args.name}-${"x".repeat(Number(inputs.length ?? 16))}` };
    case "random:index/randomId:RandomId":
      return { hex: createHash("sha256").update(args.name).digest("hex").slice(0, 16), b64Url: "bW9jaw" };
    case "docker-build:index:Image": {
      const digest = fakeDigest(args.name);
      const tags = Array.isArray(inputs.tags) ? (inputs.tags as string[]) : [];
      const repo = (tags[0] ?? `registry.invalid/${args.name}:latest`).replace(/:[^:/]+$/, "");
      return { digest, ref: `${repo}@${digest}` };
    }
    case "command:local:Command":
    case "command:remote:Command":
      return { stdout: "", stderr: "" };
    case "pulumi:pulumi:StackReference":
      return { outputs: {} };
    default:
      return {};
  }
}

/** Answers for the invokes components make (GitHub reviewer lookups): stable numeric ids derived from the name. */
function defaultCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  const inputs = (args.inputs ?? {}) as Record<string, unknown>;
  const id = (seed: unknown) => String(parseInt(createHash("sha256").update(String(seed)).digest("hex").slice(0, 7), 16) + 1);
  switch (args.token) {
    case "github:index/getUser:getUser":
      return { id: id(inputs.username), login: inputs.username, nodeId: `U_${String(inputs.username)}` };
    case "github:index/getTeam:getTeam":
      return { id: id(inputs.slug), slug: inputs.slug, nodeId: `T_${String(inputs.slug)}` };
    default:
      return {};
  }
}

/**
 * Installs mocks (and config) and returns the registry that fills up as resources register.
 * Call once per test, after `vi.resetModules()` and before importing anything that registers resources.
 */
export function setupMocks(options: MockOptions = {}): MockRegistry {
  const resources: RegisteredResource[] = [];
  let lastChange = 0;
  // The mock monitor drops resource options; the request still has them, so note them on the way through.
  const requestOptions = new Map<string, { protect: boolean; dependencies: string[] }>();

  if (options.config !== undefined) {
    // The language host hands every value to the program as a string, objects as JSON.
    const encoded: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.config)) {
      encoded[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(encoded, options.secretKeys ?? []);
  } else {
    pulumi.runtime.setAllConfig({}, []);
  }

  void pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        const custom = args.custom !== false;
        const seen = requestOptions.get(`${args.type}::${args.name}`);
        const state = { ...inputs, ...defaultOutputs(args), ...(options.outputs?.(args) ?? {}) };
        // Coolify's providers use the platform's uuid as the resource id; a mocked uuid output does the same.
        const id = !custom ? undefined : typeof state.uuid === "string" ? state.uuid : `${args.name}-id`;
        resources.push({
          type: args.type,
          name: args.name,
          inputs,
          id: id ?? "",
          custom,
          provider: args.provider,
          protect: seen?.protect ?? false,
          dependencies: seen?.dependencies ?? [],
        });
        lastChange = Date.now();
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return options.call?.(args) ?? defaultCall(args);
      },
    },
    options.project ?? "slipway",
    options.stack ?? "unit",
    options.preview ?? false,
  );

  interface RegisterRequest {
    getType(): string;
    getName(): string;
    getProtect(): boolean | undefined;
    getDependenciesList(): string[];
  }
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: unknown): unknown } | undefined;
  if (monitor) {
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      requestOptions.set(`${req.getType()}::${req.getName()}`, { protect: req.getProtect() === true, dependencies: req.getDependenciesList() });
      return original(req, cb);
    };
  }

  const registry: MockRegistry = {
    resources,
    byType: (type) => resources.filter((r) => r.type === type),
    byName: (name) => resources.filter((r) => r.name === name),
    one(type, name) {
      const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
      if (found.length !== 1) {
        const seen = resources.map((r) => `${r.type} ${r.name}`).join("\n  ");
        throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}; registered:\n  ${seen}`);
      }
      return found[0] as RegisteredResource;
    },
    types: () => [...new Set(resources.map((r) => r.type))].sort(),
    byProviderKey: (key) =>
      resources.filter((r) => typeof r.inputs.__provider === "string" && r.inputs.__provider.includes(`key: ${JSON.stringify(key)}`)),
    async settled() {
      // Registrations arrive asynchronously (outputs resolve, then the monitor is called), so wait for quiet.
      let quietTicks = 0;
      let seen = resources.length;
      for (let i = 0; i < 400 && quietTicks < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (resources.length === seen && Date.now() - lastChange >= 10) quietTicks++;
        else quietTicks = 0;
        seen = resources.length;
      }
    },
  };
  return registry;
}

/** Resolves an Output under mocks (tests only: production code never unwraps outputs like this). */
export function outputOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => { resolve(value); return value; }));
}

/** Resolves an Output and whether Pulumi marks it secret: asserts that secrets stay secret. */
export async function outputWithSecrecy<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const [value, secret] = await Promise.all([outputOf(output), pulumi.isSecret(output)]);
  return { value, secret };
}

/**
 * Runs `run` and returns the messages of the unhandled rejections it caused, after the registry settles. A failed
 * apply under mocks surfaces as one (that is how the engine aborts a program), and the test runner would otherwise
 * count it as a crash. The runner's own listeners are put back afterwards.
 */
export async function capturingRejections(registry: MockRegistry, run: () => Promise<void>): Promise<string[]> {
  const theirs = process.listeners("unhandledRejection");
  const seen: string[] = [];
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", (e: unknown) => void seen.push(e instanceof Error ? e.message : String(e)));
  try {
    await run();
    await registry.settled();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    process.removeAllListeners("unhandledRejection");
    for (const l of theirs) process.on("unhandledRejection", l);
  }
  return seen;
}
