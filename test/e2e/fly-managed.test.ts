import * as path from "node:path";
import type { ConfigMap, EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prConfig } from "../../infra/cli/commands/pr";
import { EngineStack, ROOT_PROJECT } from "./harness";
import { callsSince, EngineTranscript, logMark, mutating, pulumiCli, rawExport, secretValue, setSecrets, startEmulators, type Emulators } from "./stacks";

/**
 * Fly Managed Postgres on the real engine: a Fly stack with `slipway:database.kind: flyManaged` gets a cluster, its
 * database with pgvector and DATABASE_URL as a Fly secret (never plaintext in the exported state or the engine's
 * output); a preview stack with `forkFrom` gets a fork of that cluster with its data; destroying the preview deletes
 * the fork and leaves the source cluster, its data and its app's attachment as they were.
 *
 * Both stacks are made from Pulumi.pr.yaml (a cheap Fly stack) with the config a user would write, and share one
 * file backend, as stacks of one project do, so the preview's StackReference finds the source stack.
 */
const SOURCE = "fly-staging";
const SOURCE_APP = "shop-staging";
const PR = 7;
const PR_APP = `shop-pr-${PR}`;
const TEMPLATE = path.join(ROOT_PROJECT, "Pulumi.pr.yaml");

/**
 * The engine events a user sees (`pulumi up` output, the event log), without the SDK's debug diagnostics: those echo
 * every RegisterResource answer with secret values in plaintext (the Fly token of every resource too), and are shown
 * only with `--debug`.
 */
function shownEvents(events: EngineEvent[]): EngineEvent[] {
  // The SDK types severity without "debug", yet the engine sends it (seen in these events).
  return events.filter((e) => (e.diagnosticEvent?.severity as string | undefined) !== "debug");
}

function flyConfig(n: number, appName: string, database: Record<string, unknown>): ConfigMap {
  const config = prConfig(n, TEMPLATE);
  const targets = JSON.parse(config["slipway:targets"]?.value ?? "{}") as { fly: { appName: string } };
  targets.fly.appName = appName;
  config["slipway:targets"] = { value: JSON.stringify(targets), secret: false };
  config["slipway:database"] = { value: JSON.stringify(database), secret: false };
  return config;
}

