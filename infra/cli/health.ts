import http from "node:http";
import type { FetchLike } from "./gates";

/**
 * `SLIPWAY_RESOLVE=host:address:port[,…]` sends requests for `host` to `address:port`, keeping the URL's
 * path and the `Host` header — what curl's `--resolve` does. The sandbox and the e2e tests use it to reach
 * an app's real public URL (`https://staging.example.com/health`) on the local emulator, which speaks plain
 * HTTP; without it the health gate uses the platform's real DNS and TLS.
 */
export function parseResolve(spec: string | undefined): Map<string, { address: string; port: number }> {
  const map = new Map<string, { address: string; port: number }>();
  for (const entry of (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^:]+):([^:]+):(\d+)$/.exec(entry);
    if (!m) throw new Error(`SLIPWAY_RESOLVE: expected host:address:port, got "${entry}"`);
    map.set((m[1] as string).toLowerCase(), { address: m[2] as string, port: Number(m[3]) });
  }
  return map;
}

export function resolvingFetch(spec = process.env.SLIPWAY_RESOLVE): FetchLike {
  const table = parseResolve(spec);
  return (url, init) => {
    const target = new URL(url);
    const override = table.get(target.hostname.toLowerCase());
    if (!override) return fetch(url, init);
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: override.address, port: override.port, path: `${target.pathname}${target.search}`, method: "GET", headers: { host: target.host }, signal: init.signal },
        (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0 });
        },
      );
      request.on("error", reject);
      request.end();
    });
  };
}

