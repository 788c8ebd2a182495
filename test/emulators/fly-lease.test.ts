import { beforeAll, describe, expect, it } from "vitest";
import { createFlyClient, type FlyClient } from "../../components/fly/client";
import { acquireLease, findLease, LEASE_DESCRIPTION_PREFIX, withLease } from "../../components/fly/lease";
import { call, useFlyEmulator } from "./fly/testkit";

/**
 * Issue 11 defect 3: a lost answer on `POST …/lease` must not block the deploy for the lease's ttl. Every
 * fault on the acquire ends with the work done under exactly one lease, which is released afterwards.
 */

const policy = { limit: 3, baseDelayMs: 5, backoffLimitMs: 50, timeoutMs: 400 };
const settings = { timeoutMs: 5_000, intervalMs: 20 };

const fly = useFlyEmulator();
let client: FlyClient;
let machineId: string;

beforeAll(() => {
  client = createFlyClient(fly.connection, policy);
});

async function newMachine(): Promise<string> {
  expect((await call(fly.emu, "POST", "/v1/apps", { name: "web", org_slug: "acme" })).status).toBe(201);
  const made = await call(fly.emu, "POST", "/v1/apps/web/machines", { region: "ewr", config: { image: "registry.fly.io/web:v1" } });
  expect(made.status).toBe(200);
  return (made.body as { id: string }).id;
}

const leaseCalls = () => fly.emu.log.filter((e) => e.path.includes(`/machines/${machineId}/lease`));
const LEASE = "/v1/apps/{app_name}/machines/{machine_id}/lease";

describe("Fly lease acquisition under faults", () => {
  it.each([
    ["500", { kind: "status", status: 500 }],
    ["502", { kind: "status", status: 502 }],
    ["429 + Retry-After", { kind: "rateLimit", retryAfterSeconds: 0 }],
    ["a hang past the client timeout", { kind: "hang", ms: 2_000 }],
  ] as const)("%s on the acquire: retried, the work runs under one lease, released after", async (_name, fault) => {
    machineId = await newMachine();
    fly.emu.injectFault({ method: "POST", path: LEASE, times: 1, fault });
    let seen: string | undefined;
    const started = Date.now();
    await withLease(client, "web", machineId, async (nonce) => {
      seen = (await findLease(client, "web", machineId))?.nonce;
      expect(seen).toBe(nonce);
    }, settings);
    expect(seen).toBeDefined();
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await findLease(client, "web", machineId)).toBeUndefined();
    expect(leaseCalls().filter((e) => e.method === "POST" && e.status === 201)).toHaveLength(1);
  });

  it("an acquire whose answer was lost (applied, then 500) is found by its description and used, not waited out", async () => {
    machineId = await newMachine();
    fly.emu.injectFault({ method: "POST", path: LEASE, times: 1, fault: { kind: "ambiguous", status: 500 } });
    const started = Date.now();
    let description: string | undefined;
    await withLease(client, "web", machineId, async () => {
      description = (await findLease(client, "web", machineId))?.description;
    }, settings);
    expect(description?.startsWith(LEASE_DESCRIPTION_PREFIX)).toBe(true);
    // One POST, applied: the 500 answer is followed by a GET, never by a 409 loop over our own lease.
    expect(leaseCalls().filter((e) => e.method === "POST").map((e) => e.status)).toEqual([500]);
    expect(leaseCalls().some((e) => e.status === 409)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await findLease(client, "web", machineId)).toBeUndefined();
  });

  it("a lease held by someone else is waited out within the bound, naming its holder when it stays", async () => {
    machineId = await newMachine();
    const held = await call(fly.emu, "POST", `/v1/apps/web/machines/${machineId}/lease`, { ttl: 300, description: "flyctl deploy" });
    expect(held.status).toBe(201);
    await expect(acquireLease(client, "web", machineId, { timeoutMs: 300, intervalMs: 20 })).rejects.toThrow(
      new RegExp(`Timed out after 300 ms waiting for the lease of Fly machine ${machineId} of web \\(last seen: held by .*flyctl deploy\\)`),
    );
    // Nothing of ours was taken or left behind: the holder's lease is untouched.
    expect((await findLease(client, "web", machineId))?.description).toBe("flyctl deploy");
  });

  it("a machine that cannot be leased for a reason other than a conflict fails at once with Fly's answer", async () => {
    machineId = await newMachine();
    await expect(acquireLease(client, "web", "nonexistent1", settings)).rejects.toThrow(/acquire the lease of machine nonexistent1 failed with HTTP 404/);
  });
});
