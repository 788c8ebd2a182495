import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { callsSince, EngineTranscript, logMark, mutating, pulumiCli, rawExport, scenarioStack, secretValue, startEmulators, type Emulators } from "./stacks";

/**
 * g. The production stack (Fly, protected Postgres and media volumes) refuses `pulumi destroy`: the engine plans
 * the deletes, meets a protected resource, and stops before deleting anything. Plus h on Fly: its secrets
 * (app secrets, the generated database password, the token) never appear in plaintext.
 * Without `slipway:github`: the GitHub provider plugin cannot be built offline (see staging.test.ts).
 */
const APP = "shop-production";

describe("production stack from Pulumi.production.yaml without slipway:github (GitHub provider plugin not buildable offline)", () => {
  let emu: Emulators;
  let s: EngineStack;
  const transcript = new EngineTranscript();
  const secrets = { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_live_${secretValue("stripe").replace(/-/g, "")}` };

  beforeAll(async () => {
    emu = await startEmulators();
    s = await scenarioStack({ emulators: emu, stackFile: "production", drop: ["slipway:github"], secrets });
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  const inventory = () => ({
    apps: [...emu.fly.state.apps.keys()].sort(),
    machines: [...emu.fly.state.machines.values()].filter((m) => m.state !== "destroyed").map((m) => `${m.appName} ${m.id} ${m.state}`).sort(),
    volumes: [...emu.fly.state.volumes.values()].map((v) => `${v.appName} ${v.volume.id} ${v.volume.name}`).sort(),
  });

  it("up from nothing: the app with five machines each on its own media volume, and Postgres on its own app", async () => {
    const r = await s.up();
    transcript.add(r);
    const inv = inventory();
    expect(inv.apps).toEqual([APP, `${APP}-db`]);
    const web = [...emu.fly.state.machines.values()].filter((m) => m.appName === APP && m.state === "started");
    expect(web).toHaveLength(5);
    const media = [...emu.fly.state.volumes.values()].filter((v) => v.appName === APP);
    // Each named media_<8 hex>: the suffix is the volume's ownership mark, one per machine (components/mark.ts).
    expect(media.map((v) => [v.volume.name.replace(/_[0-9a-f]{8}$/, "_<mark>"), v.volume.size_gb, v.volume.region])).toEqual(Array(5).fill(["media_<mark>", 20, "ewr"]));
    expect(new Set(media.map((v) => v.volume.name)).size).toBe(5);
    // Each machine mounts a different volume at /app/media.
    const mounted = web.map((m) => m.config.mounts?.[0]);
    expect(mounted.map((x) => x?.path)).toEqual(Array(5).fill("/app/media"));
    expect(new Set(mounted.map((x) => x?.volume)).size).toBe(5);
    expect([...(emu.fly.state.apps.get(APP)?.certificates.keys() ?? [])].sort()).toEqual(["shop.example.com", "www.shop.example.com"]);
    expect([...(emu.fly.state.apps.get(APP)?.secrets.keys() ?? [])].sort()).toEqual(["DATABASE_URL", "SESSION_SECRET", "STRIPE_API_KEY"]);
    expect(r.outputs.url?.value).toBe("https://shop.example.com");
    expect(r.outputs.flyAppName?.value).toBe(APP);
    expect(r.outputs.flyDatabaseApp?.value).toBe(`${APP}-db`);

    // Protection is recorded in state for the database and every media volume.
    const state = await s.exportState();
    const protectedUrns = state.filter((x) => x.protect).map((x) => x.urn.split("::").pop());
    expect(protectedUrns).toEqual(expect.arrayContaining(["fly-postgres", ...[0, 1, 2, 3, 4].map((m) => `fly-volume-media-${m}`)]));
  });

  it("g. `pulumi destroy` is refused while the database and volumes are protected: state and platform unchanged", async () => {
    const before = await s.exportState();
    const platform = inventory();
    const mark = logMark(emu);

    const r = await pulumiCli(s, ["destroy", "--yes", "--non-interactive", "--stack", s.stack.name]);
    transcript.add(r);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/cannot be deleted\s+because it is protected/);

    expect(mutating(callsSince(emu, mark))).toEqual([]);
    expect(inventory()).toEqual(platform);
    const after = await s.exportState();
    expect(after.map((x) => `${x.urn} ${x.id ?? ""}`)).toEqual(before.map((x) => `${x.urn} ${x.id ?? ""}`));
  });

  it("h. Fly secrets, the generated database password and the token never appear in plaintext", async () => {
    const dbApp = emu.fly.state.apps.get(`${APP}-db`);
    const password = dbApp?.secrets.get("POSTGRES_PASSWORD")?.value;
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    const databaseUrl = emu.fly.state.apps.get(APP)?.secrets.get("DATABASE_URL")?.value;
    expect(databaseUrl).toContain(password);
    const values = { ...secrets, FLY_API_TOKEN: emu.tokens.fly, POSTGRES_PASSWORD: password ?? "" };
    const places: Record<string, string> = {
      backend: s.backendText(),
      "stack export": await rawExport(s),
      "stack outputs": JSON.stringify(await s.stack.outputs()),
      "engine stdout/stderr": transcript.text(),
      "fly request log": JSON.stringify(emu.fly.log),
      "fly inventory": JSON.stringify(emu.fly.inventory()),
    };
    expect(places["fly request log"]).toContain("STRIPE_API_KEY");
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [name, value] of Object.entries(values)) if (text.includes(value)) leaks.push(`${name} in ${where}`);
    }
    expect(leaks).toEqual([]);
    expect(emu.fly.state.apps.get(APP)?.secrets.get("SESSION_SECRET")?.value).toBe(secrets.SESSION_SECRET);
  });
});
