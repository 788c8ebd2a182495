import { randomUUID } from "node:crypto";
import { z } from "zod";
import { pollUntil, waitSettingsFromEnv, type PollResult, type WaitSettings } from "../provider";
import { FlyApiError, toFlyError, type FlyClient } from "./client";
import { leaseSchema } from "./responses";

/**
 * Machine leases. Fly's lease is the lock flyctl and the Machines API use against concurrent changes of one
 * machine (flyctl internal/command/deploy/plan.go acquires one per machine for a deploy).
 *
 * A lost answer is the hard case: `POST …/lease` may have taken the lease although the client saw a 5xx, a
 * timeout or a dropped connection, and retrying then answers 409 "lease currently held" — by ourselves, for
 * the lease's whole ttl. So every acquire carries a description no one else uses (`slipway <uuid>`; the spec's
 * CreateLeaseRequest.description, echoed in Lease.description), and after any answer but a success the current
 * lease is read back (`GET …/lease`, which answers the nonce: flyctl's `machine leases clear`,
 * internal/command/machine/leases.go, releases with `lease.Data.Nonce` from it). Ours → use it; someone else's →
 * wait within the bound; none → the attempt did nothing, try again.
 */

export const LEASE_HEADER = "fly-machine-lease-nonce";
/** Every lease slipway takes is described so; `slipway recover` clears the ones a killed run left. */
export const LEASE_DESCRIPTION_PREFIX = "slipway ";
const LEASE_TTL_SECONDS = 300;
/** Acquire attempts that found no lease at all after a failed answer, before giving up. */
const ACQUIRE_ATTEMPTS = 6;

const currentLease = z
  .object({ nonce: z.string().optional(), owner: z.string().optional(), description: z.string().optional(), expires_at: z.number().optional() })
  .loose();
/** The live service wraps the lease as `{ status, data }` (fly-go machine_types.go MachineLease); the spec does not. */
const currentLeaseBody = z.union([z.object({ data: currentLease }).loose(), currentLease]).transform((b) => ("data" in b && b.data && typeof b.data === "object" ? (b.data as z.infer<typeof currentLease>) : (b as z.infer<typeof currentLease>)));
export type CurrentLease = z.infer<typeof currentLease>;

/** The machine's current lease, or undefined when it has none (404). */
export async function findLease(client: FlyClient, app: string, id: string): Promise<CurrentLease | undefined> {
  const { data, error, response } = await client.GET("/v1/apps/{app_name}/machines/{machine_id}/lease", {
    params: { path: { app_name: app, machine_id: id } },
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw toFlyError(`read the lease of machine ${id}`, response.status, error);
  const parsed = currentLeaseBody.safeParse(data);
  if (!parsed.success) throw new Error(`Fly API: the lease of machine ${id} came back as an unexpected body: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function releaseLease(client: FlyClient, app: string, id: string, nonce: string): Promise<void> {
  const { error, response } = await client.DELETE("/v1/apps/{app_name}/machines/{machine_id}/lease", {
    params: { path: { app_name: app, machine_id: id }, header: { [LEASE_HEADER]: nonce } },
  });
  if (!response.ok && response.status !== 404) throw toFlyError(`release the lease of machine ${id}`, response.status, error);
}

/** Statuses after which a lease may or may not have been taken; 429/503 also mean "try again". */
const UNSURE = [408, 429, 500, 502, 503, 504];

/**
 * Takes the machine's lease and returns its nonce. Held by someone else: waited out within the wait bound
 * (a deploy by flyctl, another `pulumi up`). Taken by this very acquire although the answer was lost: found by
 * its description and used, never waited out.
 */
export async function acquireLease(client: FlyClient, app: string, id: string, settings: WaitSettings = waitSettingsFromEnv()): Promise<string> {
  const path = { app_name: app, machine_id: id };
  const description = `${LEASE_DESCRIPTION_PREFIX}${randomUUID()}`;
  let holder = "";
  let emptyHanded = 0;
  let lastFailure = "";
  return pollUntil(
    `the lease of Fly machine ${id} of ${app}`,
    async (): Promise<PollResult<string>> => {
      let conflict = false;
      try {
        const { data, error, response } = await client.POST("/v1/apps/{app_name}/machines/{machine_id}/lease", {
          params: { path },
          body: { ttl: LEASE_TTL_SECONDS, description },
        });
        if (response.ok) return { done: true, value: leaseSchema.parse(data).nonce };
        if (response.status !== 409 && !UNSURE.includes(response.status)) {
          throw toFlyError(`acquire the lease of machine ${id}`, response.status, error);
        }
        conflict = response.status === 409;
        lastFailure = toFlyError(`acquire the lease of machine ${id}`, response.status, error).message;
      } catch (error) {
        if (error instanceof FlyApiError || error instanceof z.ZodError) throw error;
        // A timeout or dropped connection: as unsure as a 5xx.
        lastFailure = error instanceof Error ? error.message : String(error);
      }
      const current = await findLease(client, app, id);
      if (current?.description === description && current.nonce) return { done: true, value: current.nonce };
      if (current) {
        holder = [current.owner, current.description].filter(Boolean).join(", ") || "another deployer";
        return { done: false, state: `held by ${holder}` };
      }
      // A 409 whose lease is gone by now was released meanwhile: simply try again.
      if (!conflict && ++emptyHanded >= ACQUIRE_ATTEMPTS) {
        throw new Error(`Fly: could not acquire the lease of machine ${id} of ${app} after ${emptyHanded} attempts: ${lastFailure}`);
      }
      return { done: false, state: holder ? `held by ${holder}` : lastFailure };
    },
    settings,
  );
}

/**
 * Runs `work` holding the machine's lease, so no other deployer (flyctl, another `pulumi up`) changes it
 * meanwhile. Ours is always released; a release that fails leaves a lease that expires with its ttl and that
 * `slipway recover` finds by its description.
 */
export async function withLease<T>(
  client: FlyClient,
  app: string,
  id: string,
  work: (nonce: string) => Promise<T>,
  settings: WaitSettings = waitSettingsFromEnv(),
): Promise<T> {
  const nonce = await acquireLease(client, app, id, settings);
  try {
    return await work(nonce);
  } finally {
    // Never mask the work's own error; DELETE is retried by the client like any idempotent call.
    await releaseLease(client, app, id, nonce).catch(() => undefined);
  }
}
