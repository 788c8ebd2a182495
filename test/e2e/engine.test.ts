import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrapEngine, engineEnv, EngineManifest, pulumiBin } from "../../scripts/engine";
import { EngineStack, StateResource } from "./harness";

/**
 * The offline engine, proven with a tiny program (test/e2e/fixtures/engine-smoke): the real CLI, the
 * language host with Pulumi.yaml's runtime options (tsx, no type-check), the dynamic-provider plugin
 * loading a provider through components/dynamic.ts `registeredProvider` (a key resolved through a registry), a file:// backend and passphrase secrets.
 */
const FIXTURE = path.join(__dirname, "fixtures/engine-smoke");
const API_KEY = "fixture-api-key-5f1c9d2e7a";
// The engine's marker for a secret value in state and outputs.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

let manifest: EngineManifest;
const scratch = mkdtempSync(path.join(tmpdir(), "slipway-engine-test-"));
const ledgerFile = path.join(scratch, "ledger.txt");
const ledger = (): string[] => (existsSync(ledgerFile) ? readFileSync(ledgerFile, "utf8").trim().split("\n") : []);

beforeAll(() => {
  manifest = bootstrapEngine();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the engine bootstrap", () => {
  it("records the CLI it built, and that CLI reports the same version", () => {
    const out = execFileSync(pulumiBin(), ["version"], { env: { ...process.env, ...engineEnv() }, timeout: 30_000 });
    expect(out.toString().trim()).toBe(`v${manifest.cliVersion}`);
    expect(existsSync(path.join(manifest.binDir, "pulumi-language-nodejs"))).toBe(true);
    expect(existsSync(path.join(manifest.binDir, "pulumi-resource-pulumi-nodejs"))).toBe(true);
  });

  it("gives every provider plugin a status, and a reason when it is not installed", () => {
    expect(manifest.plugins.map((p) => p.name).sort()).toEqual(["command", "docker-build", "github", "random"]);
    for (const p of manifest.plugins) {
      if (p.status !== "installed") expect(p.detail.length, `${p.name} has no reason`).toBeGreaterThan(20);
    }
    // What the manifest calls installed is what the engine itself finds in PULUMI_HOME.
    const listed = JSON.parse(
      execFileSync(pulumiBin(), ["plugin", "ls", "--json"], { env: { ...process.env, ...engineEnv() }, timeout: 30_000 }).toString(),
    ) as { name: string; kind: string; version: string }[];
    const installed = manifest.plugins.filter((p) => p.status === "installed");
    expect(listed.map((p) => `${p.kind}/${p.name}@${p.version}`).sort()).toEqual(
      installed.map((p) => `resource/${p.name}@${p.version}`).sort(),
    );
  });
});

