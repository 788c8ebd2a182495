import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { convergence, runArmed, scenario, type Scenario } from "./faults/matrix";

/**
 * The representative slice of the fault matrix that runs in `npm test` (the full matrix: `npm run test:faults`,
 * test/faults/). The three defects of issue 11 and a SIGKILL during a Fly create, each on the real engine against
 * the emulators, each ending converged: an empty preview, nothing duplicated, orphaned or missing. (The SIGKILL
 * during a Coolify create is test/e2e/crash.test.ts.)
 */

describe("fault matrix slice on the real engine", () => {
  it("defect 2: an ambiguous Coolify application create whose look-ups then fail; the next up adopts it (no 409, no orphan)", async () => {
    const r = await runArmed("staging", "up from nothing", (emu) => {
      emu.coolify.injectFault({ method: "POST", path: "/applications/dockerimage", times: 1, fault: { kind: "ambiguous", status: 500 } });
      emu.coolify.injectFault({ method: "GET", path: "/applications", times: 30, fault: { kind: "status", status: 500 }, after: { method: "POST", path: "/applications/dockerimage" } });
    });
    expect(r.firstUp).not.toBe("succeeded");
    expect(r.problems).toEqual([]);
  });

  it("defect 2 on Postgres: an ambiguous Coolify database create whose look-ups fail; one database after the next up", async () => {
    const r = await runArmed("staging", "up from nothing", (emu) => {
      emu.coolify.injectFault({ method: "POST", path: "/databases/postgresql", times: 1, fault: { kind: "ambiguous", status: 502 } });
      emu.coolify.injectFault({ method: "GET", path: "/databases", times: 30, fault: { kind: "status", status: 500 }, after: { method: "POST", path: "/databases/postgresql" } });
    });
    expect(r.problems).toEqual([]);
  });

  it("defect 1: a Fly volume create that times out while its siblings are made takes none of theirs", async () => {
    const r = await runArmed("production", "up from nothing", (emu) => {
      emu.fly.injectFault({ method: "POST", path: "/v1/apps/{app_name}/volumes", times: 1, fault: { kind: "hang", ms: 6_000 } });
    });
    expect(r.hit).toBe(true);
    expect(r.problems).toEqual([]);
  });

  it("defect 3: a lease acquire whose answer was lost does not block the deploy: the update succeeds at once", async () => {
    const r = await runArmed("production", "up with a new digest", (emu) => {
      emu.fly.injectFault({ method: "POST", path: "/v1/apps/{app_name}/machines/{machine_id}/lease", times: 1, fault: { kind: "ambiguous", status: 500 } });
    });
    expect(r.hit).toBe(true);
    expect(r.firstUp).toBe("succeeded");
    expect(r.problems).toEqual([]);
  });
});

describe("SIGKILL during a Fly create, then plain `pulumi cancel` + `pulumi up`", () => {
  let sc: Scenario;
  let s: EngineStack;
  beforeAll(async () => {
    sc = await scenario("production");
    s = sc.s;
  });
  afterAll(async () => sc?.close());

  it("converges: the killed run's volumes and machines are adopted, none made twice", async () => {
    const emu = sc.emu;
    // Hold the first machine create, so the engine is killed with volumes made and machine creates in flight.
    emu.fly.injectFault({ method: "POST", path: "/v1/apps/{app_name}/machines", times: 1, fault: { kind: "hang", ms: 60_000 } });
    const up = s.up().then(() => "completed", () => "killed");
    const end = Date.now() + 240_000;
    while (!emu.fly.log.some((c) => c.method === "POST" && c.template === "/v1/apps/{app_name}/machines")) {
      if (Date.now() > end) throw new Error("no machine create was sent");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(s.killEngine("SIGKILL")).toBeGreaterThan(0);
    expect(await up).toBe("killed");

    await s.stack.cancel();
    await s.up();
    expect(await convergence(emu, s, "production")).toEqual([]);
  });
});
