import type { Route } from "../common/http";
import type { CoolifyState, ServerRecord } from "./state";

/** Read-only servers: the instance's own "localhost" server, so a setup step can discover its uuid. */
function serverJson(s: ServerRecord): Record<string, unknown> {
  return {
    id: s.id,
    uuid: s.uuid,
    name: s.name,
    description: "This is the server where Coolify is running on. Don't delete this!",
    ip: s.ip,
    user: "root",
    port: 22,
    proxy: { type: "traefik", status: "running" },
    proxy_type: "traefik",
    unreachable_count: 0,
    settings: { is_reachable: true, is_usable: true },
  };
}

export function serverRoutes(state: CoolifyState): Route[] {
  return [
    { method: "GET", path: "/servers", handler: () => ({ status: 200, body: state.servers.map(serverJson) }) },
    {
      method: "GET",
      path: "/servers/{uuid}",
      handler: (ctx) => {
        const s = state.servers.find((x) => x.uuid === ctx.params.uuid);
        return s ? { status: 200, body: serverJson(s) } : ctx.flavor.notFound("Server not found.");
      },
    },
  ];
}
