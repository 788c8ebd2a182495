/**
 * More than one public HTTP port, as each target can serve it:
 * - Coolify: its proxy routes a domain to a container port when the domain carries it (`https://api.example.com:4000`
 *   in `fqdn`; Coolify v4.3.10 bootstrap/helpers/docker.php fqdnLabelsForTraefik/fqdnLabelsForCaddy), always on
 *   443 — so a second port needs domains of its own and cannot choose an external port; and an application has
 *   ONE health check (the `health_check_*` fields of app/Models/Application.php), so a second one is refused.
 * - Fly: the proxy routes by port, not by host: a second port is another `services` entry on its own external
 *   port with TLS, and the machine can have several `checks` (../shared/specs/fly/openapi.json fly.MachineConfig).
 */
import type { ParsedSections } from "./rules";
import type { Finding } from "./secrets";
import { showValue } from "./secrets";

/** Fly's main service already takes 80 (http) and 443 (tls). */
const FLY_TAKEN = [80, 443];

export function portRules(c: ParsedSections): Finding[] {
  const { app, targets, domains } = c;
  if (!app) return [];
  const out: Finding[] = [];
  const add = (path: Array<string | number>, message: string) => out.push({ key: "slipway:app", path: ["ports", "public", ...path], message });
  const extra = app.ports.public;
  const seenHosts = new Map<string, string>((domains ?? []).map((d) => [d, "slipway:domains"]));
  extra.forEach((p, i) => {
    if (p.port === app.ports.http) add([i, "port"], `expected a port other than the http port ${app.ports.http}, got ${p.port}`);
    else if (app.ports.internal.includes(p.port)) add([i, "port"], `expected a port not also listed in ports.internal, got ${p.port}`);
    else if (extra.findIndex((q) => q.port === p.port) !== i) add([i, "port"], `expected each public port once, got ${p.port} again`);
    p.domains.forEach((d, j) => {
      const owner = seenHosts.get(d);
      if (owner) add([i, "domains", j], `expected a domain not already used by ${owner} (one host reaches one port), got ${showValue(d)}`);
      else seenHosts.set(d, `slipway:app.ports.public[${i}]`);
    });
    if (targets?.coolify) {
      if (p.domains.length === 0) add([i, "domains"], "expected at least one domain for the coolify target (Coolify's proxy reaches a second port only through a domain of its own), got none");
      if (p.externalPort !== undefined && !targets.fly) add([i, "externalPort"], `expected no externalPort on Coolify (its proxy serves every domain on 443), got ${p.externalPort}`);
      if (p.healthCheckPath !== undefined) add([i, "healthCheckPath"], `expected no second health check with the coolify target (a Coolify application has one health check: slipway:app.healthCheck), got ${showValue(p.healthCheckPath)}`);
    }
    if (targets?.fly) {
      const external = p.externalPort ?? p.port;
      if (FLY_TAKEN.includes(external)) add([i, "externalPort"], `expected an external port other than 80 and 443 on Fly (the http port's service has them; Fly routes by port, not by host), got ${external}`);
      else if (extra.findIndex((q) => (q.externalPort ?? q.port) === external) !== i) add([i, "externalPort"], `expected each external port once, got ${external} again`);
    }
  });
  return out;
}
