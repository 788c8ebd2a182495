/**
 * Ownership marks against the emulators (issue 11 defects 1 and 2): what a create made is found again by its mark
 * after a lost answer, a failed look-up or a killed engine, and adopted by the next create — never a sibling's,
 * never someone else's.
 */
import { describe, expect, it } from "vitest";
import { coolifyApplicationProvider } from "../../components/coolify/application.provider";
import { createApplicationBody } from "../../components/coolify/application.request";
import { coolifyDatabaseProvider } from "../../components/coolify/database.provider";
import { coolifyProjectProvider } from "../../components/coolify/project.provider";
import type { ApplicationInputs, DatabaseInputs } from "../../components/coolify/types";
import { createFlyClient } from "../../components/fly/client";
import { createVolume, flyVolumeProvider, type VolumeInputs } from "../../components/fly/volume.provider";
import { markOf, ownerOf } from "../../components/mark";
import { api, useCoolifyEmulator } from "./coolify/testkit";
import { call, useFlyEmulator } from "./fly/testkit";
import { useFastProviderSettings } from "./common/provider-harness";

useFastProviderSettings({ SLIPWAY_HTTP_RETRIES: "3", SLIPWAY_HTTP_TIMEOUT_MS: "600" });

describe("Coolify: an application and a database find what they made", () => {
  const coolify = useCoolifyEmulator({ port: 0, timeScale: 400, strictResponses: true });

  async function placement() {
    const created = await coolifyProjectProvider.create({ connection: coolify.connection, name: "shop", environmentName: "staging" });
    const outs = created.outs as { projectUuid: string; environmentUuid: string };
    return { projectUuid: outs.projectUuid, environmentUuid: outs.environmentUuid, environmentName: "staging", serverUuid: coolify.emu.serverUuid };
  }
  const appInputs = async (o: Partial<ApplicationInputs> = {}): Promise<ApplicationInputs> => ({
    connection: coolify.connection,
    owner: ownerOf("slipway", "staging", "coolify-app-app"),
    ...(await placement()),
    name: "shop",
    description: "the shop",
    image: `ghcr.io/acme/shop@sha256:${"a".repeat(64)}`,
    domains: ["staging.example.com"],
    ports: [3000],
    portMappings: [],
    env: { NODE_ENV: "production" },
    secretEnv: { SESSION_SECRET: "s3cret" },
    deploy: true,
    ...o,
  });
  const dbInputs = async (): Promise<DatabaseInputs> => ({
    connection: coolify.connection,
    owner: ownerOf("slipway", "staging", "coolify-db-db"),
    ...(await placement()),
    name: "shop-db",
    image: "pgvector/pgvector:pg16",
    user: "app",
    databaseName: "shop",
    password: "pw-123",
    backup: { schedule: "0 3 * * *", retentionDays: 30, retentionAmount: 0 },
  });
  const creates = (path: string) => coolify.emu.log.filter((c) => c.method === "POST" && c.template === path);

  /**
   * A loopback proxy in front of the emulator that answers 500 to every `GET <list>` once a `POST <create>` went
   * through: the look-up after the lost answer fails as well, however often it is retried.
   */
  async function failingLookups(create: string, list: string): Promise<{ url: string; close: () => Promise<void> }> {
    const { createServer } = await import("node:http");
    let posted = false;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const path = (req.url ?? "").replace(/^\/api\/v1/, "").split("?")[0];
      if (posted && req.method === "GET" && path === list) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "Server Error" }));
        return;
      }
      const upstream = await fetch(coolify.emu.origin + (req.url ?? ""), {
        method: req.method,
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "content-length")) as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      if (req.method === "POST" && path === create) posted = true;
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" }).end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}/api/v1`, close: () => new Promise((r) => server.close(() => r())) };
  }

  it("an ambiguous create whose follow-up look-up fails too: the next create adopts the application, no 409, no orphan", async () => {
    const inputs = await appInputs();
    coolify.emu.injectFault({ method: "POST", path: "/applications/dockerimage", times: 1, fault: { kind: "ambiguous", status: 500 } });
    const proxy = await failingLookups("/applications/dockerimage", "/applications");
    try {
      await expect(coolifyApplicationProvider.create({ ...inputs, connection: { ...coolify.connection, apiUrl: proxy.url } })).rejects.toThrow(/GET \/applications/);
    } finally {
      await proxy.close();
    }
    expect(coolify.emu.state.applications).toHaveLength(1);

    const next = await coolifyApplicationProvider.create(inputs);
    expect(next.id).toBe(coolify.emu.state.applications[0]?.uuid);
    expect(coolify.emu.state.applications).toHaveLength(1);
    expect(creates("/applications/dockerimage")).toHaveLength(1);
    expect(coolify.emu.state.deployments.at(-1)?.status).toBe("finished");
    // The description shows the mark; what the engine sees of it is the declared description.
    expect(coolify.emu.state.applications[0]?.description).toMatch(/^the shop \(slipway-[0-9a-f]{12}\)$/);
    const read = await coolifyApplicationProvider.read!(next.id, next.outs);
    expect((read.props as ApplicationInputs).description).toBe("the shop");
  });

  it("after a killed engine (the POST went through, nothing recorded): create adopts and brings it to the inputs", async () => {
    const inputs = await appInputs();
    // What the killed run sent, with an older image; then the next run's create with the new one.
    const stale = await api(coolify.emu, "POST", "/applications/dockerimage", createApplicationBody({ ...inputs, image: `ghcr.io/acme/shop@sha256:${"b".repeat(64)}` }));
    expect(stale.status).toBe(201);
    const next = await coolifyApplicationProvider.create(inputs);
    expect(next.id).toBe(stale.body.uuid);
    expect(coolify.emu.state.applications).toHaveLength(1);
    expect(coolify.emu.state.applications[0]?.docker_registry_image_tag).toContain("a".repeat(64));
    expect(creates("/applications/dockerimage")).toHaveLength(1);
  });

  it("an application of the same name made by someone else is refused by name, not taken over", async () => {
    const inputs = await appInputs();
    const foreign = await api(coolify.emu, "POST", "/applications/dockerimage", createApplicationBody({ ...inputs, owner: undefined, description: "by hand" }));
    await expect(coolifyApplicationProvider.create(inputs)).rejects.toThrow(
      `CoolifyApplication shop: Coolify application "shop" (uuid ${foreign.body.uuid}) already exists with the same name but without this stack's slipway mark`,
    );
    expect(coolify.emu.state.applications).toHaveLength(1);
    expect(creates("/applications/dockerimage")).toHaveLength(1);
  });

  it("a sibling stack's application (another mark) is never adopted", async () => {
    const inputs = await appInputs();
    const other = { ...inputs, owner: ownerOf("slipway", "pr-7", "coolify-app-app"), domains: ["pr-7.example.com"] };
    const sibling = await coolifyApplicationProvider.create(other);
    // Same name in the same environment, but another stack's mark: refused, not adopted.
    await expect(coolifyApplicationProvider.create(inputs)).rejects.toThrow(/without this stack's slipway mark/);
    expect(coolify.emu.state.applications.map((a) => a.uuid)).toEqual([sibling.id]);
  });

  it("findOwn (what `slipway recover` asks) answers the marked application only", async () => {
    const inputs = await appInputs();
    expect(await coolifyApplicationProvider.findOwn!(inputs as unknown as Record<string, unknown>)).toBeUndefined();
    const made = await coolifyApplicationProvider.create(inputs);
    const found = await coolifyApplicationProvider.findOwn!(inputs as unknown as Record<string, unknown>);
    expect(found).toEqual({ id: made.id, description: `Coolify application shop (${markOf(inputs.owner ?? "", [inputs.projectUuid, inputs.environmentUuid, inputs.serverUuid, null])})` });
  });

  it("a database whose ambiguous create's look-up failed is adopted with its backup schedule: one Postgres", async () => {
    const inputs = await dbInputs();
    coolify.emu.injectFault({ method: "POST", path: "/databases/postgresql", times: 1, fault: { kind: "ambiguous", status: 502 } });
    const proxy = await failingLookups("/databases/postgresql", "/databases");
    try {
      await expect(coolifyDatabaseProvider.create({ ...inputs, connection: { ...coolify.connection, apiUrl: proxy.url } })).rejects.toThrow(/GET \/databases/);
    } finally {
      await proxy.close();
    }
    expect(coolify.emu.state.databases).toHaveLength(1);
    const next = await coolifyDatabaseProvider.create(inputs);
    expect(coolify.emu.state.databases.map((d) => d.uuid)).toEqual([next.id]);
    expect(creates("/databases/postgresql")).toHaveLength(1);
    const backups = (await api(coolify.emu, "GET", `/databases/${next.id}/backups`)).body as unknown[];
    expect(backups).toHaveLength(1);
  });
});

