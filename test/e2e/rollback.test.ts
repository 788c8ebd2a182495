import type { EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseMessage, releasesFrom, rollbackMessage, selectRollbackTarget, type HistoryEntry, type ReleaseInfo } from "../../infra/cli/releases";
import { restoreConfig } from "../../infra/cli/workspace";
import type { EngineStack } from "./harness";
import { appRequest, EngineTranscript, inputChanges, scenarioStack, secretValue, startEmulators, type Emulators } from "./stacks";

/**
 * d. Stack-based rollback, as `slipway deploy` / `slipway rollback` do it, on the staging stack (Coolify,
 * health-gated rolling updates): releases are updates whose recorded config carries `slipway:release`, and a
 * rollback restores the config recorded with an earlier update (secrets included) from the stack's own history.
 * Without `slipway:github`: the GitHub provider plugin cannot be built offline (see staging.test.ts).
 */
const REPO = "ghcr.io/acme/shop";
const digest = (c: string) => `${REPO}@sha256:${c.repeat(64)}`;
const V1 = digest("1");
const V2 = digest("2");
const V3 = digest("3");

describe("rollback on the staging stack without slipway:github (GitHub provider plugin not buildable offline)", () => {
  let emu: Emulators;
  let s: EngineStack;
  const transcript = new EngineTranscript();
  const secrets = { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}` };

  beforeAll(async () => {
    emu = await startEmulators();
    s = await scenarioStack({ emulators: emu, stackFile: "staging", drop: ["slipway:github"], secrets });
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  const infoFor = (image: string, tag: string): ReleaseInfo => ({ commit: tag.replace(/\D/g, "").padEnd(7, "a"), tag, image, actor: "e2e", time: new Date().toISOString() });

  /**
   * What `slipway deploy --image` records and runs (infra/cli/commands/deploy.ts), minus its health gate: the
   * release (with its digest) as `slipway:release` for the run; the program pins that digest.
   */
  async function release(image: string, tag: string): Promise<string> {
    const info = infoFor(image, tag);
    await s.stack.setConfig("slipway:release", { value: JSON.stringify(info) });
    const r = await s.stack.up({ message: releaseMessage(undefined, info) });
    transcript.add(r);
    return r.summary.result;
  }

  const app = () => {
    const apps = emu.coolify.state.applications;
    expect(apps).toHaveLength(1);
    return apps[0] as NonNullable<(typeof apps)[0]>;
  };
  const envOf = () => Object.fromEntries(app().envs.map((e) => [e.key, e.value]));

  it("two releases: the second previews as an in-place image change on the application only", async () => {
    expect(await release(V1, "v1.0.0")).toBe("succeeded");
    expect(app().running?.image).toBe(V1);

    await s.stack.setConfig("slipway:release", { value: JSON.stringify(infoFor(V2, "v1.1.0")) });
    const p = await s.preview({ diff: true });
    transcript.add(p);
    // c. the image digest: the release record and the app's `image` only (the default provider's update is the
    // config it is handed).
    expect(inputChanges(p.events).map((c) => [c.name, c.op, c.paths])).toEqual([
      ["default", "update", ["slipway:release"]],
      ["release", "update", ["commit", "imageRef", "tag", "time"]],
      ["coolify-app-app", "update", ["image"]],
    ]);
    expect(p.stdout).toContain(V2);

    expect(await release(V2, "v1.1.0")).toBe("succeeded");
    expect(app().running?.image).toBe(V2);
    expect(await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).toEqual({ status: 200, image: V2 });
  });

  it("rolling back restores the first release's config from the update history, and the platform runs V1 again", async () => {
    const history = (await s.stack.history(undefined, undefined, true)) as HistoryEntry[];
    const releases = releasesFrom(history);
    expect(releases.map((r) => [r.version, r.role, r.result, r.info.image])).toEqual([
      [1, "release", "succeeded", V1],
      [2, "release", "succeeded", V2],
    ]);
    const target = selectRollbackTarget(releases);
    expect(target.version).toBe(1);
    // The recorded config carries the secrets (showSecrets) so the rollback can re-encrypt them.
    expect(JSON.parse(target.config["slipway:secrets"]?.value ?? "{}")).toEqual(secrets);
    expect(target.config["slipway:secrets"]?.secret).toBe(true);

    const changed = await restoreConfig(s.stack, target.config);
    expect(changed).toEqual(["slipway:release"]);
    const events: EngineEvent[] = [];
    const r = await s.stack.up({ message: rollbackMessage(target.version), onEvent: (e) => events.push(e) });
    transcript.add(r);
    expect(inputChanges(events).map((c) => [c.name, c.paths])).toEqual([
      ["default", ["slipway:release"]],
      ["release", ["commit", "imageRef", "tag", "time"]],
      ["coolify-app-app", ["image"]],
    ]);
    expect(r.outputs.imageRef?.value).toBe(V1);

    const a = app();
    expect(a.running?.image).toBe(V1);
    expect(a.docker_registry_image_tag).toBe("1".repeat(64));
    expect(await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).toEqual({ status: 200, image: V1 });
    expect(envOf()).toMatchObject(secrets);
    expect(emu.coolify.state.deployments.map((d) => [d.image, d.status])).toEqual([
      [V1, "finished"],
      [V2, "finished"],
      [V1, "finished"],
    ]);
    expect(releasesFrom((await s.stack.history()) as HistoryEntry[]).at(-1)).toMatchObject({ version: 3, role: "rollback", result: "succeeded" });
  });

  it("a release whose health check fails leaves the previous release serving, and the update fails", async () => {
    emu.coolify.markImageUnhealthy(V3);
    const failed = await release(V3, "v1.2.0").then(
      () => "succeeded",
      (e: unknown) => {
        transcript.addError(e);
        return String(e);
      },
    );
    expect(failed).toContain("failed");
    expect(failed).toContain("Health check");

    // Coolify kept the old container: V1 still answers on the domain, healthy.
    expect(app().running?.image).toBe(V1);
    expect(await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).toEqual({ status: 200, image: V1 });
    expect(emu.coolify.state.deployments.at(-1)).toMatchObject({ image: V3, status: "failed" });
    const history = releasesFrom((await s.stack.history()) as HistoryEntry[]);
    expect(history.at(-1)).toMatchObject({ version: 4, role: "release", result: "failed" });
    // The stack still records V1 as what runs, so the next rollback target is unambiguous.
    const state = await s.exportState();
    expect(state.find((x) => x.urn.endsWith("::coolify-app-app"))?.outputs?.image).toBe(V1);
  });

  it("rolling back after the failed release with a refresh leaves Coolify both running and configured with V1", async () => {
    const releases = releasesFrom((await s.stack.history(undefined, undefined, true)) as HistoryEntry[]);
    const before = releases.filter((r) => r.result === "succeeded" && r.healthy).at(-1);
    expect(before?.version).toBe(3);
    if (!before) throw new Error("no healthy release");
    await restoreConfig(s.stack, before.config);
    // The failed update had already set V3 on the application (the deployment failed after it); only a refresh
    // lets the engine see that, so without it the app would stay configured with V3 (see .slipway-notes/e2e.md).
    const events: EngineEvent[] = [];
    const r = await s.stack.up({ message: rollbackMessage(before.version, 4), refresh: true, onEvent: (e) => events.push(e) });
    transcript.add(r);
    expect(r.outputs.imageRef?.value).toBe(V1);
    expect(inputChanges(events).map((c) => [c.name, c.op])).toContainEqual(["coolify-app-app", "update"]);
    const a = app();
    expect(a.running?.image).toBe(V1);
    // What Coolify would start on its next restart is V1 as well, not the release that failed.
    expect(a.docker_registry_image_tag).toBe("1".repeat(64));
    expect(emu.coolify.state.deployments.at(-1)).toMatchObject({ image: V1, status: "finished" });
    const p = await s.preview({ refresh: true });
    transcript.add(p);
    expect(inputChanges(p.events).filter((c) => c.op !== "refresh")).toEqual([]);
  });
});
