import { describe, expect, it } from "vitest";
import { flyAppProvider } from "../../../../components/fly/app.provider";
import { flyCertificateProvider } from "../../../../components/fly/certificate.provider";
import { flyIpProvider } from "../../../../components/fly/ip.provider";
import { diffMachineGroup, flyMachineGroupProvider, observedState, type MachineGroupOutputs } from "../../../../components/fly/machine-group.provider";
import { flyReleaseCommandProvider } from "../../../../components/fly/release-command.provider";
import { diffSecrets, flySecretsProvider } from "../../../../components/fly/secrets.provider";
import { diffVolume, flyVolumeProvider, shrinkMessage } from "../../../../components/fly/volume.provider";

const connection = { apiUrl: "http://127.0.0.1:4280", token: "old-token" };

const group: MachineGroupOutputs = {
  connection,
  app: "acme-web",
  group: "web",
  region: "ewr",
  image: "img@sha256:1",
  count: 2,
  guest: { cpuKind: "shared", cpus: 1, memoryMb: 256 },
  env: {},
  services: [{ internalPort: 3000, protocol: "tcp", ports: [], autostart: true, autostop: "stop", minMachinesRunning: 0 }],
  checks: {},
  mounts: [],
  metadata: {},
  strategy: "rolling",
  maxUnavailable: 1,
  machineIds: ["m1", "m2"],
};

describe("machine group diff", () => {
  it("a new image is an in-place update of that field only", () => {
    expect(diffMachineGroup(group, { ...group, image: "img@sha256:2" })).toEqual({
      changes: true,
      replaces: [],
      detailedDiff: { image: { kind: "update", inputDiff: true } },
    });
  });

  it("env, count and secrets version update in place; region and group replace (old group first)", () => {
    const d = diffMachineGroup(group, { ...group, env: { A: "1" }, count: 3, minSecretsVersion: 2, region: "ams" });
    expect(d.replaces).toEqual(["region"]);
    expect(d.deleteBeforeReplace).toBe(true);
    expect(d.detailedDiff).toEqual({
      region: { kind: "update-replace", inputDiff: true },
      count: { kind: "update", inputDiff: true },
      env: { kind: "update", inputDiff: true },
      minSecretsVersion: { kind: "add", inputDiff: true },
    });
  });

  it("a rotated token is no change; a different API URL replaces", () => {
    expect(diffMachineGroup(group, { ...group, connection: { ...connection, token: "new" } })).toEqual({
      changes: false,
      replaces: [],
      detailedDiff: {},
    });
    const moved = diffMachineGroup(group, { ...group, connection: { ...connection, apiUrl: "https://api.machines.dev" } });
    expect(moved.replaces).toEqual(["connection"]);
    expect(moved.detailedDiff).toEqual({ "connection.apiUrl": { kind: "update-replace", inputDiff: true } });
  });

  it("provider.diff ignores key order of nested objects", async () => {
    const reordered = { ...group, guest: { memoryMb: 256, cpus: 1, cpuKind: "shared" as const } };
    expect(await flyMachineGroupProvider.diff!("acme-web/web", group, reordered)).toMatchObject({ changes: false });
  });

  it("refresh reports the live image, count and autostop (a boolean from Fly) so drift shows", () => {
    const observed = observedState(group, [
      { id: "m2", state: "started", config: { image: "img@sha256:drifted", services: [{ autostop: false }] } },
    ]);
    expect(observed.image).toBe("img@sha256:drifted");
    expect(observed.count).toBe(1);
    expect(observed.machineIds).toEqual(["m2"]);
    expect(observed.services[0]?.autostop).toBe("off");
    // `true` is Fly's spelling of "stop": no drift.
    expect(observedState(group, [{ id: "m1", state: "started", config: { services: [{ autostop: true }] } }]).services[0]?.autostop).toBe("stop");
  });

  it("check lets preview inputs with unknown values through (they are checked once known)", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const news = { ...group, minSecretsVersion: unknown, app: unknown };
    expect(await flyMachineGroupProvider.check!({}, news)).toEqual({ inputs: news });
    expect((await flyMachineGroupProvider.check!({}, { ...group, minSecretsVersion: "7" })).failures?.[0]?.property).toBe("minSecretsVersion");
  });

  it("check rejects malformed inputs field by field", async () => {
    const result = await flyMachineGroupProvider.check!({}, { ...group, count: -1, strategy: "yolo" });
    expect(result.failures?.map((f) => f.property).sort()).toEqual(["count", "strategy"]);
  });
});

