import { request } from "node:http";
import type { CoolifyConnection } from "../../../components/coolify/connection";
import { useEmulator, type EmulatorFixture } from "../common/fixture";
import type { Emulator } from "../common/types";
import { startCoolifyEmulator, type CoolifyEmulator, type CoolifyEmulatorOptions } from "./index";

export interface ApiReply {
  status: number;
  // Test code inspects arbitrary JSON; narrowing happens in the assertions.
  body: Record<string, unknown> & unknown[];
  headers: Headers;
}

/** The token `api` sends unless told otherwise, and a fixture's connection carries. */
export const TOKEN = "test-token";

/** One Coolify emulator for the enclosing file or `describe`, its connection carrying `TOKEN` (see `useEmulator`). */
export function useCoolifyEmulator(options: CoolifyEmulatorOptions = {}): EmulatorFixture<CoolifyEmulator, CoolifyConnection> {
  return useEmulator(() => startCoolifyEmulator(options), (emu) => ({ apiUrl: emu.url, token: TOKEN }));
}

/** One call to an emulator's vendor API with a bearer token (or none). */
export async function api(
  emu: Emulator,
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string | null; timeoutMs?: number } = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Non-JSON bodies (proxy pages) stay text.
  }
  return { status: res.status, body: parsed as ApiReply["body"], headers: res.headers };
}

/** A request to a deployed app through the emulator, with the app's own Host header (fetch cannot set Host). */
export function appGet(emu: Emulator, host: string, path: string): Promise<{ status: number; body: string; image?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: emu.port, path, method: "GET", headers: { host }, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const image = res.headers["x-emulator-image"];
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), image: typeof image === "string" ? image : undefined });
      });
    });
    req.on("timeout", () => req.destroy(new Error("app request timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** A project plus its "staging" environment; returns the uuids a create needs. */
export async function projectWithEnv(emu: CoolifyEmulator, name = "shop"): Promise<{ project: string; env: string; envName: string }> {
  const p = await api(emu, "POST", "/projects", { name });
  const e = await api(emu, "POST", `/projects/${String(p.body.uuid)}/environments`, { name: "staging" });
  return { project: String(p.body.uuid), env: String(e.body.uuid), envName: "staging" };
}

/** Creates a docker-image app answering on `domain`. */
export async function createApp(
  emu: CoolifyEmulator,
  where: { project: string; env: string; envName: string },
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await api(emu, "POST", "/applications/dockerimage", {
    project_uuid: where.project,
    environment_uuid: where.env,
    environment_name: where.envName,
    server_uuid: emu.serverUuid,
    docker_registry_image_name: "ghcr.io/acme/web@sha256:" + "a".repeat(64),
    ports_exposes: "3000",
    ...extra,
  });
  if (r.status !== 201) throw new Error(`create app failed: ${r.status} ${JSON.stringify(r.body)}`);
  return String(r.body.uuid);
}

export async function deploymentStatus(emu: Emulator, uuid: string): Promise<string> {
  const r = await api(emu, "GET", `/deployments/${uuid}`);
  return String(r.body.status);
}

/** One field of every element of a JSON array reply. */
export function pluck(list: unknown, key: string): unknown[] {
  if (!Array.isArray(list)) throw new Error(`expected an array, got ${JSON.stringify(list)}`);
  return list.map((item: unknown) => (typeof item === "object" && item !== null ? (item as Record<string, unknown>)[key] : undefined));
}
