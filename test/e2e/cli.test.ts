import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/engine";
import type { EngineStack } from "./harness";
import { probeApp } from "../../scripts/sandbox/report";
import { runCommand, SLIPWAY_BIN, stagingStack, type CliRun } from "./cli-run";
import { appRequest, previewSecretEnv, previewSecretValues, startEmulators, type Emulators } from "./stacks";
import { installUserPulumi, type UserPulumi } from "./user-pulumi";

/**
 * `npx slipway …` as a user runs it: a child process with pulumi installed the way a user has it (its own
 * directory on PATH, a fresh PULUMI_HOME, nothing of slipway's engine cache; see user-pulumi.ts), a file
 * backend, the emulators as the platforms, against the staging stack (Coolify, health-gated rolling updates)
 * and a PR stack (Fly). The project is a git checkout: after every command `git status` must be clean — the
 * CLI records releases in the stack's history, not in the working copy. The health gate reaches
 * https://staging.example.com on the Coolify emulator through SLIPWAY_RESOLVE. Without `slipway:github`: its
 * provider plugin cannot be built offline (engine.json records why).
 */
const digest = (c: string) => `ghcr.io/acme/shop@sha256:${c.repeat(64)}`;
const GOOD = digest("a");
const BAD = digest("b");
const NEXT = digest("c");

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

