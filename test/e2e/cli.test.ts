import { spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/engine";
import type { EngineStack } from "./harness";
import { appRequest, scenarioStack, secretValue, startEmulators, type Emulators } from "./stacks";

/**
 * `npx slipway …` as CI runs it: a child process with the engine, a file backend and the emulators, against
 * the staging stack (Coolify, health-gated rolling updates) and a PR stack (Fly). The CLI is pointed at the
 * test's mirrored project with SLIPWAY_PROJECT_DIR, and its health gate reaches https://staging.example.com
 * on the Coolify emulator through SLIPWAY_RESOLVE. Without `slipway:github`: its provider plugin cannot be
 * built offline (engine.json records why).
 */
const BIN = path.join(repoRoot, "infra/cli/bin.js");
const digest = (c: string) => `ghcr.io/acme/shop@sha256:${c.repeat(64)}`;
const GOOD = digest("a");
const BAD = digest("b");
const NEXT = digest("c");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("slipway CLI against the emulators", () => {
  let emu: Emulators;
  let s: EngineStack;

  beforeAll(async () => {
    emu = await startEmulators();
    s = await scenarioStack({
      emulators: emu,
      stackFile: "staging",
      drop: ["slipway:github"],
      secrets: { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: secretValue("stripe") },
    });
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  /** Runs the CLI to completion (bounded: killed after 6 minutes). */
  function slipway(...args: string[]): Promise<Run> {
    const env = {
      ...process.env,
      ...s.env,
      SLIPWAY_PROJECT_DIR: s.workDir,
      SLIPWAY_RESOLVE: `staging.example.com:127.0.0.1:${emu.coolify.port}`,
      SLIPWAY_HEALTH_ATTEMPTS: "5",
      SLIPWAY_HEALTH_INTERVAL_MS: "300",
      SLIPWAY_HEALTH_TIMEOUT_MS: "5000",
      SLIPWAY_RELEASE_COMMIT: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_ACTOR: "e2e-bot",
    };
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: s.workDir, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 360_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  const serving = async () => (await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).image;

  it("usage errors print the valid forms, exit 2 and touch nothing", async () => {
    const before = emu.coolify.log.length;
    const r = await slipway("deploy");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("slipway deploy: missing <stack>");
    expect(r.stderr).toContain("rollback <stack> [--to <release|update-version>] [--yes]");
    expect(emu.coolify.log.length).toBe(before);
  });

  it("deploy: first release passes its health gate", async () => {
    const r = await slipway("deploy", "staging", "--image", GOOD, "--message", "first release");
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/health gate: https:\/\/staging\.example\.com\/healthz is healthy/);
    expect(await serving()).toBe(GOOD);
  });

  it("deploy: a release that fails its health gate rolls back by itself and exits non-zero", async () => {
    emu.coolify.markImageUnhealthy(BAD);
    const r = await slipway("deploy", "staging", "--image", BAD);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("automatic rollback to update #1");
    expect(r.stdout).toMatch(/rolled back: update #\d+ runs what update #1 ran/);
    expect(await serving()).toBe(GOOD);
    const config = JSON.parse((await s.stack.getConfig("slipway:image")).value) as { ref: string };
    expect(config.ref).toBe(GOOD);
    // Not only serving: configured with it too, so Coolify's next redeploy does not bring the bad image back.
    const apps = emu.coolify.state.applications;
    expect(apps.map((a) => a.docker_registry_image_tag)).toEqual(["a".repeat(64)]); // Coolify v4.3.10 stores a digest as repo@sha256 + hex
  });

  it("releases lists what happened, newest first", async () => {
    const r = await slipway("releases", "staging");
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^version\s+kind\s+tag\s+commit\s+image/);
    expect(rows[1]).toMatch(/^#3\s+automatic-rollback\s/);
    expect(rows[2]).toMatch(/^#2\s+release\s.*failed$/);
    expect(rows[3]).toMatch(/^#1\s+release\s+-\s+0123456\s+ghcr\.io\/acme\/shop@sha256:aaaaaaaaaaaa\s.*succeeded$/);
  });

  it("rollback --to an earlier release redeploys exactly its image; without --yes off a terminal it refuses", async () => {
    const next = await slipway("deploy", "staging", "--image", NEXT);
    expect(next.code, next.stderr.slice(-3000)).toBe(0);
    expect(await serving()).toBe(NEXT);

    const refused = await slipway("rollback", "staging", "--to", "1");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("rollback needs --yes when not run in a terminal; nothing changed");
    expect(JSON.parse((await s.stack.getConfig("slipway:image")).value)).toMatchObject({ ref: NEXT });

    const r = await slipway("rollback", "staging", "--to", "1", "--yes");
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toContain(`rollback staging to update #1, image ${GOOD}`);
    expect(r.stdout).toMatch(/config that changes: .*slipway:image/);
    expect(await serving()).toBe(GOOD);
  });

  it("pr up twice updates one preview stack; pr down leaves nothing behind", async () => {
    const appNames = () => (emu.fly.inventory() as { apps: Array<{ name: string }> }).apps.map((a) => a.name);
    // The mirrored project holds only the staging stack file; `pr up` reads the template beside Pulumi.yaml.
    copyFileSync(path.join(repoRoot, "Pulumi.pr.yaml"), path.join(s.workDir, "Pulumi.pr.yaml"));
    const first = await slipway("pr", "up", "7");
    expect(first.code, first.stderr.slice(-3000)).toBe(0);
    expect(appNames()).toContain("shop-pr-7");
    const second = await slipway("pr", "up", "7");
    expect(second.code, second.stderr.slice(-3000)).toBe(0);
    expect(second.stdout).toMatch(/^pr-7: update #2 succeeded/m);
    expect(appNames().filter((n) => n === "shop-pr-7")).toHaveLength(1);

    const down = await slipway("pr", "down", "7");
    expect(down.code, down.stderr.slice(-3000)).toBe(0);
    expect(down.stdout).toContain("pr-7: destroyed and removed");
    expect(appNames().filter((n) => n.startsWith("shop-pr-7"))).toEqual([]);
    // Destroyed machines stay listed as "destroyed" for a while, as on Fly; none may still be alive.
    const machines = (emu.fly.inventory() as { machines: Array<{ app: string; state: string }> }).machines;
    expect(machines.filter((m) => m.app === "shop-pr-7" && m.state !== "destroyed")).toEqual([]);
    const again = await slipway("pr", "down", "7");
    expect(again.stdout).toContain("pr-7: no such stack; nothing to destroy");
  });
});
