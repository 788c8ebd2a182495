import type { Route } from "../common/http";
import { flyRoute, ok, qbool } from "./route";
import { FlyState, S } from "./state";

/** A handful of real Fly regions; the emulator places machines and volumes in whatever region is asked. */
const REGIONS: S["main.regionRow"][] = [
  { code: "ams", name: "Amsterdam, Netherlands", geo_region: "eu", latitude: 52.37, longitude: 4.9 },
  { code: "cdg", name: "Paris, France", geo_region: "eu", latitude: 48.86, longitude: 2.35 },
  { code: "fra", name: "Frankfurt, Germany", geo_region: "eu", latitude: 50.11, longitude: 8.68 },
  { code: "iad", name: "Ashburn, Virginia (US)", geo_region: "na", latitude: 39.03, longitude: -77.49 },
  { code: "lhr", name: "London, United Kingdom", geo_region: "eu", latitude: 51.51, longitude: -0.13 },
  { code: "ord", name: "Chicago, Illinois (US)", geo_region: "na", latitude: 41.88, longitude: -87.63 },
  { code: "sjc", name: "San Jose, California (US)", geo_region: "na", latitude: 37.34, longitude: -121.89 },
  { code: "syd", name: "Sydney, Australia", geo_region: "ap", latitude: -33.87, longitude: 151.21 },
];

function orgApps(st: FlyState, org: string): Set<string> {
  return new Set([...st.apps.values()].filter((a) => a.orgSlug === org).map((a) => a.name));
}

/** Organization-wide listings (what a teardown check uses to find leftovers across apps), oldest update first. */
export function orgRoutes(st: FlyState): Route[] {
  return [
    flyRoute("GET", "/v1/orgs/{org_slug}/machines", (ctx) => {
      const apps = orgApps(st, ctx.params.org_slug ?? "");
      const states = ctx.query.state ? new Set(ctx.query.state.split(",")) : undefined;
      const machines = [...st.machines.values()]
        .filter((m) => apps.has(m.appName) && (qbool(ctx.query.include_deleted) || m.destroyedAt === undefined))
        .filter((m) => (!ctx.query.region || m.region === ctx.query.region) && (!states || states.has(m.state)))
        .sort((a, b) => a.updatedAt - b.updatedAt)
        .map((m): S["OrgMachine"] => ({
          app_name: m.appName,
          id: m.id,
          name: m.name,
          state: m.state,
          region: m.region,
          private_ip: m.privateIp,
          version: m.version,
          created_at: st.iso(m.createdAt),
          updated_at: st.iso(m.updatedAt),
          ...(qbool(ctx.query.summary) ? {} : { config: { image: m.config.image, guest: m.config.guest, metadata: m.config.metadata } }),
        }));
      const last = machines[machines.length - 1];
      const body: S["OrgMachinesResponse"] = { machines, ...(last ? { last_machine_id: last.id, last_updated_at: last.updated_at } : {}) };
      return ok(body);
    }),
    flyRoute("GET", "/v1/orgs/{org_slug}/volumes", (ctx) => {
      const apps = orgApps(st, ctx.params.org_slug ?? "");
      const volumes = [...st.volumes.values()]
        .filter((v) => apps.has(v.appName) && (!ctx.query.region || v.volume.region === ctx.query.region))
        .map((v): S["OrgVolume"] => (st.settleVolume(v), { ...structuredClone(v.volume), app_name: v.appName }));
      const last = volumes[volumes.length - 1];
      return ok({ volumes, ...(last ? { last_volume_id: last.id } : {}) } satisfies S["OrgVolumesResponse"]);
    }),
    flyRoute("GET", "/v1/platform/regions", () => ok({ nearest: "iad", regions: REGIONS } satisfies S["main.regionResponse"])),
  ];
}
