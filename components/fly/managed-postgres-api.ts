/**
 * Fly Managed Postgres calls shared by its providers (`/v1/postgres…` of the Machines API description). The
 * answers are validated with zod at this boundary: only the fields the providers read are required.
 */
import { z } from "zod";
import { pollUntil } from "../provider";
import { isFlyStatus, unwrapParsed, type FlyClient } from "./client";

const endpoint = z.object({ host: z.string(), port: z.number().int() }).loose();

export const clusterSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    region: z.string().optional(),
    plan: z.string().optional(),
    disk_size_gb: z.number().int().optional(),
    pg_major_version: z.string().optional(),
    endpoints: z.object({ primary: z.object({ direct: endpoint.optional(), pooler: endpoint.optional() }).loose().optional() }).loose().nullish(),
  })
  .loose();
export type ClusterView = z.infer<typeof clusterSchema>;
const clusterAnswer = z.object({ data: clusterSchema });

const summarySchema = z.object({ id: z.string(), name: z.string(), status: z.string() }).loose();
export type ClusterSummary = z.infer<typeof summarySchema>;

/** A cluster that is going or gone: the spec's status enum has `deleting` and `deleted`. */
export const GONE_STATUSES: ReadonlySet<string> = new Set(["deleting", "deleted"]);

export async function listClusters(client: FlyClient, org: string): Promise<ClusterSummary[]> {
  const answer = await unwrapParsed(`list Managed Postgres clusters of ${org}`, z.object({ data: z.array(summarySchema).nullish() }),
    client.GET("/v1/postgres", { params: { query: { org_slug: org } } }));
  return answer.data ?? [];
}

/** The cluster, or undefined when it no longer exists (404) or is being deleted. */
export async function getCluster(client: FlyClient, id: string): Promise<ClusterView | undefined> {
  try {
    const { data } = await unwrapParsed(`get Managed Postgres cluster ${id}`, clusterAnswer,
      client.GET("/v1/postgres/{postgres_cluster_id}", { params: { path: { postgres_cluster_id: id } } }));
    return GONE_STATUSES.has(data.status) ? undefined : data;
  } catch (error) {
    if (isFlyStatus(error, 404, 410)) return undefined;
    throw error;
  }
}

/**
 * Waits until the cluster is `ready`. The spec: "Provisioning is asynchronous: poll GET /v1/postgres/{id} until
 * status == ready"; flyctl does the same and gives up on a failed cluster (internal/command/mpg/v2/run_create.go).
 * Bounded by SLIPWAY_WAIT_TIMEOUT_MS like every wait.
 */
export async function waitReady(client: FlyClient, id: string): Promise<ClusterView> {
  return pollUntil(`Managed Postgres cluster ${id} to be ready`, async () => {
    const cluster = await getCluster(client, id);
    if (!cluster) throw new Error(`Managed Postgres cluster ${id} disappeared while it was provisioned`);
    if (cluster.status === "failed") throw new Error(`Managed Postgres cluster ${id} failed to provision (status "failed")`);
    return cluster.status === "ready" ? { done: true, value: cluster } : { done: false, state: cluster.status };
  });
}

export const clusterAnswerSchema = clusterAnswer;
