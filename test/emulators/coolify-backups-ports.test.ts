/**
 * The Coolify volume-backup provider against the emulator (routes from Coolify v4.3.10
 * VolumeBackupsController): a schedule per application volume, updated in place, and on removal disabled —
 * never deleted, because Coolify's DELETE takes the archives with it — and a second public port routed by a domain
 * carrying the container port (`host:4000` in fqdn).
 */
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { coolifyApplicationProvider } from "../../components/coolify/application.provider";
import { coolifyProjectProvider } from "../../components/coolify/project.provider";
import { coolifyVolumeBackupProvider, type VolumeBackupInputs, type VolumeBackupOutputs } from "../../components/coolify/volume-backup.provider";
import type { ApplicationInputs, ApplicationOutputs, ProjectInputs, ProjectOutputs } from "../../components/coolify/types";
import { api, useCoolifyEmulator } from "./coolify/testkit";
import { request } from "node:http";
import { useFastProviderSettings } from "./common/provider-harness";

useFastProviderSettings({ SLIPWAY_HTTP_RETRIES: "2" });

const coolify = useCoolifyEmulator({ port: 0, timeScale: 400, strictResponses: true });

const must = <T>(v: T | undefined): T => {
  if (v === undefined) throw new Error("provider returned nothing");
  return v;
};
async function create<I, O>(p: pulumi.dynamic.ResourceProvider<I, O>, inputs: I): Promise<{ id: string; outs: O }> {
  const r = await p.create(inputs);
  return { id: r.id, outs: must(r.outs) };
}

async function appWithVolume(): Promise<{ id: string; outs: ApplicationOutputs; inputs: ApplicationInputs }> {
  const project = await create<ProjectInputs, ProjectOutputs>(coolifyProjectProvider, { connection: coolify.connection, name: "web", environmentName: "staging" });
  const inputs: ApplicationInputs = {
    connection: coolify.connection,
    projectUuid: project.outs.projectUuid,
    environmentUuid: project.outs.environmentUuid,
    environmentName: "staging",
    serverUuid: coolify.emu.serverUuid,
    name: "web",
    image: `ghcr.io/acme/web@sha256:${"a".repeat(64)}`,
    domains: ["staging.example.com"],
    ports: [3000],
    portMappings: [],
    env: {},
    secretEnv: {},
    deploy: false,
    volumes: [{ name: "media", mountPath: "/app/media" }],
  };
  const app = await create<ApplicationInputs, ApplicationOutputs>(coolifyApplicationProvider, inputs);
  return { ...app, inputs };
}

const storageOf = (appUuid: string, name: string) => coolify.emu.state.application(appUuid)?.storages.find((s) => s.name === `${appUuid}-${name}`);

