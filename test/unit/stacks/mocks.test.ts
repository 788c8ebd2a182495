import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { fakeDigest, outputOf, outputWithSecrecy, setupMocks, type MockRegistry } from "../mocks";

// The shared mock helpers are load-bearing for every unit test, so their contract is tested too.
describe("setupMocks", () => {
  let registry: MockRegistry;
  beforeEach(() => {
    vi.resetModules();
    registry = setupMocks({ config: { "slipway:app": { name: "shop" }, "slipway:secrets": { A: "b" } }, secretKeys: ["slipway:secrets"] });
  });

  it("captures custom and component registrations by type with their inputs", async () => {
    const random = await import("@pulumi/random");
    class Box extends pulumi.ComponentResource {
      constructor(name: string) {
        super("slipway:test:Box", name, {}, {});
        new random.RandomPassword(`${name}-pw`, { length: 24, special: false }, { parent: this });
        this.registerOutputs({});
      }
    }
    new Box("db");
    await registry.settled();
    expect(registry.types()).toEqual(["random:index/randomPassword:RandomPassword", "slipway:test:Box"]);
    const pw = registry.one("random:index/randomPassword:RandomPassword");
    expect(pw).toMatchObject({ name: "db-pw", custom: true, id: "db-pw-id", inputs: { length: 24, special: false } });
    expect(registry.one("slipway:test:Box").custom).toBe(false);
    expect(() => registry.one("slipway:test:Nope")).toThrow(/found 0; registered:\n {2}slipway:test:Box db/);
  });

  it("records the protect option (inherited from parents) and explicit dependencies", async () => {
    const random = await import("@pulumi/random");
    const a = new random.RandomPassword("a", { length: 8 }, { protect: true });
    class Box extends pulumi.ComponentResource {
      constructor(name: string, opts: pulumi.ComponentResourceOptions) {
        super("slipway:test:Box", name, {}, opts);
        new random.RandomPassword(`${name}-child`, { length: 8 }, { parent: this });
        this.registerOutputs({});
      }
    }
    new Box("kept", { protect: true, dependsOn: [a] });
    new random.RandomPassword("loose", { length: 8 });
    await registry.settled();
    expect(registry.one("random:index/randomPassword:RandomPassword", "kept-child").protect).toBe(true);
    expect(registry.one("random:index/randomPassword:RandomPassword", "loose").protect).toBe(false);
    expect(registry.one("slipway:test:Box").dependencies).toEqual([expect.stringMatching(/::a$/)]);
  });

  it("returns realistic default outputs (generated password, image digest)", async () => {
    const random = await import("@pulumi/random");
    const pw = new random.RandomPassword("pw", { length: 8 });
    expect(await outputOf(pw.result)).toBe("mock-pw-xxxxxxxx");
    expect(fakeDigest("web")).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("exposes config the way the language host does, with secret keys reported", async () => {
    const cfg = new pulumi.Config("slipway");
    expect(cfg.requireObject<{ name: string }>("app")).toEqual({ name: "shop" });
    const secret = cfg.requireSecretObject<Record<string, string>>("secrets");
    expect(await outputWithSecrecy(secret)).toEqual({ value: { A: "b" }, secret: true });
    // isConfigSecret is marked @internal (absent from the .d.ts) but is what the runtime uses for secure keys.
    const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    expect(runtime.isConfigSecret("slipway:secrets")).toBe(true);
    expect(runtime.isConfigSecret("slipway:app")).toBe(false);
  });
});
