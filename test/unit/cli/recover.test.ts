import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { providerFor } from "../../../components/dynamic";
import { revealed } from "../../../infra/cli/commands/recover";
import { parseDeployment, pendingMessage, providerOf, recoverStack, type Deployment, type RecoverDeps } from "../../../infra/cli/recover";

const URN = (name: string) => `urn:pulumi:staging::slipway::slipway:coolify:Application$pulumi-nodejs:dynamic:Resource::${name}`;
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };

function state(ops: { type: string; name: string }[]): Deployment {
  return parseDeployment({
    version: 3,
    deployment: {
      manifest: {},
      resources: [{ urn: "urn:pulumi:staging::slipway::pulumi:pulumi:Stack::slipway-staging", type: "pulumi:pulumi:Stack" }],
      pending_operations: ops.map((o) => ({
        type: o.type,
        resource: { urn: URN(o.name), type: "pulumi-nodejs:dynamic:Resource", custom: true, inputs: { name: o.name, connection: SECRET } },
      })),
    },
  });
}

function fakeDeps(initial: Deployment, onPlatform: Record<string, string>, finder = true) {
  const calls: string[] = [];
  let imported: Deployment | undefined;
  let current = structuredClone(initial);
  const deps: RecoverDeps = {
    releaseLocks: async () => {
      calls.push("releaseLocks");
      return [{ tag: "slipway:lock:0a1b2c3d4e5f", holder: "ci@run 7", command: "deploy staging", startedAt: "2026-12-01T08:00:00.000Z" }];
    },
    cancel: async () => (calls.push("cancel"), true),
    exportState: async (showSecrets) => (calls.push(`export${showSecrets ? " --show-secrets" : ""}`), structuredClone(current)),
    importState: async (d) => {
      calls.push("import");
      imported = d;
      current = structuredClone(d);
    },
    // What the engine's refresh does with pending updates and deletes: reads them back and drops them.
    refresh: async () => {
      calls.push("refresh");
      current.deployment.pending_operations = (current.deployment.pending_operations ?? []).filter((o) => o.type === "creating");
    },
    finderFor: async () =>
      finder
        ? {
            findOwn: async (inputs) => {
              const id = onPlatform[inputs.name as string];
              return id ? { id, description: `Coolify application ${inputs.name as string} (slipway mark)` } : undefined;
            },
          }
        : undefined,
  };
  return { deps, calls, imported: () => imported };
}

describe("slipway recover", () => {
  it("records a pending create that the platform shows under its mark, clears one it does not, refreshes the rest", async () => {
    const before = state([
      { type: "creating", name: "coolify-app-app" },
      { type: "creating", name: "fly-volume-media-0" },
      { type: "updating", name: "coolify-db-db" },
    ]);
    const { deps, calls, imported } = fakeDeps(before, { "coolify-app-app": "a1b2c3" });
    const report = await recoverStack("staging", deps);
    expect(calls).toEqual(["releaseLocks", "cancel", "export --show-secrets", "export", "import", "refresh", "export"]);
    expect(report.adopted).toEqual([{ urn: URN("coolify-app-app"), id: "a1b2c3" }]);
    expect(report.cleared).toEqual([URN("fly-volume-media-0")]);
    const after = imported();
    // The adopted create is a resource now, its secrets still ciphertext; the update stays for the refresh.
    expect(after?.deployment.resources?.at(-1)).toMatchObject({ urn: URN("coolify-app-app"), id: "a1b2c3", outputs: { name: "coolify-app-app", connection: SECRET } });
    expect(after?.deployment.resources).toHaveLength(2);
    expect(after?.deployment.pending_operations?.map((o) => o.type)).toEqual(["updating"]);
    expect(report.lines).toEqual([
      'released the deploy lock of ci@run 7 ("slipway deploy staging" since 2026-12-01T08:00:00.000Z)',
      "cleared the engine's lock of the interrupted update (pulumi cancel)",
      "coolify-app-app: interrupted while creating; found Coolify application coolify-app-app (slipway mark) (id a1b2c3), recorded in the state",
      "fly-volume-media-0: interrupted while creating; nothing on the platform carries its mark, cleared (the next up creates it)",
      "coolify-db-db: interrupted while updating; the refresh reads it back from the platform",
      "refreshed staging: nothing is pending; `slipway deploy staging` can run again",
    ]);
  });

  it("with nothing pending, only the locks are cleared and the state is not touched", async () => {
    const { deps, calls } = fakeDeps(state([]), {});
    const report = await recoverStack("staging", deps);
    expect(calls).toEqual(["releaseLocks", "cancel", "export --show-secrets"]);
    expect(report.lines.at(-1)).toBe("staging has no pending operations");
  });

  it("a provider without a finder: the create stays pending (clearing it could duplicate it) and the report says so", async () => {
    const { deps, imported, calls } = fakeDeps(state([{ type: "creating", name: "x" }]), {}, false);
    const report = await recoverStack("staging", deps);
    expect(imported()).toBeUndefined();
    expect(calls).not.toContain("import");
    expect(report.lines).toContain("x: interrupted while creating; its provider cannot look for its mark, left pending: check the platform, then `pulumi refresh`");
    expect(report.lines.at(-1)).toBe("refreshed staging: 1 operation still pending (see above)");
  });

  it("deploy's refusal names every pending operation and the command to run", () => {
    const ops = state([{ type: "creating", name: "coolify-app-app" }]).deployment.pending_operations ?? [];
    expect(pendingMessage("staging", ops)).toBe(
      "stack staging has 1 pending operation from an interrupted run: coolify-app-app (creating); nothing was changed. " +
        "Run `npx slipway recover staging`: it looks for what the interrupted run made and records or clears it.",
    );
  });
});

describe("what recover reads from the state", () => {
  it("finds the provider module and export in the serialized loader the engine stores as __provider", async () => {
    const loader = providerFor("fly:volume");
    const serialized = await pulumi.runtime.serializeFunction(() => loader, { allowSecrets: false });
    expect(providerOf({ __provider: serialized.text })).toEqual({ modulePath: "components/fly/volume.provider.ts", exportName: "flyVolumeProvider" });
    // A state written before provider keys names the module path itself (as a1157a4 serialized it).
    const legacy = JSON.parse(readFileSync(path.join(__dirname, "../../e2e/fixtures/legacy-state/providers.json"), "utf8")) as { providers: Record<string, string> };
    expect(providerOf({ __provider: legacy.providers["pulumi-nodejs:dynamic/coolify:Application"] })).toEqual({
      modulePath: "components/coolify/application.provider.ts",
      exportName: "coolifyApplicationProvider",
    });
    expect(providerOf({ __provider: "exports.handler = something_else;" })).toBeUndefined();
    expect(providerOf({})).toBeUndefined();
  });

  it("reveals --show-secrets values for the look-up (JSON inside plaintext), leaves the rest", () => {
    const shown = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify({ apiUrl: "http://x", token: "t0k" }) };
    expect(revealed({ connection: shown, name: "shop", list: [1, "a"] })).toEqual({ connection: { apiUrl: "http://x", token: "t0k" }, name: "shop", list: [1, "a"] });
  });
});
