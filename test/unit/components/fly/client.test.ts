import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFlyClient, toFlyError, unwrap, waitForMachineState } from "../../../../components/fly/client";

/** A scripted server: each request takes the next answer for its method+path, and is recorded. */
let server: Server;
let origin: string;
let script: Record<string, { status: number; body?: unknown; headers?: Record<string, string> }[]>;
let seen: string[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    seen.push(key);
    const answer = script[key]?.shift() ?? { status: 404, body: { error: "not scripted" } };
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = {};
  seen = [];
});

const client = () => createFlyClient({ apiUrl: `${origin}/v1/`, token: "t" }, { limit: 3, baseDelayMs: 1, backoffLimitMs: 5 });

describe("errors", () => {
  it("turns Fly's {error, status} into a message naming the operation, status and code", async () => {
    script["POST /v1/apps"] = [{ status: 422, body: { error: "app name already taken", status: "name_taken" } }];
    const call = client().POST("/v1/apps", { body: { name: "x", org_slug: "o" } });
    await expect(unwrap("create app x", call)).rejects.toThrow(
      "Fly API: create app x failed with HTTP 422: app name already taken (name_taken)",
    );
  });

  it("omits the code when Fly says unknown, and copes with a non-JSON body", () => {
    expect(toFlyError("get app", 500, { error: "boom", status: "unknown" }).message).toBe("Fly API: get app failed with HTTP 500: boom");
    expect(toFlyError("get app", 502, "Bad Gateway").message).toBe("Fly API: get app failed with HTTP 502: Bad Gateway");
  });
});

describe("retries", () => {
  it("re-sends a POST answered 429 (after Retry-After) but never one answered 502, which may have succeeded", async () => {
    script["POST /v1/apps"] = [
      { status: 429, body: { error: "slow down" }, headers: { "retry-after": "0" } },
      { status: 502, body: { error: "bad gateway" } },
      { status: 201, body: { id: "never reached" } },
    ];
    const { response } = await client().POST("/v1/apps", { body: { name: "x", org_slug: "o" } });
    expect(response.status).toBe(502);
    expect(seen).toEqual(["POST /v1/apps", "POST /v1/apps"]);
  });

  it("retries idempotent reads through 5xx", async () => {
    script["GET /v1/apps/x"] = [{ status: 500 }, { status: 503 }, { status: 200, body: { name: "x" } }];
    const { data } = await client().GET("/v1/apps/{app_name}", { params: { path: { app_name: "x" } } });
    expect(data).toEqual({ name: "x" });
    expect(seen).toHaveLength(3);
  });
});

describe("waits", () => {
  it("waitForMachineState treats /wait 408 as 'not yet' and stops at the deadline", async () => {
    const path = "GET /v1/apps/a/machines/m/wait?state=started&timeout=1";
    script[path] = [{ status: 408, body: { error: "deadline_exceeded" } }, { status: 200, body: { ok: true, state: "started" } }];
    await waitForMachineState(client(), "a", "m", "started", undefined, { timeoutMs: 500, intervalMs: 10 });
    expect(seen.filter((s) => s === path).length).toBeGreaterThanOrEqual(2);

    script[path] = Array.from({ length: 200 }, () => ({ status: 408, body: { error: "deadline_exceeded" } }));
    await expect(waitForMachineState(client(), "a", "m", "started", undefined, { timeoutMs: 200, intervalMs: 10 })).rejects.toThrow(
      'Fly: machine m of a did not reach "started" within 200 ms',
    );
  });

  it("waitForMachineState fails at once on a real error", async () => {
    script["GET /v1/apps/a/machines/m/wait?state=started&timeout=1"] = [{ status: 400, body: { error: "invalid state" } }];
    await expect(waitForMachineState(client(), "a", "m", "started", undefined, { timeoutMs: 500, intervalMs: 10 })).rejects.toThrow(
      "Fly API: waiting for machine m to be started failed with HTTP 400: invalid state",
    );
  });
});
