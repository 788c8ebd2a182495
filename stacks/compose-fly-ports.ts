/**
 * Fly's side of `slipway:app.ports.public`: each extra public port is one more `services` entry (Fly routes by
 * port: its own external port with TLS, no port-80 pair) and, with a `healthCheckPath`, one more machine check —
 * a machine may have several (`checks` is a map in fly.MachineConfig, ../shared/specs/fly/openapi.json).
 */
import type { FlyCheckArgs, FlyServiceArgs } from "../components/fly";
import type { StackConfig } from "./schema";

const seconds = (n: number) => `${n}s`;

export function publicPortServices(config: StackConfig, base: Omit<FlyServiceArgs, "internalPort" | "ports" | "forceHttps">): FlyServiceArgs[] {
  return config.app.ports.public.map((p) => ({
    ...base,
    internalPort: p.port,
    forceHttps: false,
    ports: [{ port: p.externalPort ?? p.port, handlers: ["tls", "http"] }],
  }));
}

/** One `http-<port>` check per public port with a health path, timed like slipway:app.healthCheck (or its defaults). */
export function publicPortChecks(config: StackConfig): Record<string, FlyCheckArgs> {
  const hc = config.app.healthCheck;
  const entries = config.app.ports.public
    .filter((p) => p.healthCheckPath !== undefined)
    .map((p): [string, FlyCheckArgs] => [
      `http-${p.port}`,
      {
        type: "http",
        port: p.port,
        path: p.healthCheckPath as string,
        interval: seconds(hc?.intervalSeconds ?? 15),
        timeout: seconds(hc?.timeoutSeconds ?? 5),
        gracePeriod: seconds(hc?.gracePeriodSeconds ?? 30),
      },
    ]);
  return Object.fromEntries(entries);
}

/** Certificates for every domain, the extra ports' included (a Fly certificate is per host, whatever the port). */
export function allDomains(config: StackConfig): string[] {
  return [...config.domains, ...config.app.ports.public.flatMap((p) => p.domains)];
}
