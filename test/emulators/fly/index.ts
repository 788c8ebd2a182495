import { startEmulatorServer, type EmulatorServer } from "../common/server";
import type { EmulatorOptions } from "../common/types";
import { appRoutes } from "./apps";
import { flyFlavor } from "./flavor";
import { checkStatuses } from "./lifecycle";
import { machineOpRoutes } from "./machine-ops";
import { machineRoutes } from "./machines";
import { networkRoutes } from "./network";
import { orgRoutes } from "./org";
import { postgresInventory, postgresRoutes } from "./postgres";
import { flyAppTraffic } from "./traffic";
import { FlyState } from "./state";
import { volumeRoutes } from "./volumes";

export { FlyState } from "./state";

/** The Fly Machines emulator, with its state model exposed for tests that want to look inside. */
export interface FlyEmulator extends EmulatorServer {
  readonly state: FlyState;
}

/** A JSON dump of the emulated world; secret values are never included (only their digests' source names). */
function inventory(st: FlyState): unknown {
  return {
    apps: [...st.apps.values()].map((a) => ({
      name: a.name,
      id: a.id,
      org: a.orgSlug,
      secretsVersion: a.secretsVersion,
      secrets: [...a.secrets.keys()].sort(),
      ips: a.ips,
      certificates: [...a.certificates.keys()],
    })),
    machines: [...st.machines.values()].map((m) => ({
      id: m.id,
      app: m.appName,
      name: m.name,
      state: m.state,
      region: m.region,
      image: m.config.image,
      version: m.version,
      cordoned: m.cordoned,
      lease: m.lease ? { owner: m.lease.owner, expiresAt: m.lease.expiresAt } : undefined,
      minSecretsVersion: m.minSecretsVersion,
      metadata: m.config.metadata ?? {},
      checks: checkStatuses(st, m),
    })),
    volumes: [...st.volumes.values()].map((v) => ({ ...v.volume, app: v.appName, snapshots: v.snapshots.length })),
    unhealthyImages: [...st.unhealthyImages],
    postgres: postgresInventory(st.pg),
  };
}

/** Starts the Fly Machines API emulator on 127.0.0.1 (`url` ends without /v1: the spec's paths carry it). */
export async function startFlyEmulator(opts: EmulatorOptions = {}): Promise<FlyEmulator> {
  const st = new FlyState();
  const routes = [...appRoutes(st), ...machineRoutes(st), ...machineOpRoutes(st), ...volumeRoutes(st), ...networkRoutes(st), ...orgRoutes(st), ...postgresRoutes(st)];
  const server = await startEmulatorServer(flyFlavor, routes, opts, {
    inventory: () => inventory(st),
    reset: () => st.reset(),
    markImageUnhealthy: (image) => void st.unhealthyImages.add(image),
    appTraffic: (host, method, path) => flyAppTraffic(st, host, method, path),
  });
  st.clock = server.clock;
  const close = server.close.bind(server);
  return Object.assign(server, {
    state: st,
    close: async () => {
      st.closed = true;
      await close();
    },
  });
}
