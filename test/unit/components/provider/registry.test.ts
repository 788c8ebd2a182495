import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { providerFor, REGISTRY_MODULE } from "../../../../components/dynamic";
import { LEGACY_PROVIDER_PATHS, PROVIDERS, providerNamedBy, type ProviderKey } from "../../../../components/provider/registry";

const root = join(__dirname, "../../../..");
/** What the loader cannot stand in for (it defaults check, diff, read and delete, and refuses update when absent). */
const METHODS = ["create"];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the provider registry", () => {
  it("lives where states say it does, and imports nothing (the loader reads it first in every provider process)", () => {
    const text = readFileSync(join(root, REGISTRY_MODULE), "utf8");
    expect(text).not.toMatch(/^\s*import\s/m);
  });

  it.each(Object.entries(PROVIDERS))("%s resolves to a dynamic provider", async (_key, entry) => {
    const mod = (await import(join(root, entry.module))) as Record<string, Record<string, unknown>>;
    for (const method of METHODS) expect(typeof mod[entry.export]?.[method]).toBe("function");
  });

  it("every resource class names its provider by a registered key, never by a path", () => {
    const used = files(join(root, "components"))
      .flatMap((f) => [...readFileSync(f, "utf8").matchAll(/providerFor\("([^"]+)"\)/g)].map((m) => [relative(root, f), m[1]!] as const));
    expect(used.map(([, key]) => key).sort()).toEqual(Object.keys(PROVIDERS).sort());
    expect(files(join(root, "components")).filter((f) => readFileSync(f, "utf8").includes("lazyProvider("))).toEqual([]);
  });

  it.each(LEGACY_PROVIDER_PATHS)("the path a state written before keys names still resolves: $module", async (entry) => {
    const mod = (await import(join(root, entry.module))) as Record<string, Record<string, unknown>>;
    for (const method of METHODS) expect(typeof mod[entry.export]?.[method]).toBe("function");
  });

  it("the loader a resource stores names its key and the registry only, and the same key gives the same text", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const text = async (key: ProviderKey) => (await pulumi.runtime.serializeFunction(() => providerFor(key), { allowSecrets: false })).text;
    const a = await text("coolify:application");
    expect(a).toBe(await text("coolify:application"));
    expect(a).toContain('key: "coolify:application"');
    expect(a).not.toContain(".provider.ts");
    expect(providerNamedBy(a)).toEqual({ ...PROVIDERS["coolify:application"], key: "coolify:application" });
    expect(providerNamedBy(a.replace('"coolify:application"', '"coolify:nothing"'))).toBeUndefined();
  });
});