describe("Coolify volume backups", () => {
  it("schedules the volume's backups with day-based retention, updates them in place, and keeps the archives when removed", async () => {
    const app = await appWithVolume();
    const inputs: VolumeBackupInputs = { connection: coolify.connection, applicationUuid: app.id, volume: "media", schedule: "30 3 * * *", retentionDays: 14 };
    const { id, outs } = await create<VolumeBackupInputs, VolumeBackupOutputs>(coolifyVolumeBackupProvider, inputs);
    const storage = storageOf(app.id, "media");
    expect(outs.storageUuid).toBe(storage?.uuid);
    expect(storage?.backup).toMatchObject({ uuid: id, frequency: "30 3 * * *", enabled: true });
    // Only the days decide: amount 0 switches off Coolify's default "keep 7".
    expect(storage?.backup?.settings).toMatchObject({ retention_days_locally: 14, retention_amount_locally: 0 });
    expect(coolify.emu.log.filter((l) => l.method === "PUT").map((l) => l.status)).toEqual([201]);

    const news = { ...inputs, schedule: "@daily", retentionDays: 30 };
    await expect(must(coolifyVolumeBackupProvider.diff)(id, outs, news)).resolves.toMatchObject({ replaces: [] });
    expect((await must(coolifyVolumeBackupProvider.diff)(id, outs, { ...inputs, volume: "uploads" })).replaces).toEqual(["volume"]);
    const updated = must((await must(coolifyVolumeBackupProvider.update)(id, outs, news)).outs);
    expect(storageOf(app.id, "media")?.backup).toMatchObject({ uuid: id, frequency: "@daily", settings: { retention_days_locally: 30 } });
    expect(coolify.emu.log.filter((l) => l.method === "PUT").map((l) => l.status)).toEqual([201, 200]);

    const read = await must(coolifyVolumeBackupProvider.read)(id, updated);
    expect(read.props).toMatchObject({ schedule: "@daily", storageUuid: storage?.uuid });

    // An archive exists; removing the resource disables the schedule and keeps it.
    expect((await api(coolify.emu, "POST", `/applications/${app.id}/storages/${storage?.uuid}/backups/run`)).status).toBe(200);
    await must(coolifyVolumeBackupProvider.delete)(id, updated);
    expect(storageOf(app.id, "media")?.backup).toMatchObject({ enabled: false, archives: 1 });
    expect(coolify.emu.log.filter((l) => l.method === "DELETE")).toEqual([]);
    // Coolify itself then refuses to drop the volume while its backups exist: nothing is lost by accident.
    const drop = await api(coolify.emu, "DELETE", `/applications/${app.id}/storages/${storage?.uuid}`);
    expect(drop).toMatchObject({ status: 422, body: { message: "Delete this volume backup schedule and its archives before deleting the volume." } });
  });

  it("refuses a volume the application does not have, and reads a dropped volume as gone", async () => {
    const app = await appWithVolume();
    const inputs: VolumeBackupInputs = { connection: coolify.connection, applicationUuid: app.id, volume: "nope", schedule: "daily", retentionDays: 7 };
    await expect(coolifyVolumeBackupProvider.create(inputs)).rejects.toThrow(`Coolify: application ${app.id} has no volume "${app.id}-nope" to back up`);

    const { id, outs } = await create<VolumeBackupInputs, VolumeBackupOutputs>(coolifyVolumeBackupProvider, { ...inputs, volume: "media" });
    const record = coolify.emu.state.application(app.id);
    if (record) record.storages = [];
    expect(await must(coolifyVolumeBackupProvider.read)(id, outs)).toEqual({});
    await must(coolifyVolumeBackupProvider.delete)(id, outs); // nothing left to disable: no error
  });

  it("the emulator refuses fields the controller does not allow, and bad frequencies", async () => {
    const app = await appWithVolume();
    const storage = storageOf(app.id, "media");
    const path = `/applications/${app.id}/storages/${storage?.uuid}/backups`;
    // A volume size is no schedule field (Coolify volumes have no size at all).
    expect(await api(coolify.emu, "PUT", path, { frequency: "daily", size_gb: 3 })).toMatchObject({ status: 422 });
    const bad = await api(coolify.emu, "PUT", path, { frequency: "every night" });
    expect(bad).toMatchObject({ status: 422, body: { errors: { frequency: ["The frequency must be a valid cron or human expression."] } } });
    expect(storage?.backup).toBeUndefined();
  });
});

/** The container port the emulated proxy forwarded a request for `host` to. */
function proxiedPort(host: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: coolify.emu.port, path: "/", headers: { host }, timeout: 5000 }, (res) => {
      res.resume();
      const p = res.headers["x-emulator-container-port"];
      resolve(typeof p === "string" ? p : undefined);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Coolify: a second public port through its own domain", () => {
  it("routes worker.example.com:4000 to container port 4000 on the same proxy, reads back without drift, and reports the URL without a port", async () => {
    const base = await appWithVolume();
    const inputs: ApplicationInputs = { ...base.inputs, name: "web2", volumes: [], domains: ["app.example.com", "worker.example.com:4000"], ports: [3000, 4000], deploy: true };
    const { id, outs } = await create<ApplicationInputs, ApplicationOutputs>(coolifyApplicationProvider, inputs);
    expect(coolify.emu.state.application(id)?.fqdn).toBe("https://app.example.com,https://worker.example.com:4000");
    expect(outs.urls).toEqual(["https://app.example.com", "https://worker.example.com"]);
    expect(await proxiedPort("worker.example.com")).toBe("4000");
    expect(await proxiedPort("app.example.com")).toBe("3000");
    const read = await must(coolifyApplicationProvider.read)(id, outs);
    expect(read.props?.domains).toEqual(["app.example.com", "worker.example.com:4000"]);
  });
});
