import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isAmbiguousFailure } from "../../../../components/provider";
import { coolifyClient, CoolifyApiError, errorFromReply, ok, okOrMissing } from "../../../../components/coolify/client";
import { logTail } from "../../../../components/coolify/deploy";

describe("error replies", () => {
  it("formats Coolify's 422 with every field error on one line", () => {
    const error = errorFromReply("POST /applications/dockerimage", 422, {
      message: "Validation failed.",
      errors: { domains: ["The domains format is invalid."], foo: ["This field is not allowed."] },
    });
    expect(error).toBeInstanceOf(CoolifyApiError);
    expect(error.message).toBe(
      "Coolify POST /applications/dockerimage: 422 Validation failed. (domains: The domains format is invalid.; foo: This field is not allowed.)",
    );
    expect(error.fieldErrors).toEqual({ domains: ["The domains format is invalid."], foo: ["This field is not allowed."] });
  });

  it("handles message-only, text and empty bodies", () => {
    expect(errorFromReply("GET /x", 400, { message: "Invalid token." }).message).toBe("Coolify GET /x: 400 Invalid token.");
    expect(errorFromReply("GET /x", 502, "<html>Bad gateway</html>").message).toBe("Coolify GET /x: 502 <html>Bad gateway</html>");
    expect(errorFromReply("GET /x", 500, undefined).message).toBe("Coolify GET /x: 500 Server error.");
  });

  it("ok() returns data for 200 and 201 and throws otherwise; okOrMissing() maps 404 to undefined", () => {
    const reply = (status: number, data?: unknown, error?: unknown) => ({ data, error, response: new Response(null, { status }) });
    expect(ok("POST /p", reply(201, { uuid: "u" }))).toEqual({ uuid: "u" });
    expect(ok("GET /p", reply(200, [1]))).toEqual([1]);
    expect(() => ok("GET /p", reply(404, undefined, { message: "Not found." }))).toThrow("Coolify GET /p: 404 Not found.");
    expect(okOrMissing("GET /p", reply(404, undefined, { message: "Not found." }))).toBeUndefined();
  });

  it("are ambiguous for the kit on the statuses after which a create may have happened", () => {
    expect(isAmbiguousFailure(new CoolifyApiError("POST /p", 502, "x"))).toBe(true);
    expect(isAmbiguousFailure(new CoolifyApiError("POST /p", 408, "x"))).toBe(true);
    expect(isAmbiguousFailure(new CoolifyApiError("POST /p", 422, "x"))).toBe(false);
    expect(isAmbiguousFailure(new TypeError("fetch failed"))).toBe(true);
  });
});

describe("deployment logs", () => {
  it("keeps the visible tail of Coolify's JSON log", () => {
    const logs = JSON.stringify([
      { output: "pulling image", type: "stdout", hidden: false },
      { output: "docker inspect …", type: "stdout", hidden: true },
      { output: "health check failed", type: "stderr", hidden: false },
    ]);
    expect(logTail(logs)).toBe("pulling image\nhealth check failed");
    expect(logTail("a\nb\nc", 2)).toBe("b\nc");
    expect(logTail(null)).toBe("(no log)");
  });
});

describe("coolifyClient over HTTP", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  function serve(handler: (method: string, url: string, auth: string | undefined) => { status: number; body: unknown; headers?: Record<string, string> }) {
    return new Promise<string>((resolve) => {
      server = createServer((req, res) => {
        const reply = handler(req.method ?? "", req.url ?? "", req.headers.authorization);
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(JSON.stringify(reply.body));
      }).listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/api/v1`));
    });
  }

  it("sends the bearer token, retries 429 with Retry-After, and parses the answer", async () => {
    process.env.SLIPWAY_HTTP_BASE_DELAY_MS = "1";
    const seen: string[][] = [];
    const apiUrl = await serve((method, url, auth) => {
      seen.push([method, url, auth ?? ""]);
      return seen.length === 1 ? { status: 429, body: { message: "Rate limit exceeded." }, headers: { "retry-after": "0" } } : { status: 200, body: [{ uuid: "p", name: "web" }] };
    });
    const client = coolifyClient({ apiUrl, token: "tok" });
    expect(ok("GET /projects", await client.GET("/projects"))).toEqual([{ uuid: "p", name: "web" }]);
    expect(seen).toEqual([
      ["GET", "/api/v1/projects", "Bearer tok"],
      ["GET", "/api/v1/projects", "Bearer tok"],
    ]);
  });

  it("sends a POST that got 502 only once (an ambiguous create is not blindly repeated)", async () => {
    process.env.SLIPWAY_HTTP_BASE_DELAY_MS = "1";
    const seen: string[] = [];
    const apiUrl = await serve((method, url) => {
      seen.push(`${method} ${url}`);
      return { status: 502, body: { message: "Bad gateway" } };
    });
    const reply = await coolifyClient({ apiUrl, token: "tok" }).POST("/projects", { body: { name: "x" } });
    expect(reply.response.status).toBe(502);
    expect(seen).toEqual(["POST /api/v1/projects"]);
  });

  it("re-sends a POST the server refused with 429 or 503", async () => {
    process.env.SLIPWAY_HTTP_BASE_DELAY_MS = "1";
    const seen: number[] = [];
    const apiUrl = await serve(() => {
      const status = [429, 503, 201][seen.length] ?? 500;
      seen.push(status);
      return status === 201 ? { status, body: { uuid: "p" } } : { status, body: { message: "later" }, headers: { "retry-after": "0" } };
    });
    const reply = await coolifyClient({ apiUrl, token: "tok" }).POST("/projects", { body: { name: "x" } });
    expect(ok("POST /projects", reply)).toEqual({ uuid: "p" });
    expect(seen).toEqual([429, 503, 201]);
  });

  it("falls back to COOLIFY_TOKEN from the environment when the token in state was rotated away", async () => {
    const seen: string[] = [];
    const apiUrl = await serve((_m, _u, auth) => {
      seen.push(auth ?? "");
      return auth === "Bearer new" ? { status: 200, body: [] } : { status: 401, body: { message: "Unauthenticated." } };
    });
    process.env.COOLIFY_TOKEN = "new";
    try {
      const reply = await coolifyClient({ apiUrl, token: "old" }).GET("/projects");
      expect(reply.response.status).toBe(200);
      expect(seen).toEqual(["Bearer old", "Bearer new"]);
    } finally {
      delete process.env.COOLIFY_TOKEN;
    }
  });

  it("turns a 422 into the formatted error", async () => {
    const apiUrl = await serve(() => ({ status: 422, body: { message: "Validation failed.", errors: { color: ["This field is not allowed."] } } }));
    const client = coolifyClient({ apiUrl, token: "tok" });
    const reply = await client.POST("/projects", { body: { name: "x" } });
    expect(() => ok("POST /projects", reply)).toThrow("Coolify POST /projects: 422 Validation failed. (color: This field is not allowed.)");
  });
});
