import { readFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import {
  appRequest,
  callsSince,
  editConfig,
  EngineTranscript,
  inputChanges,
  rawExport,
  refreshDrift,
  logMark,
  mutating,
  scenarioStack,
  secretValue,
  startEmulators,
  STAGING_SERVER_UUID,
  type Emulators,
} from "./stacks";

/**
 * The staging stack, end to end on the real engine: a (up from nothing), b (no-op preview), c (one change),
 * e (drift), h (no plaintext secrets), in that order on ONE stack — each step starts from the previous one's
 * state, as an operator's stack would.
 *
 * Made from the committed Pulumi.staging.yaml WITHOUT `slipway:github`: the GitHub provider plugin cannot be
 * built offline (engine.json / .slipway-notes/engine.md), so GitHub resources cannot run on this engine. The
 * GitHub emulator still runs, and must see no request at all.
 */
const IMAGE = "ghcr.io/acme/shop@sha256:bf2816be5acdfe62da1d5b0ff224081a64c2f89a2ce8e9d162875a671dcf61e6";
const COMMIT = "3f9c2e1d0b8a7c6e5f4d3c2b1a0f9e8d7c6b5a49";

interface AppConfig {
  env: Record<string, string>;
  [k: string]: unknown;
}

describe("staging stack from Pulumi.staging.yaml without slipway:github (GitHub provider plugin not buildable offline)", () => {
  let emu: Emulators;
  let s: EngineStack;
  const transcript = new EngineTranscript();
  const secrets = { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}` };
  let appUuid: string;

  beforeAll(async () => {
    emu = await startEmulators();
    s = await scenarioStack({
      emulators: emu,
      stackFile: "staging",
      drop: ["slipway:github"],
      secrets,
      env: { SLIPWAY_RELEASE_COMMIT: COMMIT },
    });
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  const app = () => {
    const a = emu.coolify.state.applications.find((x) => x.uuid === appUuid);
    if (!a) throw new Error(`application ${appUuid} is not in the Coolify emulator`);
    return a;
  };
  const envOf = (uuid: string) =>
    Object.fromEntries((emu.coolify.state.applications.find((x) => x.uuid === uuid)?.envs ?? []).filter((e) => !e.is_preview).map((e) => [e.key, e.value]));

  it("a. up from nothing creates exactly what the config declares, and exports the documented outputs", async () => {
    const r = await s.up();
    transcript.add(r);
    const st = emu.coolify.state;

    // Coolify: one project "shop" with the "staging" environment, one Postgres, one application.
    expect(st.projects.map((p) => p.name)).toEqual(["shop"]);
    const project = st.projects[0];
    const staging = st.environments.find((e) => e.project_id === project?.id && e.name === "staging");
    expect(staging).toBeDefined();
    expect(st.databases).toHaveLength(1);
    expect(st.applications).toHaveLength(1);
    const db = st.databases[0];
    const a = st.applications[0];
    if (!db || !a || !staging || !project) throw new Error("unreachable: lengths checked above");
    appUuid = a.uuid;

    expect(db).toMatchObject({ name: "shop-db", image: "pgvector/pgvector:pg16", postgres_db: "shop", environment_id: staging.id, server_uuid: STAGING_SERVER_UUID });
    expect(db.backups).toHaveLength(1);
    expect(db.backups[0]?.config).toMatchObject({ frequency: "0 3 * * *", database_backup_retention_days_locally: 30 });

    expect(a).toMatchObject({
      name: "shop",
      environment_id: staging.id,
      server_uuid: STAGING_SERVER_UUID,
      // Coolify v4.3.10's stored form of a digest (ApplicationsController create_application).
      docker_registry_image_name: "ghcr.io/acme/shop@sha256",
      docker_registry_image_tag: IMAGE.split("@sha256:")[1],
      fqdn: "https://staging.example.com",
    });
    expect(a.config).toMatchObject({
      ports_exposes: "3000,4000",
      health_check_enabled: true,
      health_check_path: "/healthz",
      health_check_port: "3000",
      health_check_interval: 10,
      health_check_timeout: 3,
      health_check_start_period: 20,
      limits_cpus: "1",
      limits_memory: "1024m",
      pre_deployment_command: "npm run db:migrate",
    });
    // The media volume: a persistent Docker volume named after the app, mounted where the config says.
    expect(a.storages.map((v) => [v.type, v.name, v.mount_path])).toEqual([["persistent", `${a.uuid}-media`, "/app/media"]]);
    // …archived nightly by Coolify's scheduled volume backups, kept 14 days (by days alone: no count limit).
    expect(a.storages[0]?.backup).toMatchObject({ frequency: "30 3 * * *", enabled: true, settings: { retention_days_locally: 14, retention_amount_locally: 0 } });
    const env = envOf(a.uuid);
    expect(Object.keys(env).sort()).toEqual(["DATABASE_URL", "LOG_LEVEL", "NODE_ENV", "PUBLIC_URL", "SESSION_SECRET", "STRIPE_API_KEY"]);
    expect(env).toMatchObject({ NODE_ENV: "production", LOG_LEVEL: "debug", PUBLIC_URL: "https://staging.example.com", ...secrets });
    expect(env.DATABASE_URL).toContain(`@${db.uuid}:5432/shop`);
    // Deployed once, and serving the pinned image on its domain.
    expect(st.deployments.map((d) => [d.application_uuid, d.status, d.image])).toEqual([[a.uuid, "finished", IMAGE]]);
    expect(a.running?.image).toBe(IMAGE);
    expect(await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).toEqual({ status: 200, image: IMAGE });

    // Nothing on Fly, nothing on GitHub.
    expect(emu.fly.state.apps.size + emu.fly.state.machines.size + emu.fly.state.volumes.size).toBe(0);
    expect(emu.github.log).toEqual([]);

    const out = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value]));
    expect(out).toEqual({
      url: "https://staging.example.com",
      urls: ["https://staging.example.com"],
      healthUrl: "https://staging.example.com/healthz",
      imageRef: IMAGE,
      coolifyProjectUuid: project.uuid,
      coolifyEnvironmentUuid: staging.uuid,
      coolifyApplicationUuid: a.uuid,
      coolifyDatabaseUuid: db.uuid,
      databaseHost: db.uuid,
      releaseCommit: COMMIT,
    });
    expect(Object.values(r.outputs).filter((o) => o.secret)).toEqual([]);
  });

  it("b. a second preview plans no change and makes zero mutating API calls", async () => {
    const mark = logMark(emu);
    const p = await s.preview();
    transcript.add(p);
    expect(p.changes).toEqual([]);
    expect(Object.keys(p.summary)).toEqual(["same"]);
    expect(mutating(callsSince(emu, mark))).toEqual([]);
  });

  it("c. one env var changed: preview --diff shows only that key on the application, in place; up applies it", async () => {
    await editConfig<AppConfig>(s, "slipway:app", (a) => ({ ...a, env: { ...a.env, LOG_LEVEL: "info" } }));
    const mark = logMark(emu);
    const p = await s.preview({ diff: true });
    transcript.add(p);
    expect(mutating(callsSince(emu, mark))).toEqual([]);
    // The nodejs dynamic-provider plugin takes the stack config as its provider inputs, so a config change is
    // also an update of that (API-less) default provider; the only platform resource changing is the app.
    expect(inputChanges(p.events)).toEqual([
      { name: "default", type: "pulumi:providers:pulumi-nodejs", op: "update", paths: ["slipway:app"] },
      { name: "coolify-app-app", type: "pulumi-nodejs:dynamic/coolify:Application", op: "update", paths: ["env.LOG_LEVEL"] },
    ]);
    expect(p.stdout).toMatch(/LOG_LEVEL\s*:\s*"debug"\s*=>\s*"info"/);

    const u = await s.up();
    transcript.add(u);
    expect(u.summary).toMatchObject({ update: 1 });
    expect(inputChanges(u.events).map((c) => [c.name, c.op])).toEqual([["default", "update"], ["coolify-app-app", "update"]]);
    // Same application (no replacement), new value, redeployed with it.
    expect(emu.coolify.state.applications.map((a) => a.uuid)).toEqual([appUuid]);
    expect(envOf(appUuid).LOG_LEVEL).toBe("info");
    expect(emu.coolify.state.deployments.map((d) => d.status)).toEqual(["finished", "finished"]);
  });

  it("c. one domain changed: an in-place update of `domains` on the application only; up serves the new host", async () => {
    await s.stack.setConfig("slipway:domains", { value: JSON.stringify(["stage.example.com"]) });
    const p = await s.preview({ diff: true });
    transcript.add(p);
    expect(inputChanges(p.events).map((c) => [c.name, c.op, c.paths])).toEqual([
      ["default", "update", ["slipway:domains"]],
      ["coolify-app-app", "update", ["domains"]],
    ]);
    expect(p.stdout).toMatch(/"staging\.example\.com"/);
    expect(p.stdout).toMatch(/"stage\.example\.com"/);

    const u = await s.up();
    transcript.add(u);
    expect(app().fqdn).toBe("https://stage.example.com");
    expect(u.outputs.url?.value).toBe("https://stage.example.com");
    expect(u.outputs.healthUrl?.value).toBe("https://stage.example.com/healthz");
    expect((await appRequest(emu.coolify.origin, "stage.example.com", "/healthz")).status).toBe(200);
    expect((await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).status).toBe(404);
  });

  it("e. an out-of-band change in Coolify shows as drift on refresh, and up restores the declared value", async () => {
    // Someone edits the variable in Coolify's UI (the same API call the UI makes).
    const res = await fetch(`${emu.coolify.url}/applications/${appUuid}/envs`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${emu.tokens.coolify}`, "content-type": "application/json" },
      body: JSON.stringify({ key: "LOG_LEVEL", value: "trace" }),
    });
    expect(res.status).toBe(201);
    expect(envOf(appUuid).LOG_LEVEL).toBe("trace");

    const r = await s.refresh();
    transcript.add(r);
    expect(refreshDrift(r.events)).toEqual([{ name: "coolify-app-app", paths: ["env.LOG_LEVEL"] }]);
    const drift = (await s.exportState()).find((x) => x.urn.endsWith("::coolify-app-app"));
    expect((drift?.outputs?.env as Record<string, string> | undefined)?.LOG_LEVEL).toBe("trace");

    const p = await s.preview({ diff: true });
    transcript.add(p);
    expect(inputChanges(p.events).map((c) => [c.name, c.op])).toEqual([["coolify-app-app", "update"]]);
    const u = await s.up();
    transcript.add(u);
    expect(envOf(appUuid).LOG_LEVEL).toBe("info");
    expect(emu.coolify.state.applications).toHaveLength(1);
  });

  it("h. no secret value appears in plaintext in state, history, stack file, outputs, engine output or request logs", async () => {
    const db = emu.coolify.state.databases[0];
    if (!db) throw new Error("the database is gone");
    const values = {
      ...secrets,
      COOLIFY_TOKEN: emu.tokens.coolify,
      POSTGRES_PASSWORD: db.postgres_password,
    };
    const outputs = JSON.stringify(await s.stack.outputs());
    const places: Record<string, string> = {
      "backend (state, history, backups)": s.backendText(),
      "Pulumi.staging.yaml": readFileSync(path.join(s.workDir, "Pulumi.staging.yaml"), "utf8"),
      "stack export": await rawExport(s),
      "stack outputs": outputs,
      "engine stdout/stderr": transcript.text(),
      "coolify request log": JSON.stringify(emu.coolify.log),
      "fly request log": JSON.stringify(emu.fly.log),
      "github request log": JSON.stringify(emu.github.log),
    };
    // The checks must look at real material: a state without the app or a log without the env writes proves nothing.
    expect(places["stack export"]).toContain(appUuid);
    expect(places["coolify request log"]).toContain("SESSION_SECRET");
    expect(transcript.text().length).toBeGreaterThan(500);
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(places)) {
      for (const [name, value] of Object.entries(values)) if (text.includes(value)) leaks.push(`${name} in ${where}`);
    }
    expect(leaks).toEqual([]);
    // …while the platform did receive them: the secrets reached the app, the token authenticated every call.
    expect(envOf(appUuid)).toMatchObject(secrets);
  });
});
