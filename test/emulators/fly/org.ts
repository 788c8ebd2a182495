import type { Route } from "../common/http";
import { flyRoute, ok, qbool } from "./route";
import { FLY_REGIONS, type FlyRegion } from "../../../components/fly/limits";
import { FlyState, S } from "./state";

/**
 * The region list: the table of superfly/docs reference/regions.html.markerb (code, location, gateway). Its codes are
 * slipway's FLY_REGIONS (components/fly/limits.ts), the rule machine and volume creates are checked against.
 */
const REGION_TABLE: Record<FlyRegion, [name: string, gateway: boolean]> = {
  ams: ["Amsterdam, Netherlands", true], arn: ["Stockholm, Sweden", true], bom: ["Mumbai, India", true],
  cdg: ["Paris, France", true], dfw: ["Dallas, Texas (US)", true], ewr: ["Secaucus, NJ (US)", true],
  fra: ["Frankfurt, Germany", true], gru: ["Sao Paulo, Brazil", false], iad: ["Ashburn, Virginia (US)", true],
  jnb: ["Johannesburg, South Africa", false], lax: ["Los Angeles, California (US)", true], lhr: ["London, United Kingdom", true],
  nrt: ["Tokyo, Japan", true], ord: ["Chicago, Illinois (US)", true], sin: ["Singapore, Singapore", true],
  sjc: ["San Jose, California (US)", true], syd: ["Sydney, Australia", true], yyz: ["Toronto, Canada", true],
};
const REGIONS: S["main.regionRow"][] = FLY_REGIONS.map((code) => ({
  code,
  name: REGION_TABLE[code][0],
  gateway_available: REGION_TABLE[code][1],
  deprecated: false,
}));

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
