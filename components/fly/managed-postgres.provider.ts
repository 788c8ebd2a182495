import { z } from "zod";
import { createOnce, defineProvider, diffFields, type CheckFailure, type FieldDiffResult } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { clusterAnswerSchema, GONE_STATUSES, getCluster, listClusters, waitReady, type ClusterSummary, type ClusterView } from "./managed-postgres-api";
import { markOf, MARK_PREFIX } from "../mark";
import { mpgDiskSizeGbSchema } from "../rules";

/**
 * Dynamic provider of a Fly Managed Postgres cluster. Id: the cluster id.
 *
 * The API has no update of a cluster (`/v1/postgres/{id}` offers GET and DELETE only), so every setting is fixed at
 * creation, and a new cluster starts empty. A changed setting is refused here unless the inputs say
 * `allowReplace` — a replacement must never be how data is lost by accident.
 */

/** The plan slugs of the spec's createPostgresClusterRequest (flyctl internal/command/mpg/plans.go sizes them). */
export const MPG_PLANS = ["basic", "starter", "launch", "scale", "Performance"] as const;

export const managedPostgresInputsSchema = z.object({
  connection: connectionSchema,
  /** `<project>/<stack>/<resource>`: the ownership mark in the cluster's name is made from it (components/mark.ts). */
  owner: z.string().min(1).optional(),
  org: z.string().min(1),
  name: z.string().min(1),
  /** A new cluster's settings; absent for a fork, which "inherits the source's settings" (spec: Postgres_fork). */
  region: z.string().min(1).optional(),
  plan: z.enum(MPG_PLANS).optional(),
  diskSizeGb: mpgDiskSizeGbSchema.optional(),
  pgMajorVersion: z.enum(["16", "17"]).optional(),
  poolMode: z.enum(["session", "transaction"]).optional(),
  postgis: z.boolean().optional(),
  /** The id of the cluster this one is a fork of (`POST /v1/postgres/{id}/fork`); that cluster is only read. */
  forkFrom: z.string().min(1).optional(),
  /** Whether a changed setting may replace the cluster (a new, empty one; the old one is deleted). */
  allowReplace: z.boolean(),
});
export type ManagedPostgresInputs = z.infer<typeof managedPostgresInputsSchema>;
export interface ManagedPostgresOutputs extends ManagedPostgresInputs {
  clusterId: string;
  /** The name on Fly: `<name>-<8 hex>`, the hex being slipway's ownership mark. */
  clusterName: string;
  /** Host and port of the pooled (PgBouncer) and direct connections: not secret, no credentials. */
  poolerHost: string;
  poolerPort: number;
  directHost: string;
  directPort: number;
}

/** Settings fixed at creation: a change of any of them is a new cluster. */
const FIXED = ["org", "name", "region", "plan", "diskSizeGb", "pgMajorVersion", "poolMode", "postgis", "forkFrom"] as const;

/**
 * The cluster's name on Fly, marked. Clusters carry no metadata (createPostgresClusterRequest has name, region,
 * plan and sizing only) and names need not be unique, so the mark rides in the name, as on volumes.
 */
export function clusterName(inputs: Pick<ManagedPostgresInputs, "owner" | "name" | (typeof FIXED)[number]>): string {
  if (!inputs.owner) return inputs.name;
  const mark = markOf(inputs.owner, FIXED.map((k) => inputs[k] ?? null));
  return `${inputs.name}-${mark.slice(MARK_PREFIX.length, MARK_PREFIX.length + 8)}`;
}

export function replaceRefusal(field: string, before: unknown, after: unknown): string {
  return (
    `FlyManagedPostgres: ${field} cannot change from ${JSON.stringify(before)} to ${JSON.stringify(after)} in place: Fly's ` +
    "Managed Postgres API has no update of a cluster, so the change would create a new, empty cluster and delete this one " +
    "with its data. Keep the old value, or set allowReplace (slipway:database.allowReplace: true) and protect: false to accept losing the data"
  );
}

/** `olds` are the resource's old INPUTS as the engine passes them to check (empty on a first create). */
export function checkClusterChange(olds: Partial<ManagedPostgresInputs>, news: ManagedPostgresInputs): CheckFailure[] {
  if (olds.org === undefined || news.allowReplace) return [];
  return FIXED.filter((k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null)).map((k) => ({
    property: k,
    reason: replaceRefusal(k, olds[k] ?? null, news[k] ?? null),
  }));
}

export function diffCluster(olds: object, news: object): FieldDiffResult {
  return diffFields(olds, news, {
    ...Object.fromEntries(FIXED.map((k) => [k, { kind: "replace" as const }])),
    allowReplace: { kind: "update" },
  });
}

