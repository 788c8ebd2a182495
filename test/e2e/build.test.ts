import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/engine";
import type { EngineStack } from "./harness";
import { runSlipway, stagingStack, type CliRun } from "./cli-run";
import { appRequest, startEmulators, type Emulators } from "./stacks";

/**
 * Exact rollbacks for a `kind: build` stack: the staging stack file with `slipway:image` set to build from a
 * context directory, driven by `npx slipway deploy` / `rollback` (child processes). The builder is a STAND-IN
 * (test/e2e/standin/builder.js, first on PATH in place of the docker-build plugin: no Docker engine runs here)
 * whose digest is the hash of the context's files and which logs every build. A rollback and an automatic
 * rollback must serve the old digest again WITHOUT building: the release recorded the digest, and the program
 * pins it instead of building the current checkout. Without `slipway:github` (plugin not buildable offline).
 */
const STANDIN = path.join(repoRoot, "test/e2e/standin");
const { contextDigest } = require(path.join(STANDIN, "builder.js")) as { contextDigest: (dir: string) => string };
const REPO = "ghcr.io/acme/shop";
const COMMITS = { v1: "1111111111111111111111111111111111111111", v2: "2222222222222222222222222222222222222222", v3: "3333333333333333333333333333333333333333" };

describe("kind: build — rollback and automatic rollback run the recorded digest, no rebuild (stand-in builder)", () => {
  let emu: Emulators;
  let s: EngineStack;
  let tmp: string;
  let context: string;
  let buildLog: string;

  beforeAll(async () => {
    emu = await startEmulators();
    tmp = mkdtempSync(path.join(tmpdir(), "slipway-build-"));
    context = path.join(tmp, "app");
    buildLog = path.join(tmp, "builds.jsonl");
    s = await stagingStack(emu);
    await s.stack.setConfig("slipway:image", { value: JSON.stringify({ kind: "build", registry: "ghcr.io", repository: "acme/shop", context }) });
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The app's sources at one version; returns the digest the stand-in will push for them. */
  function sources(version: string): string {
    rmSync(context, { recursive: true, force: true });
    mkdirSync(context, { recursive: true });
    writeFileSync(path.join(context, "Dockerfile"), "FROM node:20-alpine\nCOPY server.js .\nCMD node server.js\n");
    writeFileSync(path.join(context, "server.js"), `console.log("shop ${version}");\n`);
    return `${REPO}@${contextDigest(context)}`;
  }
  const builds = (): string[] => (existsSync(buildLog) ? readFileSync(buildLog, "utf8").trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { ref: string }).ref) : []);
  const serving = async () => (await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).image;

  function slipway(commit: string, ...args: string[]): Promise<CliRun> {
    const env = {
      ...process.env,
      ...s.env,
      PATH: `${STANDIN}${path.delimiter}${s.env.PATH}`,
      SLIPWAY_STANDIN_BUILD_LOG: buildLog,
      SLIPWAY_PROJECT_DIR: s.workDir,
      SLIPWAY_RESOLVE: `staging.example.com:127.0.0.1:${emu.coolify.port}`,
      SLIPWAY_HEALTH_ATTEMPTS: "4",
      SLIPWAY_HEALTH_INTERVAL_MS: "300",
      SLIPWAY_RELEASE_COMMIT: commit,
      GITHUB_ACTOR: "e2e-bot",
    };
    return runSlipway(args, { cwd: s.workDir, env, timeoutMs: 420_000 });
  }

  let v1 = "";
  let v2 = "";

  it("two releases each build their commit once and record the pushed digest", async () => {
    v1 = sources("v1");
    const first = await slipway(COMMITS.v1, "deploy", "staging");
    expect(first.code, first.stderr.slice(-3000)).toBe(0);
    expect(first.stdout).toContain(`build: ${v1}`);
    expect(await serving()).toBe(v1);

    v2 = sources("v2");
    expect(v2).not.toBe(v1);
    const second = await slipway(COMMITS.v2, "deploy", "staging");
    expect(second.code, second.stderr.slice(-3000)).toBe(0);
    expect(await serving()).toBe(v2);
    expect(builds()).toEqual([v1, v2]);

    const list = await slipway(COMMITS.v2, "releases", "staging");
    const rows = list.stdout.trim().split("\n").slice(1);
    expect(rows.map((r) => r.split(/\s+/).slice(0, 2).join(" "))).toEqual(["#4 release", "#3 build", "#2 release", "#1 build"]);
  });

  it("rollback serves v1's digest again while the checkout holds v2's sources, and builds nothing", async () => {
    const r = await slipway(COMMITS.v2, "rollback", "staging", "--yes");
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toContain(`rollback staging to update #2, image ${v1}`);
    expect(await serving()).toBe(v1);
    expect(builds()).toEqual([v1, v2]);
    expect((await s.stack.outputs()).imageRef?.value).toBe(v1);
  });

  it("a build that fails its health gate rolls back automatically to the recorded digest, with no second build", async () => {
    const v3 = sources("v3");
    emu.coolify.markImageUnhealthy(v3);
    const r = await slipway(COMMITS.v3, "deploy", "staging");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/build failed|health gate failed|pulumi up failed/);
    expect(r.stdout).toContain(`image ${v1}`);
    expect(await serving()).toBe(v1);
    expect(builds()).toEqual([v1, v2, v3]);
    expect((await s.stack.outputs()).imageRef?.value).toBe(v1);
  });
});