describe("slipway CLI with the user's own pulumi, against the emulators", () => {
  let emu: Emulators;
  let s: EngineStack;
  let user: UserPulumi;
  let committed: string;

  beforeAll(async () => {
    emu = await startEmulators();
    s = await stagingStack(emu);
    user = installUserPulumi();
    // `pr up` reads the template beside Pulumi.yaml; then the project is committed as a user's checkout is.
    copyFileSync(path.join(repoRoot, "Pulumi.pr.yaml"), path.join(s.workDir, "Pulumi.pr.yaml"));
    git(s.workDir, "init", "-q");
    git(s.workDir, "add", "-A");
    git(s.workDir, "-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid", "commit", "-qm", "checkout");
    committed = readFileSync(path.join(s.workDir, "Pulumi.staging.yaml"), "utf8");
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
    user?.remove();
  });

  function env(extra: Record<string, string> = {}): Record<string, string> {
    // Never the test process's own SLIPWAY_SECRET_* (a developer's shell may have some): only what a case hands in.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SLIPWAY_SECRET_")));
    return user.env({
      ...inherited,
      ...emu.env,
      PULUMI_BACKEND_URL: s.env.PULUMI_BACKEND_URL,
      PULUMI_CONFIG_PASSPHRASE: s.env.PULUMI_CONFIG_PASSPHRASE,
      SLIPWAY_E2E_MARKER: s.marker,
      SLIPWAY_PROJECT_DIR: s.workDir,
      SLIPWAY_RESOLVE: `staging.example.com:127.0.0.1:${emu.coolify.port},shop-pr-7.fly.dev:127.0.0.1:${emu.fly.port}`,
      SLIPWAY_HEALTH_ATTEMPTS: "5",
      SLIPWAY_HEALTH_INTERVAL_MS: "300",
      SLIPWAY_HEALTH_TIMEOUT_MS: "5000",
      SLIPWAY_RELEASE_COMMIT: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_ACTOR: "e2e-bot",
      ...extra,
    });
  }

  /** Runs a command in the checkout to completion (bounded: killed after 6 minutes). */
  const run = (command: string, args: string[], environment: Record<string, string>): Promise<CliRun> => runCommand(command, args, { cwd: s.workDir, env: environment });
  const slipway = (...args: string[]) => run(process.execPath, [SLIPWAY_BIN, ...args], env());

  const serving = async () => (await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).image;
  const previewServing = async () => (await probeApp(emu.fly.origin, "shop-pr-7.fly.dev", "/healthz")).image;
  // What the PR workflow maps from the preview environment's secrets (SLIPWAY_SECRET_<NAME>).
  const previewSecrets = previewSecretValues() as { SESSION_SECRET: string; STRIPE_API_KEY: string };
  const previewEnv = previewSecretEnv(previewSecrets);
  /** Files of the file backend holding `value` in plaintext. */
  const backendContains = (value: string): string[] => {
    const root = (s.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
    return (readdirSync(root, { recursive: true }) as string[]).filter((f) => {
      const file = path.join(root, f);
      return statSync(file).isFile() && readFileSync(file, "utf8").includes(value);
    });
  };
  const clean = () => expect(git(s.workDir, "status", "--porcelain")).toBe("");
  const deployed = async () => (await s.stack.outputs()).imageRef?.value;

  it("usage errors print the valid forms, exit 2 and touch nothing", async () => {
    const before = emu.coolify.log.length;
    const r = await slipway("deploy");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("slipway deploy: missing <stack>");
    expect(r.stderr).toContain("rollback <stack> [--to <release|update-version>] [--yes]");
    expect(emu.coolify.log.length).toBe(before);
  });

  it("with no pulumi installed at all: one message saying how to install it", async () => {
    const r = await run(process.execPath, [SLIPWAY_BIN, "preview", "staging"], { ...env(), PATH: path.dirname(process.execPath), HOME: path.join(user.home, "..", "nobody") });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^slipway: no pulumi CLI found \(looked on PATH and in .*\)\.\nInstall it: curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
    clean();
  });

  it("deploy: the first release passes its health gate; the stack file is as committed", async () => {
    const r = await slipway("deploy", "staging", "--image", GOOD, "--message", "first release");
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/health gate: https:\/\/staging\.example\.com\/healthz is healthy/);
    expect(await serving()).toBe(GOOD);
    expect(await deployed()).toBe(GOOD);
    clean();
  });

  it("deploy: a release that fails its health gate rolls back by itself to the recorded digest and exits non-zero", async () => {
    emu.coolify.markImageUnhealthy(BAD);
    const r = await slipway("deploy", "staging", "--image", BAD);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`automatic rollback to update #1, image ${GOOD}`);
    expect(r.stdout).toMatch(/rolled back: update #\d+ runs what update #1 ran/);
    expect(await serving()).toBe(GOOD);
    expect(await deployed()).toBe(GOOD);
    // Not only serving: configured with it too, so Coolify's next redeploy does not bring the bad image back.
    // Coolify v4.3.10 stores a digest as repo@sha256 + hex.
    expect(emu.coolify.state.applications.map((a) => a.docker_registry_image_tag)).toEqual(["a".repeat(64)]);
    clean();
  });

  it("releases lists what happened, newest first", async () => {
    const r = await slipway("releases", "staging");
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^version\s+kind\s+tag\s+commit\s+image/);
    expect(rows[1]).toMatch(/^#3\s+automatic-rollback\s.*ghcr\.io\/acme\/shop@sha256:aaaaaaaaaaaa\s/);
    expect(rows[2]).toMatch(/^#2\s+release\s.*ghcr\.io\/acme\/shop@sha256:bbbbbbbbbbbb\s.*failed$/);
    expect(rows[3]).toMatch(/^#1\s+release\s+-\s+0123456\s+ghcr\.io\/acme\/shop@sha256:aaaaaaaaaaaa\s.*succeeded$/);
    clean();
  });

  it("a plain `pulumi up` from the clean checkout keeps the released image, never the older committed digest", async () => {
    const next = await slipway("deploy", "staging", "--image", NEXT);
    expect(next.code, next.stderr.slice(-3000)).toBe(0);
    expect(await serving()).toBe(NEXT);
    // The committed file still pins the digest the stack was seeded with.
    expect(committed).toContain("ghcr.io/acme/shop@sha256:bf2816be");

    const plainEnv = env();
    delete plainEnv.SLIPWAY_RELEASE_COMMIT;
    const r = await run(path.join(user.binDir, "pulumi"), ["up", "--yes", "--skip-preview", "--stack", "staging", "--color", "never"], plainEnv);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(await serving()).toBe(NEXT);
    expect(await deployed()).toBe(NEXT);
    expect((await s.stack.outputs()).releaseCommit?.value).toBe("0123456789abcdef0123456789abcdef01234567");
    clean();
  });

  it("rollback --to an earlier release redeploys exactly its digest; without --yes off a terminal it refuses", async () => {
    const refused = await slipway("rollback", "staging", "--to", "1");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("rollback needs --yes when not run in a terminal; nothing changed");
    expect(await deployed()).toBe(NEXT);
    clean();

    const r = await slipway("rollback", "staging", "--to", "1", "--yes");
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toContain(`rollback staging to update #1, image ${GOOD}`);
    expect(r.stdout).toMatch(/config that changes: .*slipway:release/);
    expect(await serving()).toBe(GOOD);
    clean();
  });

  it("preview prints the Markdown summary and leaves the checkout clean", async () => {
    const r = await slipway("preview", "staging");
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toContain("staging");
    clean();
  });

  it("pr up: refused without its secrets, and without an image for a new preview; touches nothing either way", async () => {
    const appNames = () => (emu.fly.inventory() as { apps: Array<{ name: string }> }).apps.map((a) => a.name);
    const before = emu.fly.log.length;
    const noSecrets = await run(process.execPath, [SLIPWAY_BIN, "pr", "up", "7", "--image", GOOD], env());
    expect(noSecrets.code).toBe(1);
    expect(noSecrets.stderr).toContain("slipway:secrets.SESSION_SECRET (listed in slipway:app.secretEnv): expected a value in SLIPWAY_SECRET_SESSION_SECRET, got nothing");
    expect(noSecrets.stderr).toContain("SLIPWAY_SECRET_STRIPE_API_KEY, got nothing\nnothing was changed");
    const noImage = await run(process.execPath, [SLIPWAY_BIN, "pr", "up", "7"], env(previewEnv));
    expect(noImage.code).toBe(1);
    expect(noImage.stdout).toContain("refused: pr-7 has no release yet; its first deploy needs --image");
    expect(emu.fly.log.length).toBe(before);
    expect(appNames()).not.toContain("shop-pr-7");
    // No empty stack left behind either.
    expect((await s.stack.workspace.listStacks()).map((x) => x.name)).not.toContain("pr-7");
    clean();
  });

  it("pr up --image releases that digest with the preview's secrets; pr up again keeps it; pr down leaves nothing behind", async () => {
    const appNames = () => (emu.fly.inventory() as { apps: Array<{ name: string }> }).apps.map((a) => a.name);
    const first = await run(process.execPath, [SLIPWAY_BIN, "pr", "up", "7", "--image", NEXT], env(previewEnv));
    expect(first.code, first.stderr.slice(-3000)).toBe(0);
    expect(first.stdout).toMatch(/health gate: https:\/\/shop-pr-7\.fly\.dev\/healthz is healthy/);
    expect(first.stdout).toMatch(/^pr-7: update #1 succeeded; https:\/\/shop-pr-7\.fly\.dev$/m);
    expect(await previewServing()).toBe(NEXT);
    // The secret reached the app, from the environment; its plaintext is nowhere in the backend or the engine's output.
    expect(emu.fly.state.apps.get("shop-pr-7")?.secrets.get("SESSION_SECRET")?.value).toBe(previewSecrets.SESSION_SECRET);
    expect(backendContains(previewSecrets.SESSION_SECRET)).toEqual([]);
    expect(`${first.stdout}${first.stderr}`).not.toContain(previewSecrets.SESSION_SECRET);
    const releases = await slipway("releases", "pr-7");
    expect(releases.stdout.trim().split("\n")[1]).toMatch(/^#1\s+release\s+-\s+0123456\s+ghcr\.io\/acme\/shop@sha256:cccccccccccc\s.*succeeded$/);
    clean();

    const second = await run(process.execPath, [SLIPWAY_BIN, "pr", "up", "7"], env(previewEnv));
    expect(second.code, second.stderr.slice(-3000)).toBe(0);
    expect(second.stdout).toContain(`image: ${NEXT} (kept: no --image given)`);
    expect(second.stdout).toMatch(/^pr-7: update #2 succeeded/m);
    expect(appNames().filter((n) => n === "shop-pr-7")).toHaveLength(1);
    expect(await previewServing()).toBe(NEXT);

    const down = await slipway("pr", "down", "7");
    expect(down.code, down.stderr.slice(-3000)).toBe(0);
    expect(down.stdout).toContain("pr-7: destroyed and removed");
    expect(appNames().filter((n) => n.startsWith("shop-pr-7"))).toEqual([]);
    // Destroyed machines stay listed as "destroyed" for a while, as on Fly; none may still be alive.
    const machines = (emu.fly.inventory() as { machines: Array<{ app: string; state: string }> }).machines;
    expect(machines.filter((m) => m.app === "shop-pr-7" && m.state !== "destroyed")).toEqual([]);
    const again = await slipway("pr", "down", "7");
    expect(again.stdout).toContain("pr-7: no such stack; nothing to destroy");
    clean();
  });
});
