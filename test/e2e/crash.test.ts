import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { runSlipway, stagingStack, type CliRun } from "./cli-run";
import { appRequest, EngineTranscript, startEmulators, type Emulators } from "./stacks";

/**
 * i. The engine SIGKILLed while the Coolify application's create is in flight: the application exists on the
 * platform, the state has only a pending create, and the engine's lock stays. No hand edits get out of it:
 *  - `npx slipway recover staging` clears the lock, finds the application by its slipway mark and records it;
 *  - or plainly `pulumi cancel` + `pulumi up`: the provider's create looks for its own mark first and adopts it.
 * Either way: one application (the one the killed run made), no second create, an empty preview.
 * Staging config without `slipway:github` (GitHub provider plugin not buildable offline, see staging.test.ts).
 */

interface RawDeployment {
  deployment?: { resources?: { urn: string; id?: string }[]; pending_operations?: { type: string; resource: { urn: string } }[] };
}

async function until(what: string, check: () => boolean, timeoutMs = 240_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function crashScenario(title: string, recoverWith: "slipway recover" | "pulumi cancel + pulumi up") {
  describe(title, () => {
    let emu: Emulators;
    let s: EngineStack;
    const transcript = new EngineTranscript();

    beforeAll(async () => {
      emu = await startEmulators();
      s = await stagingStack(emu);
    });
    afterAll(async () => {
      await s?.cleanup();
      await emu?.close();
    });

    const createCalls = () => emu.coolify.log.filter((c) => c.method === "POST" && c.path.startsWith("/api/v1/applications/dockerimage"));
    const pending = async () => ((await s.stack.exportStack()) as RawDeployment).deployment?.pending_operations ?? [];
    function slipway(...args: string[]): Promise<CliRun> {
      const env = { ...process.env, ...s.env, SLIPWAY_PROJECT_DIR: s.workDir, SLIPWAY_LOCK_SETTLE_MS: "300", GITHUB_ACTOR: "e2e-bot" };
      return runSlipway(args, { cwd: s.workDir, env, timeoutMs: 300_000 });
    }

    it("SIGKILL while the application's deployment is awaited leaves a pending create, the app on Coolify and the lock", async () => {
      // The provider's first poll of the deployment hangs, so the create is reliably in flight when the kill lands.
      emu.coolify.injectFault({ method: "GET", path: "/deployments/{uuid}", times: 1, fault: { kind: "hang", ms: 120_000 } });
      const up = s.up().then(
        () => "completed",
        (e: unknown) => (transcript.addError(e), "killed"),
      );
      await until("the application's first deployment", () => emu.coolify.state.deployments.length > 0);
      await new Promise((r) => setTimeout(r, 500));
      expect(s.killEngine("SIGKILL")).toBeGreaterThan(0);
      expect(await up).toBe("killed");

      expect(emu.coolify.state.applications).toHaveLength(1);
      expect(createCalls()).toHaveLength(1);
      const ops = await pending();
      expect(ops.map((o) => [o.type, o.resource.urn.split("::").pop()])).toEqual([["creating", "coolify-app-app"]]);
      await expect(s.up()).rejects.toThrow(/locked/);
      expect(createCalls()).toHaveLength(1);
    });

    if (recoverWith === "slipway recover") {
      it("slipway deploy notices the pending create and says to run recover, touching nothing", async () => {
        const before = emu.coolify.log.length;
        const r = await slipway("deploy", "staging");
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          "stack staging has 1 pending operation from an interrupted run: coolify-app-app (creating); nothing was changed. Run `npx slipway recover staging`",
        );
        expect(emu.coolify.log.slice(before).filter((c) => c.method !== "GET")).toEqual([]);
      });

      it("slipway recover clears the lock, finds the application by its mark and records it; nothing is pending", async () => {
        const [app] = emu.coolify.state.applications;
        const r = await slipway("recover", "staging");
        expect(r.code, r.stderr.slice(-2000)).toBe(0);
        const lines = r.stdout.trim().split("\n");
        expect(lines).toContain("cleared the engine's lock of the interrupted update (pulumi cancel)");
        expect(lines).toContainEqual(
          expect.stringMatching(new RegExp(`^coolify-app-app: interrupted while creating; found Coolify application shop .*slipway-[0-9a-f]{12}.* \\(id ${app?.uuid}\\), recorded in the state$`)),
        );
        expect(lines.at(-1)).toBe("refreshed staging: nothing is pending; `slipway deploy staging` can run again");
        expect(await pending()).toEqual([]);
        const state = ((await s.stack.exportStack()) as RawDeployment).deployment?.resources ?? [];
        expect(state.find((x) => x.urn.endsWith("::coolify-app-app"))?.id).toBe(app?.uuid);
      });
    } else {
      it("pulumi cancel clears the engine's lock (the pending create stays for the providers to resolve)", async () => {
        await s.stack.cancel();
        expect(await pending()).toHaveLength(1);
      });
    }

    it("then up converges: the killed run's application is the stack's, created once, serving, an empty preview", async () => {
      const orphan = emu.coolify.state.applications[0]?.uuid;
      const r = await s.up();
      transcript.add(r);
      const st = emu.coolify.state;
      expect(st.projects).toHaveLength(1);
      expect(st.databases).toHaveLength(1);
      expect(st.applications.map((a) => a.uuid)).toEqual([orphan]);
      expect(createCalls()).toHaveLength(1);
      expect(r.outputs.coolifyApplicationUuid?.value).toBe(orphan);
      expect(st.deployments.at(-1)?.status).toBe("finished");
      expect((await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).status).toBe(200);
      const p = await s.preview();
      expect(p.changes).toEqual([]);
      expect(transcript.text()).not.toContain(s.env.COOLIFY_TOKEN);
    });
  });
}

crashScenario("engine killed mid-create on staging, recovered with `slipway recover`", "slipway recover");
crashScenario("engine killed mid-create on staging, recovered with plain `pulumi cancel` + `pulumi up`", "pulumi cancel + pulumi up");
