/** `forkFrom`: the source stack's cluster id through a StackReference, or one clear error (stacks/compose-fly-database.ts). */
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as pulumi from "@pulumi/pulumi";
import { capturingRejections, outputOf, setupMocks, type MockOptions, type MockRegistry } from "../mocks";

let registry: MockRegistry;
async function load(options: MockOptions) {
  vi.resetModules();
  registry = setupMocks(options);
  const pulumiRuntime = await import("@pulumi/pulumi");
  const mod = await import("../../../stacks/compose-fly-database");
  return { pulumi: pulumiRuntime, ...mod };
}
afterEach(async () => {
  await registry.settled();
});

/** Resolves or rejects with the error thrown inside an apply. */
function settle<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}


const stackRef = (outputs: Record<string, unknown>): MockOptions["outputs"] => (a) =>
  a.type === "pulumi:pulumi:StackReference" ? { outputs } : undefined;

describe("forkSource", () => {
  it("reads flyManagedPostgresClusterId of the named stack", async () => {
    const m = await load({ outputs: stackRef({ flyManagedPostgresClusterId: "cl_staging" }) });
    const parent = new m.pulumi.ComponentResource("test:index:Parent", "p", {});
    expect(await outputOf(m.forkSource("acme/slipway/staging", parent))).toBe("cl_staging");
    await registry.settled();
    expect(registry.one("pulumi:pulumi:StackReference").inputs).toMatchObject({ name: "acme/slipway/staging" });
  });

  it("a source stack without a flyManaged database is one clear error naming the config path", async () => {
    const m = await load({ outputs: stackRef({ imageRef: "x" }) });
    const parent = new m.pulumi.ComponentResource("test:index:Parent", "p", {});
    const message =
      'slipway:database.forkFrom: stack "acme/slipway/staging" exports no flyManagedPostgresClusterId (its slipway:database is not kind flyManaged, or it was never deployed); deploy it first or drop forkFrom';
    const seen = await capturingRejections(registry, async () => {
      await expect(settle(m.forkSource("acme/slipway/staging", parent))).rejects.toThrow(message);
    });
    for (const e of seen) expect(e).toBe(message);
  });
});
