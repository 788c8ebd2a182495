/**
 * A second public port (the Flox plan's API on 3000 and processing service on 4000, each behind TLS): what each
 * target gets, and the refusals where a target cannot (stacks/rules-ports.ts), before anything is registered.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../stacks/config";
import { at, clone, stackInput } from "./fixtures";
import { PROVIDER_CONFIG, PROVIDER_SECRET_KEYS, runProgram } from "./helpers";

afterEach(() => {
  vi.unstubAllEnvs();
});

function withPublic(stack: "staging" | "production", extra: Record<string, unknown>[]) {
  const input = clone(stackInput(stack));
  const ports = at(input.raw, "slipway:app").ports;
  ports.internal = [];
  ports.public = extra;
  return input;
}
const run = (input: ReturnType<typeof withPublic>) => runProgram(input, { config: PROVIDER_CONFIG, secretKeys: PROVIDER_SECRET_KEYS });

async function problems(input: ReturnType<typeof withPublic>): Promise<readonly string[]> {
  const r = await run(input);
  if (r.outcome.ok) throw new Error("accepted");
  expect(r.registry.resources).toEqual([]);
  return (r.outcome.error as ConfigError).problems;
}

describe("more than one public port", () => {
  it("Coolify: the second port is reached through its own domain carrying the container port, behind the same proxy", async () => {
    const r = await run(withPublic("staging", [{ port: 4000, domains: ["worker.staging.example.com"] }]));
    if (!r.outcome.ok) throw r.outcome.error;
    const app = r.registry.one("pulumi-nodejs:dynamic/coolify:Application");
    expect(app.inputs).toMatchObject({ domains: ["staging.example.com", "worker.staging.example.com:4000"], ports: [3000, 4000] });
  });

  it("Fly: one more service on its own external port with TLS, a certificate for its domain, and a second check", async () => {
    const r = await run(withPublic("production", [{ port: 4000, externalPort: 8443, domains: ["worker.shop.example.com"], healthCheckPath: "/health" }]));
    if (!r.outcome.ok) throw r.outcome.error;
    const group = r.registry.byType("pulumi-nodejs:dynamic/fly:MachineGroup").find((g) => g.name === "fly-web-0");
    const services = group?.inputs.services as Array<Record<string, unknown>>;
    expect(services).toHaveLength(2);
    expect(services[0]).toMatchObject({ internalPort: 3000 });
    expect(services[1]).toMatchObject({ internalPort: 4000, ports: [{ port: 8443, handlers: ["tls", "http"] }] });
    expect(Object.keys(group?.inputs.checks as object).sort()).toEqual(["http", "http-4000"]);
    expect((group?.inputs.checks as Record<string, unknown>)["http-4000"]).toMatchObject({ port: 4000, path: "/health", interval: "15s" });
    const hosts = r.registry.byType("pulumi-nodejs:dynamic/fly:Certificate").map((c) => c.inputs.hostname);
    expect(hosts).toEqual(expect.arrayContaining(["shop.example.com", "www.shop.example.com", "worker.shop.example.com"]));
  });

  it("refuses what a target cannot do, with the reason", async () => {
    expect(await problems(withPublic("staging", [{ port: 4000, externalPort: 8443, healthCheckPath: "/health" }]))).toEqual([
      "slipway:app.ports.public[0].domains: expected at least one domain for the coolify target (Coolify's proxy reaches a second port only through a domain of its own), got none",
      "slipway:app.ports.public[0].externalPort: expected no externalPort on Coolify (its proxy serves every domain on 443), got 8443",
      'slipway:app.ports.public[0].healthCheckPath: expected no second health check with the coolify target (a Coolify application has one health check: slipway:app.healthCheck), got "/health"',
    ]);
    expect(await problems(withPublic("production", [{ port: 4000, externalPort: 443 }]))).toEqual([
      "slipway:app.ports.public[0].externalPort: expected an external port other than 80 and 443 on Fly (the http port's service has them; Fly routes by port, not by host), got 443",
    ]);
    expect(await problems(withPublic("production", [{ port: 3000 }, { port: 4000, domains: ["shop.example.com"] }]))).toEqual([
      "slipway:app.ports.public[0].port: expected a port other than the http port 3000, got 3000",
      'slipway:app.ports.public[1].domains[0]: expected a domain not already used by slipway:domains (one host reaches one port), got "shop.example.com"',
    ]);
  });
});
