import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { editConfig, prStack, scenarioStack, secretValue, startEmulators, type Emulators } from "./stacks";

/**
 * Stacks written by slipway before provider keys (a1157a4: each resource's state names its provider by MODULE
 * PATH through the old `lazyProvider` loader) still refresh, update and destroy with today's code.
 *
 * Why the state is assembled, not imported whole: a state names platform ids, which only the emulator run that
 * wrote it knows. So today's stacks go up against fresh emulators, and then every dynamic resource's serialized
 * provider — the only part of a state that names code — is replaced by the text a1157a4 wrote for that type
 * (fixtures/legacy-state/providers.json, captured from a1157a4 on this engine). From there on the engine runs
 * exactly what it would with such a state: refresh and delete use the loader IN THE STATE (the old, path-based
 * one), update and create the loader the program registers now (the key-based one).
 */
interface LegacyFixture {
  writtenBy: string;
  providers: Record<string, string>;
}
const FIXTURE = JSON.parse(readFileSync(path.join(__dirname, "fixtures/legacy-state/providers.json"), "utf8")) as LegacyFixture;
const PR = 9;
const APP = `shop-pr-${PR}`;

interface Resource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
interface Scaling {
  fly: { maxMachines: number; [k: string]: unknown };
}
interface AppConfig {
  env: Record<string, string>;
  [k: string]: unknown;
}

const name = (r: Resource): string => r.urn.split("::").pop() ?? r.urn;
const loaderOf = (r: Resource): string => String(r.outputs?.__provider ?? "");
const isDynamic = (r: Resource): boolean => r.type.startsWith("pulumi-nodejs:dynamic");
// Types slipway gained after the fixture's release: a stack upgraded from it creates them with today's key, so
// they stay on the key here and are not part of the "written by the old release" assertions.
const BORN_AFTER_FIXTURE = new Set(["pulumi-nodejs:dynamic/slipway:Release"]);
const isLegacy = (r: Resource): boolean => isDynamic(r) && !BORN_AFTER_FIXTURE.has(r.type);

async function resources(s: EngineStack): Promise<Resource[]> {
  return (await s.exportState()) as unknown as Resource[];
}

/**
 * Types added after a1157a4 (still by the path-based loader, until keys): their legacy text is a1157a4's loader
 * with their own module and export, which is all that differed between types (the loader captured just those).
 */
const LATER_TYPES: Record<string, { module: string; export: string }> = {
  "pulumi-nodejs:dynamic/coolify:VolumeBackup": { module: "components/coolify/volume-backup.provider.ts", export: "coolifyVolumeBackupProvider" },
};
function legacyLoader(type: string): string | undefined {
  const later = LATER_TYPES[type];
  if (!later) return FIXTURE.providers[type];
  const template = FIXTURE.providers["pulumi-nodejs:dynamic/coolify:Application"] ?? "";
  return template
    .replace('modulePath: "components/coolify/application.provider.ts"', `modulePath: "${later.module}"`)
    .replace('exportName: "coolifyApplicationProvider"', `exportName: "${later.export}"`);
}

/** Puts a1157a4's serialized provider into every dynamic resource of the stack; returns the types it had none for. */
async function makeLegacy(s: EngineStack): Promise<string[]> {
  const exported = await s.stack.exportStack();
  const deployment = exported.deployment as { resources: Resource[] };
  const missing: string[] = [];
  for (const r of deployment.resources.filter(isLegacy)) {
    const legacy = legacyLoader(r.type);
    if (!legacy) {
      missing.push(r.type);
      continue;
    }
    for (const bag of [r.inputs, r.outputs]) if (bag && "__provider" in bag) bag.__provider = legacy;
  }
  await s.stack.importStack(exported);
  return missing;
}

