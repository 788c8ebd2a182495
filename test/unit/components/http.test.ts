import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { retryingFetch } from "../../../components/http";

type Script = Array<{ status: number; headers?: Record<string, string>; hangMs?: number; drop?: boolean }>;

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
});

/** A loopback server answering the scripted replies in order (then 200), recording each request. */
async function scripted(script: Script): Promise<{ url: string; seen: Array<{ method: string; auth?: string }> }> {
  const seen: Array<{ method: string; auth?: string }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", auth: req.headers.authorization });
    const step = script[seen.length - 1] ?? { status: 200 };
    const reply = () => {
      res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
      res.end(JSON.stringify({ attempt: seen.length }));
    };
    if (step.drop) req.socket.destroy();
    else if (step.hangMs) setTimeout(reply, step.hangMs).unref();
    else reply();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, seen };
}

const fast = { baseDelayMs: 1, backoffLimitMs: 5, limit: 3 };

describe("retryingFetch", () => {
  it("retries idempotent calls on 5xx and sends the bearer token each time", async () => {
    const { url, seen } = await scripted([{ status: 502 }, { status: 500 }]);
    const res = await retryingFetch("tok", fast)(url);
    expect(res.status).toBe(200);
    expect(seen).toEqual([
      { method: "GET", auth: "Bearer tok" },
      { method: "GET", auth: "Bearer tok" },
      { method: "GET", auth: "Bearer tok" },
    ]);
  });

  it("never re-sends a POST that failed ambiguously (the resource may exist)", async () => {
    const { url, seen } = await scripted([{ status: 502 }]);
    const res = await retryingFetch("tok", fast)(url, { method: "POST", body: "{}" });
    expect(res.status).toBe(502);
    expect(seen).toHaveLength(1);
  });

  it("re-sends a POST on 429 after the Retry-After the server asked for", async () => {
    const { url, seen } = await scripted([{ status: 429, headers: { "retry-after": "1" } }]);
    const started = Date.now();
    const res = await retryingFetch("tok", fast)(url, { method: "POST", body: "{}" });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("gives the last answer back once retries are spent", async () => {
    const { url, seen } = await scripted([{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const res = await retryingFetch("tok", fast)(url);
    expect(res.status).toBe(503);
    expect(seen).toHaveLength(4);
  });

  it("retries an idempotent call that hung past the timeout, but not a POST", async () => {
    const { url, seen } = await scripted([{ status: 200, hangMs: 2_000 }]);
    const res = await retryingFetch("tok", { ...fast, timeoutMs: 200 })(url);
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    const post = await scripted([{ status: 200, hangMs: 2_000 }]);
    await expect(retryingFetch("tok", { ...fast, timeoutMs: 200 })(post.url, { method: "POST", body: "{}" })).rejects.toThrow(/timed out/i);
    expect(post.seen).toHaveLength(1);
  });

  it("never re-sends a POST whose connection dropped (it may have been carried out), but does re-send a GET", async () => {
    const post = await scripted([{ status: 200, drop: true }]);
    await expect(retryingFetch("tok", fast)(post.url, { method: "POST", body: "{}" })).rejects.toThrow();
    expect(post.seen).toHaveLength(1);
    const get = await scripted([{ status: 200, drop: true }]);
    expect((await retryingFetch("tok", fast)(get.url)).status).toBe(200);
    expect(get.seen).toHaveLength(2);
  });
});
