import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { appRequest, callsSince, editConfig, inputChanges, logMark, mutating, prStack, startEmulators, type Emulators } from "./stacks";

/**
 * f. A per-PR preview stack `pr-<n>` from Pulumi.pr.yaml (the config `npx slipway pr up <n>` gives it, {{pr}}
 * replaced by stacks/files.ts renderPrTemplate): created, updated (c: the machine count), destroyed and
 * removed — after which nothing of it is left on Fly or in the backend.
 */
const PR = 7;
const APP = `shop-pr-${PR}`;
const IMAGE = "ghcr.io/acme/shop@sha256:bf2816be5acdfe62da1d5b0ff224081a64c2f89a2ce8e9d162875a671dcf61e6";

interface Scaling {
  fly: { maxMachines: number; [k: string]: unknown };
}

describe(`per-PR stack pr-${PR} from Pulumi.pr.yaml`, () => {
  let emu: Emulators;
  let s: EngineStack;

  beforeAll(async () => {
    emu = await startEmulators();
    s = await prStack(emu, PR);
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  /** Machines that exist (destroyed ones stay visible for a while, as on Fly). */
  const liveMachines = () => [...emu.fly.state.machines.values()].filter((m) => m.state !== "destroyed" && m.appName === APP);
  const webMachines = () => liveMachines().filter((m) => m.config.metadata?.slipway_app === "shop" && m.config.restart?.policy !== "no");

  it("is created from the template with the PR number everywhere {{pr}} was", async () => {
    const r = await s.up();
    const app = emu.fly.state.apps.get(APP);
    expect(app).toMatchObject({ name: APP, orgSlug: "acme" });
    expect([...emu.fly.state.apps.keys()]).toEqual([APP]);
    // One web machine (maxMachines: 1), small and suspendable, running the pinned image with the template's env.
    const web = webMachines();
    expect(web).toHaveLength(1);
    const m = web[0];
    expect(m?.state).toBe("started");
    expect(m?.region).toBe("ewr");
    expect(m?.config.image).toBe(IMAGE);
    expect(m?.config.guest).toMatchObject({ cpu_kind: "shared", cpus: 1, memory_mb: 256 });
    expect(m?.config.env).toMatchObject({ PUBLIC_URL: `https://${APP}.fly.dev`, LOG_LEVEL: "debug", DATABASE_URL: "file:/app/data/shop.db" });
    expect(m?.config.services?.[0]).toMatchObject({ internal_port: 3000, autostop: "suspend", autostart: true });
    // No Postgres, no volume, no custom domain: the template is cheap by design.
    expect(emu.fly.state.volumes.size).toBe(0);
    expect(app?.certificates.size).toBe(0);
    // No release command (it cannot migrate SQLite in the app's container on Fly): no one-shot machine, ever.
    expect([...emu.fly.state.machines.values()].filter((x) => x.appName === APP && x.config.restart?.policy === "no")).toEqual([]);
    expect(emu.coolify.log).toEqual([]);
    expect(emu.github.log).toEqual([]);

    const out = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
    expect(out).toMatchObject({
      url: `https://${APP}.fly.dev`,
      urls: [`https://${APP}.fly.dev`],
      healthUrl: `https://${APP}.fly.dev/healthz`,
      imageRef: IMAGE,
      flyAppName: APP,
      flyHostname: `${APP}.fly.dev`,
      flyMachineIds: [m?.id],
    });
    expect(await appRequest(emu.fly.origin, `${APP}.fly.dev`, "/healthz")).toMatchObject({ status: 200 });
  });

  it("c. scaling to two machines previews as an in-place `count` change of the web group only; up adds one machine", async () => {
    const before = webMachines().map((m) => m.id);
    await editConfig<Scaling>(s, "slipway:scaling", (sc) => ({ ...sc, fly: { ...sc.fly, maxMachines: 2 } }));
    const mark = logMark(emu);
    const p = await s.preview({ diff: true });
    expect(mutating(callsSince(emu, mark))).toEqual([]);
    // The default dynamic provider is handed the stack config, hence its (API-less) update.
    expect(inputChanges(p.events).map((c) => [c.name, c.type, c.op, c.paths])).toEqual([
      ["default", "pulumi:providers:pulumi-nodejs", "update", ["slipway:scaling"]],
      ["fly-web", "pulumi-nodejs:dynamic/fly:MachineGroup", "update", ["count"]],
    ]);
    expect(p.stdout).toMatch(/count\s*:\s*1\s*=>\s*2/);

    const u = await s.up();
    expect(inputChanges(u.events).map((c) => [c.name, c.op])).toEqual([["default", "update"], ["fly-web", "update"]]);
    const after = webMachines();
    expect(after).toHaveLength(2);
    // The machine that served before still does: scaling out adds, it does not replace.
    expect(after.map((m) => m.id)).toEqual(expect.arrayContaining(before));
    expect(after.every((m) => m.state === "started" && m.config.image === IMAGE)).toBe(true);
    expect([...((u.outputs.flyMachineIds?.value as string[]) ?? [])].sort()).toEqual(after.map((m) => m.id).sort());
  });

  it("destroyed and removed: nothing of it is left on Fly or in the backend", async () => {
    const r = await s.destroy();
    expect(r.summary.delete).toBeGreaterThan(3);
    expect(await s.exportState()).toEqual([]);
    await s.stack.workspace.removeStack(s.stack.name);
    expect((await s.stack.workspace.listStacks()).map((x) => x.name)).not.toContain(s.stack.name);

    // Past Fly's window in which destroyed machines are still listed.
    emu.fly.advance(10 * 60_000);
    expect([...emu.fly.state.apps.keys()]).toEqual([]);
    expect([...emu.fly.state.machines.values()].map((m) => `${m.id} ${m.state}`)).toEqual([]);
    expect(emu.fly.state.volumes.size).toBe(0);
    expect((await appRequest(emu.fly.origin, `${APP}.fly.dev`, "/healthz")).status).not.toBe(200);
  });
});
