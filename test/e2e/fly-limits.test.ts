import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { editConfig, scenarioStack, secretValue, startEmulators, type Emulators } from "./stacks";

/**
 * What Fly would refuse mid-deploy — a region typo, a guest Fly cannot size, an image reference no host can pull —
 * is refused by `pulumi up` before the first API call, with one line per mistake naming its config path. The rules
 * are the ones the Fly emulator answers with Fly's statuses (components/fly/limits.ts), so this is not a stricter
 * or looser guess than the platform.
 */
describe("production stack with Fly limits broken", () => {
  let emu: Emulators;
  let s: EngineStack;

  beforeAll(async () => {
    emu = await startEmulators();
    s = await scenarioStack({
      emulators: emu,
      stackFile: "production",
      drop: ["slipway:github"],
      secrets: { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_live_${secretValue("stripe").replace(/-/g, "")}` },
    });
    await editConfig<{ fly: { regions: string[]; guest: Record<string, unknown> } }>(s, "slipway:scaling", (v) => {
      v.fly.regions = ["ewrr"];
      v.fly.guest = { cpuKind: "shared", cpus: 1, memoryMb: 65536 };
      return v;
    });
    await editConfig<Record<string, unknown>>(s, "slipway:database", (v) => ({ ...v, image: "NOT A::valid image@@" }));
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  it("fails `pulumi up` with every mistake listed, and makes 0 Fly API calls", async () => {
    const failure = await s.up().then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(failure).toBeDefined();
    expect(failure).toContain("invalid slipway stack config (3 problems)");
    expect(failure).toContain('slipway:database.image: expected a Postgres image like pgvector/pgvector:pg16 (invalid reference format: repository name must be lowercase), got "NOT A::valid image@@"');
    expect(failure).toContain('slipway:scaling.fly.regions[0]: expected a Fly region (ams, arn, bom, cdg, dfw, ewr, fra, gru, iad, jnb, lax, lhr, nrt, ord, sin, sjc, syd, yyz), got "ewrr"');
    expect(failure).toContain("slipway:scaling.fly.guest.memoryMb: expected 256–2048 MB for 1 shared CPU, got 65536");
    expect(emu.fly.log).toEqual([]);
    expect(emu.fly.state.apps.size).toBe(0);
    // Nothing but the stack itself and the engine's default provider for the dynamic resources, which the program's
    // preload asks for at once (infra/boot/early-plugin.js) so the plugin starts while the program loads: engine
    // bookkeeping, no platform resource. The two registrations race (the preload's worker against the runner's
    // Stack), so their order in the state is not part of the contract.
    const state = await s.exportState();
    expect(state.map((r) => r.type).sort()).toEqual(["pulumi:providers:pulumi-nodejs", "pulumi:pulumi:Stack"]);
    const provider = state.find((r) => r.type === "pulumi:providers:pulumi-nodejs");
    expect(provider?.urn).toMatch(/::pulumi:providers:pulumi-nodejs::default$/);
  });
});
