import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { runSlipway, stagingStack, type CliRun } from "./cli-run";
import { startEmulators, type Emulators } from "./stacks";

/**
 * One deploy per stack at a time (issue 11): `slipway deploy` holds the stack's deploy lock — a stack tag in the
 * file backend — for preview, up and health gate. A second deploy meanwhile is refused with the holder, command and
 * start time and changes nothing; a lock left by a killed run is shown by `lock status`, refuses deploys by name
 * and goes with `lock release`. Staging without `slipway:github` (its provider plugin is not buildable offline).
 */
const digest = (c: string) => `ghcr.io/acme/shop@sha256:${c.repeat(64)}`;
const FIRST = digest("a");
const SECOND = digest("d");

describe("the deploy lock on the staging stack", () => {
  let emu: Emulators;
  let s: EngineStack;

  beforeAll(async () => {
    emu = await startEmulators();
    s = await stagingStack(emu);
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  function slipway(...args: string[]): Promise<CliRun> {
    const env = {
      ...process.env,
      ...s.env,
      SLIPWAY_PROJECT_DIR: s.workDir,
      SLIPWAY_RESOLVE: `staging.example.com:127.0.0.1:${emu.coolify.port}`,
      SLIPWAY_HEALTH_ATTEMPTS: "5",
      SLIPWAY_HEALTH_INTERVAL_MS: "300",
      SLIPWAY_LOCK_SETTLE_MS: "500",
      SLIPWAY_RELEASE_COMMIT: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_ACTOR: "e2e-bot",
    };
    return runSlipway(args, { cwd: s.workDir, env, timeoutMs: 360_000 });
  }

  const lockTags = async () => Object.keys(await s.stack.listTags()).filter((t) => t.startsWith("slipway:lock:"));
  async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // The image a deploy hands the program for its run (`slipway:release.image`, put back when the run ends).
  const configuredImage = async () => (JSON.parse((await s.stack.getConfig("slipway:release")).value) as { image: string }).image;

  it("a second deploy while the first runs is refused with who, what and since when, and changes nothing", async () => {
    // The first deploy's wait for its Coolify deployment hangs a while, so it is mid-sequence when the second starts.
    emu.coolify.injectFault({ method: "GET", path: "/deployments/{uuid}", times: 1, fault: { kind: "hang", ms: 12_000 } });
    const first = slipway("deploy", "staging", "--image", FIRST);
    await until("the first deploy's lock", async () => (await lockTags()).length === 1);
    await until("the first deploy's Coolify deployment", () => emu.coolify.state.deployments.length > 0);

    const second = await slipway("deploy", "staging", "--image", SECOND);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /slipway: stack staging is locked by e2e-bot@\S+ running "slipway deploy staging" since \d{4}-\d\d-\d\dT[\d:.]+Z \(tag slipway:lock:[0-9a-f]{12}\); nothing was changed/,
    );
    // Refused before anything was written: neither the stack's config nor Coolify ever saw the second image.
    expect(await configuredImage()).toBe(FIRST);

    const done = await first;
    expect(done.code, done.stderr.slice(-3000)).toBe(0);
    expect(await lockTags()).toEqual([]);
    const tags = emu.coolify.state.applications.map((a) => a.docker_registry_image_tag);
    // Coolify v4.3.10 stores a digest reference as name `repo@sha256` + tag `<hex>` (ApplicationsController create).
    expect(tags).toEqual(["a".repeat(64)]);
    expect(emu.coolify.log.some((c) => JSON.stringify(c.body ?? "").includes("d".repeat(64)))).toBe(false);
  });

  it("lock status says not locked when nothing runs", async () => {
    const r = await slipway("lock", "status", "staging");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("staging: not locked");
  });

  it("a deploy killed mid-sequence leaves its lock: status shows it, deploy is refused by name, lock release clears it", async () => {
    emu.coolify.injectFault({ method: "GET", path: "/deployments/{uuid}", times: 1, fault: { kind: "hang", ms: 60_000 } });
    const deployments = emu.coolify.state.deployments.length;
    const killed = slipway("deploy", "staging", "--image", SECOND);
    await until("the deploy's lock", async () => (await lockTags()).length === 1);
    await until("its Coolify deployment", () => emu.coolify.state.deployments.length > deployments);
    expect(s.killEngine("SIGKILL")).toBeGreaterThan(0);
    expect((await killed).code).not.toBe(0);

    const status = await slipway("lock", "status", "staging");
    expect(status.stdout).toMatch(/^staging: locked by slipway:lock:[0-9a-f]{12}: e2e-bot@\S+ running "slipway deploy staging" since /);
    const refused = await slipway("deploy", "staging", "--image", FIRST);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/stack staging is locked by e2e-bot@\S+ running "slipway deploy staging"/);
    expect(refused.stderr).toContain("`npx slipway lock release staging`");

    const released = await slipway("lock", "release", "staging");
    expect(released.code).toBe(0);
    expect(released.stdout).toMatch(/^staging: released slipway:lock:[0-9a-f]{12}: e2e-bot@\S+ running "slipway deploy staging"/);
    expect(await lockTags()).toEqual([]);
    // Killed in flight, so the engine recorded a pending operation: deploy says to run recover and touches nothing.
    const pending = await slipway("deploy", "staging", "--image", FIRST);
    expect(pending.code).toBe(1);
    expect(pending.stderr).toMatch(/stack staging has 1 pending operation from an interrupted run: coolify-app-app \(updating\); nothing was changed\. Run `npx slipway recover staging`/);
    expect(await lockTags()).toEqual([]);
  });
});
