/**
 * Fly's official Go client against the Fly emulator: fly-go v0.9.3's `flaps`, the Machines API client inside flyctl,
 * runs the machine, lease, volume and secret lifecycles and the creates Fly refuses (see ./fly/goclient/main.go).
 * Every step must pass with fly-go decoding the answers itself, so the emulator speaks the shapes the real API
 * speaks: wrapped leases, the start body, booleans for autostop, nulls for unset fields, soft-deleted volumes.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FlyEmulator, startFlyEmulator } from "./fly";

const run = promisify(execFile);
const SOURCE = resolve(__dirname, "fly/goclient");
const TOKEN = "fo1_goclient";

/** The Go toolchain: $GO, else `go` on PATH, else the standard install location. */
function goBinary(): string {
  if (process.env.GO) return process.env.GO;
  return existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
}

let workDir: string;
let client: string;
let fly: FlyEmulator;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "slipway-fly-goclient-"));
  client = join(workDir, "goclient");
  // Modules come from the Go module cache or the module proxy (go.sum pins them); Go's caches live in the user's
  // cache directories, never in the repo. GOTOOLCHAIN=local keeps Go from fetching another toolchain. A cold build
  // (downloads included) took 436 s here on a loaded 2-core machine, hence the generous bound.
  await run(goBinary(), ["build", "-o", client, "."], {
    cwd: SOURCE,
    timeout: 900_000,
    env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod" },
  });
  fly = await startFlyEmulator({ token: TOKEN });
}, 920_000);

afterAll(async () => {
  await fly?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("fly-go v0.9.3 flaps against the emulator", () => {
  it("runs the machine, lease, volume and secret lifecycles with every step passing, and gets Fly's refusals", async () => {
    // Async on purpose: the emulator answers from this same event loop while the client runs.
    const { stdout } = await run(client, [fly.origin, TOKEN], { timeout: 90_000 }).catch((err: { stdout?: string; stderr?: string }) => {
      throw new Error(`go client failed: ${err.stdout ?? ""} ${err.stderr ?? String(err)}`);
    });
    const { steps, observed } = JSON.parse(stdout.trim()) as { steps: string[]; observed: Record<string, unknown> };
    expect(steps.filter((s) => !s.endsWith(": ok"))).toEqual([]);
    expect(steps).toHaveLength(58);
    expect(observed).toEqual({
      region: "ams",
      guest: "shared-cpu-1x, 256MB RAM",
      listed: 1,
      updateWithoutNonce: expect.stringMatching(/^409 .*lease currently held/),
      startPreviousState: "stopped",
      resumePreviousState: "suspended",
      metadataRole: "web",
      regionZzz: "422 region zzz not found",
      shared1x100MB: "400 invalid_argument: invalid guest: 100MiB of memory is not valid",
      shared1x65536MB: "400 invalid_argument: invalid guest: For shared VMs with 1 CPUs, 65536MiB of memory is too high",
      cpuKindQuantum: "400 invalid_argument: invalid guest: The CPU kind given: quantum, is not valid",
      imageMalformed: '400 invalid_argument: invalid image "NOT A::valid image@@": invalid reference format: repository name must be lowercase',
      volumeCreated: "created 1GB encrypted=true backups=true",
      volumeUpdated: "retention=7 backups=true",
      volumeExtendedGB: 2,
      snapshots: 1,
      volumeDeleteWhileAttached: expect.stringMatching(/^412 failed_precondition: volume is currently bound to machine: /),
      volumeDeletedState: "pending_destroy",
      allVolumes: ["data pending_destroy"],
      liveVolumes: 0,
      volumeRegionZzz: "422 region zzz not found",
      secrets: ["B", "D"],
      secretsVersions: [1, 2, 3, 4],
    });
    expect(fly.responseViolations).toEqual([]);
    const sent = fly.log.map((e) => `${e.method} ${e.path.replace(/[0-9a-f]{14}/g, "{id}").replace(/vol_[a-z0-9]+/g, "{vol}")}`);
    // The requests that used to be refused: bodiless ?ttl= leases and the ?kill=true destroy.
    expect(sent).toContain("POST /v1/apps/goclient/machines/{id}/lease?ttl=60");
    expect(sent).toContain("DELETE /v1/apps/goclient/machines/{id}?kill=true");
    const secretWrites = fly.log.filter((e) => e.method === "POST" && e.path === "/v1/apps/goclient/secrets").map((e) => e.body);
    expect(secretWrites).toContainEqual({ values: { C: null, D: "********" } });
    expect(JSON.stringify(fly.log)).not.toContain('"4"');
  });
});
