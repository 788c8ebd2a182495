import { request } from "node:http";
import type { FlyConnection } from "../../../components/fly/connection";
import { useEmulator, type EmulatorFixture } from "../common/fixture";
import type { EmulatorOptions } from "../common/types";
import { startFlyEmulator, type FlyEmulator } from "./index";

export const TOKEN = "fly-test-token";

/**
 * One Fly Machines emulator for the enclosing file or `describe`, with `TOKEN` as its only token and in its connection
 * (see `useEmulator`).
 */
export function useFlyEmulator(options: Omit<EmulatorOptions, "token"> = {}): EmulatorFixture<FlyEmulator, FlyConnection> {
  return useEmulator(() => startFlyEmulator({ ...options, token: TOKEN }), (emu) => ({ apiUrl: emu.url, token: TOKEN }));
}

export interface Res<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * One call to the emulated Machines API with the test token (unless headers override Authorization). The body
 * defaults to `any` because tests read into JSON answers field by field; this helper is test-only.
 */
export async function call<T = any>(
  emu: FlyEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res<T>> {
  const res = await fetch(emu.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Non-JSON answers (e.g. plain-text proxy errors) stay text.
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** App traffic through the emulated Fly proxy: a request to the emulator's origin with a public Host header. */
export function traffic(emu: FlyEmulator, host: string, path = "/health"): Promise<{ status: number; body: any; machine?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: emu.port, path, method: "GET", headers: { host }, timeout: 10_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // plain text
        }
        const machine = res.headers["fly-machine-id"];
        resolve({ status: res.statusCode ?? 0, body, machine: typeof machine === "string" ? machine : undefined });
      });
    });
    req.on("timeout", () => req.destroy(new Error("traffic request timed out")));
    req.on("error", reject);
    req.end();
  });
}

export async function createApp(emu: FlyEmulator, name: string): Promise<void> {
  const r = await call(emu, "POST", "/v1/apps", { name, org_slug: "personal" });
  if (r.status !== 201) throw new Error(`create app ${name}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** Creates a machine and waits (through the API's own /wait) until it is started. */
export async function startedMachine(emu: FlyEmulator, app: string, extra: Record<string, unknown> = {}, config: Record<string, unknown> = {}): Promise<any> {
  const r = await call(emu, "POST", `/v1/apps/${app}/machines`, { region: "iad", ...extra, config: { image: "registry.fly.io/web:v1", ...config } });
  if (r.status !== 200) throw new Error(`create machine: ${r.status} ${JSON.stringify(r.body)}`);
  const w = await call(emu, "GET", `/v1/apps/${app}/machines/${r.body.id}/wait?state=started&timeout=30`);
  if (w.status !== 200) throw new Error(`wait started: ${w.status} ${JSON.stringify(w.body)}`);
  return (await call(emu, "GET", `/v1/apps/${app}/machines/${r.body.id}`)).body;
}
