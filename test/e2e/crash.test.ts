import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineStack } from "./harness";
import { appRequest, EngineTranscript, pulumiCli, rawExport, scenarioStack, secretValue, startEmulators, type Emulators } from "./stacks";

/**
 * i. The engine SIGKILLed while a create is in flight: the Coolify application exists on the platform, but the
 * engine never recorded it. Recovery with the engine's own tools (`pulumi cancel` for the DIY backend's lock,
 * `stack export` → the interrupted create recorded with the id Coolify shows → `stack import`), then `up` converges: the
 * application's id is handed to the engine for the interrupted create, so nothing is orphaned or duplicated.
 * Staging config without `slipway:github` (GitHub provider plugin not buildable offline, see staging.test.ts).
 */

interface StateResource {
  urn: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [k: string]: unknown;
}

/** `pulumi stack export` as written (only what the repair touches is typed). */
interface StateFile {
  deployment: { resources: StateResource[]; pending_operations?: { type: string; resource: StateResource }[]; [k: string]: unknown };
  [k: string]: unknown;
}

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

describe("engine killed mid-update on the staging stack without slipway:github (GitHub provider plugin not buildable offline)", () => {
  let emu: Emulators;
  let s: EngineStack;
  const transcript = new EngineTranscript();

  beforeAll(async () => {
    emu = await startEmulators();
    s = await scenarioStack({
      emulators: emu,
      stackFile: "staging",
      drop: ["slipway:github"],
      secrets: { SESSION_SECRET: secretValue("session"), STRIPE_API_KEY: `sk_test_${secretValue("stripe").replace(/-/g, "")}` },
    });
  });
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
  });

  const createCalls = () => emu.coolify.log.filter((c) => c.method === "POST" && c.path.startsWith("/api/v1/applications/dockerimage"));
  const pending = async () => ((await s.stack.exportStack()) as RawDeployment).deployment?.pending_operations ?? [];

  it("SIGKILL while the application's deployment is being awaited leaves a pending create and the app on Coolify", async () => {
    // The provider's first poll of the deployment hangs, so the create is reliably in flight when the kill lands.
    emu.coolify.injectFault({ method: "GET", path: "/deployments/{uuid}", times: 1, fault: { kind: "hang", ms: 120_000 } });
    const up = s.up().then(
      () => "completed",
      (e: unknown) => {
        transcript.addError(e);
        return "killed";
      },
    );
    await until("the application's first deployment", () => emu.coolify.state.deployments.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(s.killEngine("SIGKILL")).toBeGreaterThan(0);
    expect(await up).toBe("killed");

    expect(emu.coolify.state.applications).toHaveLength(1);
    expect(createCalls()).toHaveLength(1);
    const ops = await pending();
    expect(ops.map((o) => [o.type, o.resource.urn.split("::").pop()])).toEqual([["creating", "coolify-app-app"]]);
  });

  it("the next up is refused while the killed update still holds the stack's lock", async () => {
    const r = await s.up().then(
      () => "succeeded",
      (e: unknown) => String(e),
    );
    expect(r).toMatch(/locked/);
    expect(createCalls()).toHaveLength(1);
  });

  it("cancel, record the interrupted create with the id Coolify shows (stack export/import), then up converges", async () => {
    await s.stack.cancel();
    // What an operator does: look the application up on the platform (the stack knows its name and environment)…
    const res = await fetch(`${emu.coolify.url}/applications`, { headers: { authorization: `Bearer ${emu.tokens.coolify}` } });
    const listed = ((await res.json()) as { uuid: string; name: string }[]).filter((a) => a.name === "shop");
    expect(listed).toHaveLength(1);
    const orphan = listed[0]?.uuid ?? "";
    // …and complete the interrupted create in the state by hand. Not `--clear-pending-creates`: the next create
    // would collide with the orphan (Coolify refuses a second app on the domain). Not `--import-pending-creates`:
    // this engine drops the pending op without recording the resource (seen with v3.274.0).
    const raw = JSON.parse(await rawExport(s)) as StateFile;
    const [op] = raw.deployment.pending_operations ?? [];
    if (!op) throw new Error("no pending operation to resolve");
    raw.deployment.resources.push({ ...op.resource, id: orphan, outputs: { ...op.resource.inputs, uuid: orphan } });
    raw.deployment.pending_operations = [];
    const file = path.join(path.dirname(s.workDir), "state.json");
    writeFileSync(file, JSON.stringify(raw));
    const imported = await pulumiCli(s, ["stack", "import", "--file", file, "--stack", s.stack.name]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(await pending()).toEqual([]);
    const refreshed = await s.refresh();
    transcript.add(refreshed);

    const r = await s.up();
    transcript.add(r);
    const st = emu.coolify.state;
    // The same single project, database and application: the interrupted create's app is the stack's app now.
    expect(st.projects).toHaveLength(1);
    expect(st.databases).toHaveLength(1);
    expect(st.applications.map((a) => a.uuid)).toEqual([orphan]);
    expect(createCalls()).toHaveLength(1);
    expect(r.outputs.coolifyApplicationUuid?.value).toBe(orphan);
    const state = ((await s.stack.exportStack()) as RawDeployment).deployment?.resources ?? [];
    expect(state.find((x) => x.urn.endsWith("::coolify-app-app"))?.id).toBe(orphan);
    expect(st.deployments.at(-1)?.status).toBe("finished");
    expect((await appRequest(emu.coolify.origin, "staging.example.com", "/healthz")).status).toBe(200);

    // Converged: nothing left to do.
    const p = await s.preview();
    expect(p.changes).toEqual([]);
  });
});