export function buildCreateClusterBody(inputs: ManagedPostgresInputs): Record<string, unknown> {
  return {
    name: clusterName(inputs),
    org_slug: inputs.org,
    region: inputs.region,
    plan: inputs.plan ?? "basic",
    disk_size_gb: inputs.diskSizeGb,
    pg_major_version: inputs.pgMajorVersion,
    pool_mode: inputs.poolMode,
    postgis_enabled: inputs.postgis,
  };
}

async function ownClusters(client: FlyClient, inputs: ManagedPostgresInputs): Promise<ClusterSummary[]> {
  const name = clusterName(inputs);
  return (await listClusters(client, inputs.org)).filter((c) => c.name === name && !GONE_STATUSES.has(c.status));
}

/**
 * Creates (or forks) the cluster at most once: a cluster already carrying this resource's marked name is adopted
 * (a lost answer, a killed engine), and after an ambiguous answer the marked name says what the lost attempt made.
 */
export async function createCluster(client: FlyClient, inputs: ManagedPostgresInputs, attempts = 3): Promise<ClusterView> {
  const marked = inputs.owner !== undefined;
  if (marked) {
    const own = await ownClusters(client, inputs);
    if (own.length > 1) throw new Error(`${own.length} clusters carry its name ${clusterName(inputs)}: ${own.map((c) => c.id).join(", ")}`);
    if (own[0]) return waitReady(client, own[0].id);
  }
  const made = await createOnce<{ id: string }>({
    what: `FlyManagedPostgres ${inputs.name}`,
    attempt: async () => {
      const call = inputs.forkFrom
        ? client.POST("/v1/postgres/{postgres_cluster_id}/fork", {
            params: { path: { postgres_cluster_id: inputs.forkFrom } },
            body: { name: clusterName(inputs) },
          })
        : client.POST("/v1/postgres", { body: buildCreateClusterBody(inputs) as never });
      const what = inputs.forkFrom ? `fork Managed Postgres cluster ${inputs.forkFrom}` : "create Managed Postgres cluster";
      return (await unwrapParsed(what, clusterAnswerSchema, call)).data;
    },
    findExisting: async () => (marked ? ownClusters(client, inputs) : []),
    key: (c) => c.id,
    baseline: false,
    attempts,
  });
  return waitReady(client, made.id);
}

function outputsOf(inputs: ManagedPostgresInputs, cluster: ClusterView): ManagedPostgresOutputs {
  const primary = cluster.endpoints?.primary;
  if (!primary?.pooler || !primary.direct) throw new Error(`Managed Postgres cluster ${cluster.id} is ready but answered no endpoints`);
  return {
    ...inputs,
    clusterId: cluster.id,
    clusterName: cluster.name,
    poolerHost: primary.pooler.host,
    poolerPort: primary.pooler.port,
    directHost: primary.direct.host,
    directPort: primary.direct.port,
  };
}

/** For `slipway recover`: the cluster a pending create of these inputs made, if any. */
export async function findOwnCluster(inputs: ManagedPostgresInputs): Promise<{ id: string; description: string } | undefined> {
  if (!inputs.owner) return undefined;
  const [cluster] = await ownClusters(createFlyClient(inputs.connection), inputs);
  return cluster ? { id: cluster.id, description: `Fly Managed Postgres cluster ${cluster.name} of ${inputs.org}` } : undefined;
}

export const flyManagedPostgresProvider = defineProvider<ManagedPostgresInputs, ManagedPostgresOutputs>({
  resource: "FlyManagedPostgres",
  schema: managedPostgresInputsSchema,
  nameOf: (inputs) => inputs.name,
  checkChange: checkClusterChange,
  findOwn: findOwnCluster,
  diff: diffCluster,
  async create(inputs) {
    const cluster = await createCluster(createFlyClient(inputs.connection), inputs);
    return { id: cluster.id, outs: outputsOf(inputs, cluster) };
  },
  async read(id, props) {
    const cluster = await getCluster(createFlyClient(props.connection), id);
    if (!cluster) return undefined;
    // Not ready (a restart, maintenance): keep the endpoints last seen rather than failing the refresh.
    return cluster.status === "ready" ? outputsOf(props, cluster) : { ...props, clusterName: cluster.name };
  },
  async update(_id, olds, news) {
    // Only allowReplace or the token can reach here: checkChange refused, or diff replaced, everything else.
    return { ...olds, ...news };
  },
  async delete(id, props) {
    // "The cluster is marked for deletion and removed asynchronously" (spec: Postgres_delete): once it is
    // `deleting` it is gone for this stack. 404/410: it is already gone or going.
    const { error, response } = await createFlyClient(props.connection).DELETE("/v1/postgres/{postgres_cluster_id}", {
      params: { path: { postgres_cluster_id: id } },
    });
    if (response.ok || isFlyStatus(toFlyError("", response.status, error), 404, 410)) return;
    throw toFlyError(`delete Managed Postgres cluster ${id}`, response.status, error);
  },
});