describe("a stack lifecycle on the offline engine", () => {
  let s: EngineStack;
  let firstValue: string;
  let tokenId: string;

  beforeAll(async () => {
    s = await EngineStack.create({
      project: FIXTURE,
      stackName: "smoke",
      config: { "engine-smoke:apiKey": { value: API_KEY, secret: true } },
      env: { SLIPWAY_FIXTURE_LEDGER: ledgerFile },
    });
  });
  afterAll(async () => s?.cleanup());

  it("up creates the stack and the dynamic resource from nothing", async () => {
    const r = await s.up();
    expect(r.summary).toEqual({ create: 2 });
    expect(r.changes.map((c) => [c.type, c.op]).sort()).toEqual([
      ["pulumi-nodejs:dynamic:Resource", "create"],
      ["pulumi:pulumi:Stack", "create"],
    ]);
    // The dynamic-provider plugin is a real provider resource too.
    expect(r.providerChanges.map((c) => [c.type, c.op])).toEqual([["pulumi:providers:pulumi-nodejs", "create"]]);
    expect(r.outputs.label).toEqual({ value: "first", secret: false });
    expect(r.outputs.value?.secret).toBe(true);
    firstValue = String(r.outputs.value?.value);
    expect(firstValue).toMatch(/^[A-Za-z0-9_-]{24}$/);
    tokenId = String(r.outputs.tokenId?.value);
    // One create, made by the provider module the registry named, loaded from the project directory.
    expect(ledger()).toEqual([`create ${tokenId} first cwd=${s.workDir}`]);
  });

  it("a second preview shows no changes and calls no CRUD method", async () => {
    const r = await s.preview();
    expect(r.changes).toEqual([]);
    expect(r.summary).toEqual({ same: 2 });
    expect(ledger()).toHaveLength(1);
  });

  it("a config change shows an in-place update of exactly that field, and up applies it", async () => {
    await s.setConfig({ "engine-smoke:label": "second" });
    const p = await s.preview({ diff: true });
    expect(p.changes).toEqual([
      expect.objectContaining({ type: "pulumi-nodejs:dynamic:Resource", op: "update", changedInputs: ["label"] }),
    ]);
    expect(p.summary).toEqual({ same: 1, update: 1 });
    expect(p.stdout).toContain("label");

    const u = await s.up();
    expect(u.summary).toEqual({ same: 1, update: 1 });
    expect(u.outputs.label?.value).toBe("second");
    // Updated in place: same id, same secret.
    expect(u.outputs.tokenId?.value).toBe(tokenId);
    expect(u.outputs.value?.value).toBe(firstValue);
    expect(ledger()[1]).toBe(`update ${tokenId} second cwd=${s.workDir}`);
  });

  it("keeps the generated secret and the secret config encrypted in state, history and output", async () => {
    const resources = await s.exportState();
    const token = resources.find((r: StateResource) => r.type === "pulumi-nodejs:dynamic:Resource");
    expect(token?.outputs?.value).toEqual(expect.objectContaining({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270" }));
    expect(token?.inputs?.apiKey).toEqual(expect.objectContaining({ [SECRET_SIG]: "1b47061264138c4ac30d75fd1eb44270" }));
    const everything = s.backendText() + readFileSync(path.join(s.workDir, "Pulumi.smoke.yaml"), "utf8");
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything).not.toContain(firstValue);
    expect(everything).not.toContain(API_KEY);
  });

  it("destroy deletes the resource and empties the stack", async () => {
    const r = await s.destroy();
    expect(r.summary).toEqual({ delete: 2 });
    expect(ledger()[2]).toBe(`delete ${tokenId} cwd=${s.workDir}`);
    expect(await s.exportState()).toEqual([]);
  });
});

describe("a program using a provider plugin", () => {
  it("runs when the bootstrap installed the plugin, else fails fast with the engine's error (no download attempt)", async () => {
    const random = manifest.plugins.find((p) => p.name === "random");
    expect(random).toBeDefined();
    const s = await EngineStack.create({
      project: FIXTURE,
      stackName: "plugins",
      config: { "engine-smoke:apiKey": { value: API_KEY, secret: true }, "engine-smoke:useRandom": "true" },
      env: { SLIPWAY_FIXTURE_LEDGER: path.join(scratch, "plugins-ledger.txt") },
      opTimeoutMs: 180_000,
    });
    try {
      if (random?.status === "installed") {
        const r = await s.up();
        expect(r.outputs.password?.secret).toBe(true);
      } else {
        const started = Date.now();
        const err: unknown = await s.up().then(
          () => new Error("up succeeded without the random plugin"),
          (e: unknown) => e,
        );
        expect(String(err)).toContain(
          `no resource plugin 'pulumi-resource-random' found in the workspace at version v${random?.version}`,
        );
        // Automatic plugin acquisition is off: the engine reports the missing plugin instead of downloading.
        expect(String(err)).not.toMatch(/downloading|get\.pulumi\.com/i);
        expect(Date.now() - started).toBeLessThan(120_000);
      }
    } finally {
      await s.cleanup();
    }
  });
});