describe("Fly: parallel same-named volumes each find their own", () => {
  const fly = useFlyEmulator();

  const volume = (m: number): VolumeInputs => ({
    connection: fly.connection,
    owner: ownerOf("slipway", "production", `fly-volume-media-${m}`),
    app: "shop-production",
    name: "media",
    region: "ewr",
    sizeGb: 20,
    snapshotRetention: 14,
    autoBackup: true,
    encrypted: true,
  });
  const live = () => [...fly.emu.state.volumes.values()].filter((v) => v.volume.state !== "destroyed" && v.volume.state !== "pending_destroy");

  it("a create that times out while its four siblings are created: five volumes, five ids, none taken twice", async () => {
    expect((await call(fly.emu, "POST", "/v1/apps", { name: "shop-production", org_slug: "acme" })).status).toBe(201);
    fly.emu.injectFault({ method: "POST", path: "/v1/apps/{app_name}/volumes", times: 1, fault: { kind: "hang", ms: 1_500 } });
    const client = createFlyClient(fly.connection, { limit: 3, baseDelayMs: 5, timeoutMs: 600 });
    const made = await Promise.all([0, 1, 2, 3, 4].map((m) => createVolume(client, volume(m))));
    expect(new Set(made.map((v) => v.id)).size).toBe(5);
    expect(live()).toHaveLength(5);
    expect(new Set(live().map((v) => v.volume.name)).size).toBe(5);
    for (const v of live()) expect(v.volume.name).toMatch(/^media_[0-9a-f]{8}$/);
  });

  it("an ambiguous create is adopted by its marked name, never a sibling's that appeared meanwhile; findOwn agrees", async () => {
    expect((await call(fly.emu, "POST", "/v1/apps", { name: "shop-production", org_slug: "acme" })).status).toBe(201);
    const sibling = await flyVolumeProvider.create(volume(1));
    fly.emu.injectFault({ method: "POST", path: "/v1/apps/{app_name}/volumes", times: 1, fault: { kind: "ambiguous", status: 500 } });
    const mine = await flyVolumeProvider.create(volume(0));
    expect(mine.id).not.toBe(sibling.id);
    expect(live()).toHaveLength(2);
    expect((await flyVolumeProvider.findOwn!(volume(0) as unknown as Record<string, unknown>))?.id).toBe(mine.id);
    // Killed engine: the next create of the same resource adopts instead of making a third.
    const again = await flyVolumeProvider.create(volume(0));
    expect(again.id).toBe(mine.id);
    expect(live()).toHaveLength(2);
  });
});
