import type { Reply } from "../common/http";
import { healthPath, passesChecks } from "./lifecycle";
import { certificateOwner } from "./network";
import { FlyState } from "./state";

/**
 * The Fly proxy for one request to an app's public hostname (`<app>.fly.dev` or a certificate's hostname).
 * It routes to started, uncordoned machines, preferring those whose checks pass, so during a rolling update
 * the machines still booting or failing checks get no traffic while a healthy one remains. The app answers
 * its health path (the configured check path, else /health) — and every other path — with 200 while the
 * serving machine's image is healthy and 503 once the image was marked unhealthy.
 */
export function flyAppTraffic(st: FlyState, host: string, method: string, path: string): Reply | undefined {
  const app = host.endsWith(".fly.dev") ? st.apps.get(host.slice(0, -".fly.dev".length)) : certificateOwner(st, host);
  if (!app) return undefined;
  const started = st.liveMachines(app.name).filter((m) => m.state === "started" && !m.cordoned);
  const passing = started.filter((m) => passesChecks(st, m));
  const pool = passing.length > 0 ? passing : started;
  const headers = { server: "Fly/emulator", via: "1.1 fly.io" };
  if (pool.length === 0) {
    // What the proxy answers when no machine can take the request.
    return { status: 503, body: `no started machines of app ${app.name} can serve ${method} ${path}`, headers };
  }
  const m = pool[app.proxyCursor++ % pool.length]!;
  const image = m.config.image ?? "";
  const healthy = !st.isImageUnhealthy(image);
  return {
    status: healthy ? 200 : 503,
    body: { status: healthy ? "ok" : "unhealthy", app: app.name, machine: m.id, version: m.version, image, path, healthPath: healthPath(m.config) },
    headers: { ...headers, "fly-machine-id": m.id },
  };
}