describe("kind flyManaged: a cluster with DATABASE_URL as a secret, a preview forking it, the fork destroyed with the preview", () => {
  let emu: Emulators;
  let source: EngineStack;
  let pr: EngineStack;
  const transcript = new EngineTranscript();
  let sourceCluster = "";

  beforeAll(async () => {
    emu = await startEmulators();
    source = await EngineStack.create({ project: ROOT_PROJECT, stackName: SOURCE, env: emu.env });
    // protect: false first (the last test turns the default protection on).
    await source.stack.setAllConfig(flyConfig(1, SOURCE_APP, { kind: "flyManaged", databaseName: "shop", protect: false }));
    // The template's secretEnv, as an operator (or the preview environment) sets them.
    await setSecrets(source, { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: secretValue("stripe") });
    pr = await EngineStack.create({ project: ROOT_PROJECT, stackName: `pr-${PR}`, env: { ...emu.env, PULUMI_BACKEND_URL: `file://${source.backendDir}` } });
    await pr.stack.setAllConfig(flyConfig(PR, PR_APP, { kind: "flyManaged", databaseName: "shop", forkFrom: SOURCE }));
    await setSecrets(pr, { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: secretValue("stripe") });
  });
  afterAll(async () => {
    await pr?.cleanup();
    await source?.cleanup();
    await emu?.close();
  });

  const pg = () => emu.fly.state.pg;
  const secretOf = (app: string, name: string) => emu.fly.state.apps.get(app)?.secrets.get(name)?.value;

  it("up: a ready cluster in ewr, the database with vector, the app's own user, DATABASE_URL as a Fly secret", async () => {
    const r = await source.up();
    transcript.add(r);
    const clusters = [...pg().clusters.values()];
    expect(clusters).toHaveLength(1);
    const cluster = clusters[0]!;
    sourceCluster = cluster.id;
    expect(pg().status(cluster)).toBe("ready");
    expect([cluster.region, cluster.plan, cluster.diskSizeGb, cluster.pgMajorVersion]).toEqual(["ewr", "basic", 10, "16"]);
    expect([...cluster.databases.get("shop")!.extensions.keys()]).toContain("vector");
    expect([...cluster.attachments.keys()]).toEqual([SOURCE_APP]);
    expect(r.outputs.flyManagedPostgresClusterId?.value).toBe(cluster.id);

    const url = secretOf(SOURCE_APP, "DATABASE_URL");
    expect(url).toBeDefined();
    const parsed = new URL(url!);
    expect([parsed.username, parsed.hostname, parsed.pathname]).toEqual(["shop_staging", `pgbouncer.${cluster.id}.flympg.net`, "/shop"]);
    const password = cluster.users.get("shop_staging")!.password;
    expect(decodeURIComponent(parsed.password)).toBe(password);
    // The machine waited for the secret: it runs with a secrets version that includes DATABASE_URL.
    const machine = [...emu.fly.state.machines.values()].find((m) => m.appName === SOURCE_APP && m.state === "started");
    expect(machine?.minSecretsVersion).toBe(emu.fly.state.apps.get(SOURCE_APP)?.secretsVersion);

    // Never in plaintext: not in the exported state, not in what the engine printed.
    const exported = await rawExport(source);
    expect(exported).toContain("databaseUrl");
    for (const leak of [url!, password, encodeURIComponent(password)]) {
      expect(exported).not.toContain(leak);
      expect(transcript.text()).not.toContain(leak);
      expect(JSON.stringify(shownEvents(r.events))).not.toContain(leak);
    }
    // A second up changes nothing.
    const again = await source.up();
    transcript.add(again);
    expect(again.changes).toEqual([]);
  });

  it("a preview with forkFrom gets a fork of the source cluster, with its data, and its own user", async () => {
    pg().insert(sourceCluster, "shop", "order 1 from staging");
    const mark = logMark(emu);
    const r = await pr.up();
    transcript.add(r);
    const fork = [...pg().clusters.values()].find((c) => c.id !== sourceCluster);
    expect(fork?.source).toBe(sourceCluster);
    expect(pg().status(fork!)).toBe("ready");
    expect(pg().rows(fork!.id, "shop")).toEqual(["order 1 from staging"]);
    const url = new URL(secretOf(PR_APP, "DATABASE_URL")!);
    expect([url.username, url.hostname]).toEqual(["shop_pr_7", `pgbouncer.${fork!.id}.flympg.net`]);
    expect(r.outputs.flyManagedPostgresClusterId?.value).toBe(fork!.id);
    // Of the source cluster, the preview only read what it needed and asked for the fork.
    const toSource = mutating(callsSince(emu, mark)).filter((c) => c.includes(`/v1/postgres/${sourceCluster}`));
    expect(toSource).toEqual([`fly POST /v1/postgres/${sourceCluster}/fork 201`]);
  });

  it("destroying the preview deletes the fork and leaves the source cluster, its data and its attachment intact", async () => {
    const fork = [...pg().clusters.values()].find((c) => c.id !== sourceCluster)!;
    pg().insert(fork.id, "shop", "order made in the preview");
    const sourceUrl = secretOf(SOURCE_APP, "DATABASE_URL");
    const mark = logMark(emu);
    const r = await pr.destroy();
    transcript.add(r);

    expect(["deleting", "deleted"]).toContain(pg().status(fork));
    expect(emu.fly.state.apps.has(PR_APP)).toBe(false);
    const kept = pg().clusters.get(sourceCluster)!;
    expect(pg().status(kept)).toBe("ready");
    expect(pg().rows(sourceCluster, "shop")).toEqual(["order 1 from staging"]);
    expect([...kept.attachments.keys()]).toEqual([SOURCE_APP]);
    expect(secretOf(SOURCE_APP, "DATABASE_URL")).toBe(sourceUrl);
    const toSource = mutating(callsSince(emu, mark)).filter((c) => c.includes(`/v1/postgres/${sourceCluster}`) || c.includes(`/apps/${SOURCE_APP}`));
    expect(toSource).toEqual([]);
    // And the source stack sees nothing changed.
    const preview = await source.preview();
    expect(preview.changes).toEqual([]);
  });

  it("a changed disk size is refused before anything is touched (the API cannot resize; a new cluster would be empty)", async () => {
    await source.stack.setConfig("slipway:database", { value: JSON.stringify({ kind: "flyManaged", databaseName: "shop", protect: false, diskSizeGb: 20 }) });
    const mark = logMark(emu);
    const error = await source.up().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    transcript.addError(error);
    expect(String((error as Error).message)).toMatch(/diskSizeGb cannot change from 10 to 20 in place: Fly's Managed Postgres API has no update of a cluster/);
    expect(mutating(callsSince(emu, mark))).toEqual([]);
    expect(pg().status(pg().clusters.get(sourceCluster)!)).toBe("ready");
  });

  it("by default the cluster is protected: `pulumi destroy` is refused and touches nothing", async () => {
    await source.stack.setConfig("slipway:database", { value: JSON.stringify({ kind: "flyManaged", databaseName: "shop" }) });
    const up = await source.up();
    transcript.add(up);
    const mark = logMark(emu);
    const r = await pulumiCli(source, ["destroy", "--yes", "--non-interactive", "--stack", source.stack.name]);
    transcript.add(r);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(/cannot be deleted\s+because it is protected/);
    expect(mutating(callsSince(emu, mark))).toEqual([]);
    expect(pg().rows(sourceCluster, "shop")).toEqual(["order 1 from staging"]);
  });
});
