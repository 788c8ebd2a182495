import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coolifyFlavor } from "../coolify/flavor";
import { EmulatorClock } from "./clock";
import type { RouteContext } from "./http";
import { TemplateRouter } from "./router";
import { type EmulatorServer, startEmulatorServer } from "./server";
import { maskSecrets } from "./validate";

// The shared server's own behaviour, independent of any vendor's state: masking, query handling, vendor
// control actions, clock ordering and template precedence.
let emu: EmulatorServer;
let seen: RouteContext | undefined;

beforeAll(async () => {
  emu = await startEmulatorServer(
    coolifyFlavor,
    [
      {
        method: "POST",
        path: "/projects",
        secretKeys: ["description"],
        handler: (ctx) => ((seen = ctx), { status: 201, body: { uuid: "p1" } }),
      },
      { method: "GET", path: "/deployments/applications/{uuid}", handler: (ctx) => ((seen = ctx), { status: 200, body: [] }) },
    ],
    { timeScale: 0.0001 },
    {
      inventory: () => ({ ok: true }),
      reset: () => undefined,
      markImageUnhealthy: () => undefined,
      control: (action, method) => (action === "echo" && method === "GET" ? { status: 200, body: { echoed: true } } : undefined),
    },
  );
});
afterAll(async () => {
  expect(emu.responseViolations).toEqual([]);
  await emu.close();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${emu.url}${path}`, {
    method,
    headers: { authorization: "Bearer t", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });

describe("emulator framework", () => {
  it("masks every value under a secret key, keeping the keys, while the handler sees the plaintext", async () => {
    expect((await call("POST", "/projects", { name: "n", description: "hunter2" })).status).toBe(201);
    expect(seen?.body).toEqual({ name: "n", description: "hunter2" });
    expect(emu.log.at(-1)?.body).toEqual({ name: "n", description: "********" });
    expect(JSON.stringify(emu.log)).not.toContain("hunter2");
    const nested = maskSecrets({ name: "app", values: { DATABASE_URL: "postgres://u:p@db", more: [{ k: 1 }] } }, new Set(["values"]));
    expect(nested).toEqual({ name: "app", values: { DATABASE_URL: "********", more: [{ k: "********" }] } });
  });

  it("keeps every value of a repeated query parameter", async () => {
    expect((await call("GET", "/deployments/applications/a?skip=1&skip=2")).status).toBe(200);
    expect(seen?.queryAll.skip).toEqual(["1", "2"]);
    expect(seen?.query.skip).toBe("2");
  });

  it("hands unknown control actions to the vendor, 404 when it has none", async () => {
    expect(await (await fetch(`${emu.origin}/_emulator/echo`)).json()).toEqual({ echoed: true });
    expect((await fetch(`${emu.origin}/_emulator/nope`)).status).toBe(404);
    expect(await (await fetch(`${emu.origin}/_emulator/inventory`)).json()).toEqual({ ok: true });
  });

  it("the clock runs chained steps inside one advance, each at its own due time", () => {
    const clock = new EmulatorClock(0.0001);
    const stamps: number[] = [];
    const t0 = clock.now();
    clock.schedule(1_000, () => {
      stamps.push(clock.now() - t0);
      clock.schedule(1_000, () => stamps.push(clock.now() - t0));
    });
    clock.advance(2_500);
    expect(stamps.map((s) => Math.round(s))).toEqual([1_000, 2_000]);
    expect(Math.round(clock.now() - t0)).toBeGreaterThanOrEqual(2_500);
    clock.close();
  });

  it("applies documented deviations: extra and null fields accepted, a real status mapped to the documented one", async () => {
    const lenient = await startEmulatorServer(
      coolifyFlavor,
      [
        {
          method: "POST",
          path: "/projects",
          deviations: { extraBodyFields: ["colour"], nullableBodyFields: ["description"], statusAs: { 202: 201 } },
          handler: (ctx) => ({ status: 202, body: { uuid: JSON.stringify(ctx.body) } }),
        },
        // strictResponses off: the violation is recorded, the answer goes out unchanged.
        { method: "GET", path: "/projects", handler: () => ({ status: 200, body: { not: "an array" } }) },
      ],
      { strictResponses: false },
      { inventory: () => ({}), reset: () => undefined, markImageUnhealthy: () => undefined },
    );
    try {
      const post = await fetch(`${lenient.url}/projects`, {
        method: "POST",
        headers: { authorization: "Bearer t", "content-type": "application/json" },
        body: JSON.stringify({ name: "n", colour: "red", description: null }),
      });
      expect(post.status).toBe(202);
      expect(JSON.parse(((await post.json()) as { uuid: string }).uuid)).toEqual({ name: "n", colour: "red", description: null });
      const get = await fetch(`${lenient.url}/projects`, { headers: { authorization: "Bearer t" } });
      expect(get.status).toBe(200);
      expect(await get.json()).toEqual({ not: "an array" });
      expect(lenient.responseViolations).toHaveLength(1);
    } finally {
      await lenient.close();
    }
  });

  it("prefers literal path segments over parameters", () => {
    const router = new TemplateRouter(["/projects/{uuid}/{environment_name_or_uuid}", "/projects/{uuid}/environments"]);
    expect(router.match("/projects/p/environments")?.template).toBe("/projects/{uuid}/environments");
    expect(router.match("/projects/p/staging")).toEqual({ template: "/projects/{uuid}/{environment_name_or_uuid}", params: { uuid: "p", environment_name_or_uuid: "staging" } });
  });
});