describe(`a state written by the path-based loader (slipway ${FIXTURE.writtenBy.slice(0, 7)}), with provider keys`, () => {
  let emu: Emulators;
  let staging: EngineStack;
  let pr: EngineStack;

  beforeAll(async () => {
    emu = await startEmulators();
    staging = await scenarioStack({
      emulators: emu,
      stackFile: "staging",
      drop: ["slipway:github"],
      secrets: { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}` },
    });
    pr = await prStack(emu, PR);
  }, 120_000);
  afterAll(async () => {
    await staging?.cleanup();
    await pr?.cleanup();
    await emu?.close();
  });

  it("is assembled: both stacks up today, then every dynamic resource names its provider by a1157a4's module path", async () => {
    await staging.up();
    await pr.up();
    const fresh = [...(await resources(staging)), ...(await resources(pr))].filter(isDynamic);
    // What today's loader stores: the key and the registry's path, no provider module path.
    expect(fresh.every((r) => /key: "[a-z-]+:[a-z-]+"/.test(loaderOf(r)) && !loaderOf(r).includes("modulePath"))).toBe(true);

    expect(await makeLegacy(staging)).toEqual([]);
    expect(await makeLegacy(pr)).toEqual([]);
    const legacy = [...(await resources(staging)), ...(await resources(pr))].filter(isLegacy);
    expect(legacy.map((r) => r.type).sort()).toEqual(fresh.filter(isLegacy).map((r) => r.type).sort());
    expect(legacy.every((r) => /modulePath: "components\/[a-z/-]+\.provider\.ts"/.test(loaderOf(r)))).toBe(true);
  });

  it("refreshes through the old loaders: every resource read back, nothing changed", async () => {
    for (const s of [staging, pr]) {
      const r = await s.refresh();
      expect(r.summary).not.toHaveProperty("delete");
      expect(r.summary).not.toHaveProperty("update");
      // Still the old loaders: a refresh keeps the provider the state names.
      expect((await resources(s)).filter(isLegacy).every((x) => loaderOf(x).includes("modulePath"))).toBe(true);
    }
  });

  it("updates in place with today's provider, and the updated resource's state then names its key", async () => {
    await editConfig<AppConfig>(staging, "slipway:app", (a) => ({ ...a, env: { ...a.env, LOG_LEVEL: "warn" } }));
    const u = await staging.up();
    expect(u.summary).toMatchObject({ update: expect.any(Number) });
    expect(u.summary).not.toHaveProperty("replace");
    expect(u.summary).not.toHaveProperty("create");
    const app = emu.coolify.state.applications[0];
    expect(app?.envs.find((e) => e.key === "LOG_LEVEL" && !e.is_preview)?.value).toBe("warn");
    const after = (await resources(staging)).filter(isDynamic);
    const application = after.find((r) => r.type === "pulumi-nodejs:dynamic/coolify:Application");
    expect(loaderOf(application!)).toContain('key: "coolify:application"');
    // Untouched resources keep the loader their state names until they change: delete must still work with it.
    expect(after.filter((r) => loaderOf(r).includes("modulePath")).map(name).length).toBeGreaterThan(0);

    await editConfig<Scaling>(pr, "slipway:scaling", (sc) => ({ ...sc, fly: { ...sc.fly, maxMachines: 2 } }));
    const p = await pr.up();
    expect(p.summary).not.toHaveProperty("replace");
    expect([...emu.fly.state.machines.values()].filter((m) => m.appName === APP && m.state === "started" && m.config.restart?.policy !== "no")).toHaveLength(2);
  });

  it("destroys, old loaders and new: nothing left on Coolify or Fly", async () => {
    const loaders = [...(await resources(staging)), ...(await resources(pr))].filter(isDynamic).map(loaderOf);
    expect(loaders.some((l) => l.includes("modulePath"))).toBe(true);
    expect(loaders.some((l) => l.includes('key: "'))).toBe(true);
    for (const s of [staging, pr]) {
      const r = await s.destroy();
      expect(r.summary.delete).toBeGreaterThan(2);
      expect(await s.exportState()).toEqual([]);
    }
    expect(emu.coolify.state.applications).toEqual([]);
    expect(emu.coolify.state.databases).toEqual([]);
    expect(emu.coolify.state.projects).toEqual([]);
    emu.fly.advance(10 * 60_000); // past Fly's window in which destroyed machines are still listed
    expect([...emu.fly.state.apps.keys()]).toEqual([]);
    expect([...emu.fly.state.machines.values()].map((m) => `${m.id} ${m.state}`)).toEqual([]);
  });
});