describe("volume", () => {
  const vol = { connection, app: "a", name: "media", region: "ewr", sizeGb: 3, snapshotRetention: 5, autoBackup: true, encrypted: true };

  it("growing and retention update in place; name, region and encryption replace", () => {
    expect(diffVolume(vol, { ...vol, sizeGb: 10, snapshotRetention: 14 })).toEqual({
      changes: true,
      replaces: [],
      detailedDiff: { sizeGb: { kind: "update", inputDiff: true }, snapshotRetention: { kind: "update", inputDiff: true } },
    });
    expect(diffVolume(vol, { ...vol, region: "ams", name: "files", encrypted: false }).replaces).toEqual(["name", "region", "encrypted"]);
  });

  it("shrinking is refused at check with a message that says why and what to do", async () => {
    const result = await flyVolumeProvider.check!(vol, { ...vol, sizeGb: 2 });
    expect(result.failures).toEqual([
      {
        property: "sizeGb",
        reason: "FlyVolume: sizeGb cannot shrink from 3 to 2 GB; Fly volumes only grow. Create a new volume and copy the data, or keep 3",
      },
    ]);
    expect(shrinkMessage(3, 2)).toBe(result.failures?.[0]?.reason);
    expect((await flyVolumeProvider.check!(vol, { ...vol, sizeGb: 4 })).failures).toBeUndefined();
  });
});

describe("app, IP, certificate, secrets, release", () => {
  it("app name and org replace, deleting first (names are global)", async () => {
    const app = { connection, name: "acme-web", org: "acme" };
    // The engine gets "unknown" for a change (it then diffs the inputs by key itself), as from every provider.
    expect(await flyAppProvider.diff!("acme-web", app, { ...app, org: "other" })).toMatchObject({
      changes: undefined,
      replaces: ["org"],
      deleteBeforeReplace: true,
    });
    expect(await flyAppProvider.diff!("acme-web", app, { ...app, connection: { ...connection, token: "x" } })).toMatchObject({ changes: false });
  });

  it("app check explains a bad name", async () => {
    const result = await flyAppProvider.check!({}, { connection, name: "Acme_Web", org: "acme" });
    expect(result.failures).toEqual([{ property: "name", reason: "expected a Fly app name (lower-case letters, digits, -; up to 63 chars, not starting or ending with -)" }]);
  });

  it("IP type and certificate hostname replace", async () => {
    expect(await flyIpProvider.diff!("ip", { connection, app: "a", type: "v6" }, { connection, app: "a", type: "private_v6" })).toMatchObject({ replaces: ["type"] });
    expect(await flyCertificateProvider.diff!("h", { connection, app: "a", hostname: "a.example.com" }, { connection, app: "a", hostname: "b.example.com" })).toMatchObject({ replaces: ["hostname"] });
  });

  it("changed secret values update in place; check never echoes a value", async () => {
    const s = { connection, app: "a", values: { A: "secret-1" } };
    expect(await flySecretsProvider.diff!("id", s, { ...s, values: { A: "secret-2" } })).toMatchObject({ changes: undefined, replaces: [] });
    expect(diffSecrets({ ...s, values: { A: "1", B: "2" } }, { ...s, values: { A: "1", B: "3", C: "4" } }).detailedDiff).toEqual({
      "values.B": { kind: "update", inputDiff: true },
      "values.C": { kind: "add", inputDiff: true },
    });
    expect(diffSecrets({ ...s, values: { A: "1" } }, { ...s, values: {} })).toMatchObject({
      changes: true,
      detailedDiff: { "values.A": { kind: "delete", inputDiff: true } },
    });
    expect(diffSecrets(s, { ...s, connection: { ...connection, token: "rotated" } }).changes).toBe(false);
    const bad = await flySecretsProvider.check!({}, { ...s, values: { "bad-name": "hunter2" } });
    expect(JSON.stringify(bad.failures)).not.toContain("hunter2");
    expect(bad.failures?.[0]?.property).toBe("values.bad-name");
  });

  it("a new image re-runs the release command (update), not a replace", async () => {
    const r = { connection, app: "a", image: "i@1", command: ["migrate"], region: "ewr", env: {}, guest: { cpuKind: "shared" as const, cpus: 1, memoryMb: 512 }, timeoutMs: 1 };
    expect(await flyReleaseCommandProvider.diff!("id", r, { ...r, image: "i@2" })).toMatchObject({ changes: undefined, replaces: [] });
  });
});
