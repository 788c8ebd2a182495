import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

// Every dynamic resource serializes only `lazyProvider(path, export)`: a typo there surfaces only inside the engine.
// So resolve each pair the Fly components name, the way the loader will.
const root = join(__dirname, "../../../..");
const dir = join(root, "components/fly");
const pairs = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".provider.ts"))
  .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/lazyProvider\("([^"]+)", "([^"]+)"\)/g)])
  .map((m) => [m[1]!, m[2]!] as const);

it("finds the provider references of every Fly dynamic resource", () => {
  expect(pairs.map(([, name]) => name).sort()).toEqual([
    "flyAppProvider", "flyCertificateProvider", "flyIpProvider", "flyMachineGroupProvider",
    "flyReleaseCommandProvider", "flySecretsProvider", "flyVolumeProvider",
  ]);
});

it.each(pairs)("%s exports %s as a complete dynamic provider", async (modulePath, exportName) => {
  const mod = (await import(join(root, modulePath))) as Record<string, Record<string, unknown>>;
  const provider = mod[exportName];
  expect(provider).toBeDefined();
  for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
    expect(typeof provider?.[method]).toBe("function");
  }
});
