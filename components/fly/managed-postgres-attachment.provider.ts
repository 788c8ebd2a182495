import { z } from "zod";
import { defineProvider, diffFields, retryAmbiguous } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { getCluster } from "./managed-postgres-api";
import { mpgUsernameSchema, portSchema } from "../rules";

/**
 * Dynamic provider of an app's attachment to a Fly Managed Postgres cluster: the app's own Postgres user, the
 * attachment record, and the connection string the app gets as `DATABASE_URL`. Id: `<cluster id>/<app>`.
 *
 * The spec's attachment "records the relationship but does not set DATABASE_URL or other app secrets; configure the
 * connection string separately". flyctl's `mpg attach` builds that string from the cluster's pooler endpoint, the
 * user's credentials and the database, sets it as the app's secret and then records the attachment
 * (internal/command/mpg/v2/run_attach.go); the component does the secret with FlySecrets from `databaseUrl`.
 */

export const ROLES = ["schema_admin", "writer", "reader"] as const;

export const attachmentInputsSchema = z.object({
  connection: connectionSchema,
  clusterId: z.string().min(1),
  app: z.string().min(1),
  database: z.string().min(1),
  /** The app's Postgres user (created when missing). */
  username: mpgUsernameSchema,
  role: z.enum(ROLES),
  /** Where the app connects: the cluster's pooler (or direct) endpoint. */
  host: z.string().min(1),
  port: portSchema,
});
export type AttachmentInputs = z.infer<typeof attachmentInputsSchema>;
export interface AttachmentOutputs extends AttachmentInputs {
  /** `postgresql://user:password@host:port/database?sslmode=require`: a secret (additionalSecretOutputs). */
  databaseUrl: string;
}

const credentialsAnswer = z.object({ data: z.object({ username: z.string().optional(), password: z.string() }).loose() });

export function connectionString(i: Pick<AttachmentInputs, "host" | "port" | "database" | "username">, password: string): string {
  const url = new URL(`postgresql://${i.host}:${i.port}`);
  url.username = i.username;
  url.password = password;
  url.pathname = `/${i.database}`;
  url.searchParams.set("sslmode", "require");
  return url.toString();
}

/** Creates the user unless it exists; 409 "User already exists" (a lost answer, a fork that copied it) is fine. */
async function ensureUser(client: FlyClient, i: AttachmentInputs): Promise<void> {
  await retryAmbiguous(`create user ${i.username}`, async () => {
    const { error, response } = await client.POST("/v1/postgres/{postgres_cluster_id}/users", {
      params: { path: { postgres_cluster_id: i.clusterId } },
      body: { username: i.username, role: i.role },
    });
    if (response.ok || response.status === 409) return;
    throw toFlyError(`create user ${i.username}`, response.status, error);
  });
}

async function password(client: FlyClient, i: AttachmentInputs): Promise<string | undefined> {
  try {
    const answer = await unwrapParsed(`get credentials of ${i.username}`, credentialsAnswer,
      client.GET("/v1/postgres/{postgres_cluster_id}/users/{username}/credentials", {
        params: { path: { postgres_cluster_id: i.clusterId, username: i.username } },
      }));
    return answer.data.password;
  } catch (error) {
    if (isFlyStatus(error, 404, 410)) return undefined;
    throw error;
  }
}

/** The attachment is "created if it does not already exist" (200 or 201): safe to send again. */
async function attach(client: FlyClient, i: AttachmentInputs): Promise<void> {
  await retryAmbiguous(`attach ${i.app}`, () =>
    unwrapParsed(`attach cluster ${i.clusterId} to ${i.app}`, z.unknown(),
      client.POST("/v1/postgres/{postgres_cluster_id}/attachments", {
        params: { path: { postgres_cluster_id: i.clusterId } },
        body: { app_name: i.app },
      })));
}

async function apply(i: AttachmentInputs): Promise<AttachmentOutputs> {
  const client = createFlyClient(i.connection);
  await ensureUser(client, i);
  // A user that already existed may have another role (a fork copies users): set the declared one.
  await retryAmbiguous(`set role of ${i.username}`, () =>
    unwrapParsed(`set role of ${i.username}`, z.unknown(),
      client.PATCH("/v1/postgres/{postgres_cluster_id}/users/{username}", {
        params: { path: { postgres_cluster_id: i.clusterId, username: i.username } },
        body: { role: i.role },
      })));
  const secret = await password(client, i);
  if (secret === undefined) throw new Error(`user ${i.username} of cluster ${i.clusterId} has no credentials right after it was created`);
  await attach(client, i);
  return { ...i, databaseUrl: connectionString(i, secret) };
}

export const flyManagedPostgresAttachmentProvider = defineProvider<AttachmentInputs, AttachmentOutputs>({
  resource: "FlyManagedPostgresAttachment",
  schema: attachmentInputsSchema,
  nameOf: (inputs) => inputs.app,
  diff: (olds, news) =>
    diffFields(olds, news, {
      clusterId: { kind: "replace" },
      app: { kind: "replace" },
      username: { kind: "replace" },
      role: { kind: "update" },
      database: { kind: "update" },
      host: { kind: "update" },
      port: { kind: "update" },
    }),
  async create(inputs) {
    return { id: `${inputs.clusterId}/${inputs.app}`, outs: await apply(inputs) };
  },
  async read(_id, props) {
    const client = createFlyClient(props.connection);
    const cluster = await getCluster(client, props.clusterId);
    if (!cluster || !(cluster.attached_apps as { name?: string }[] | undefined)?.some((a) => a.name === props.app)) return undefined;
    // A password rotated outside slipway shows as a changed databaseUrl, and the next up sets the secret again.
    const secret = cluster.status === "ready" ? await password(client, props) : undefined;
    if (cluster.status === "ready" && secret === undefined) return undefined;
    return { ...props, databaseUrl: secret === undefined ? props.databaseUrl : connectionString(props, secret) };
  },
  async update(_id, _olds, news) {
    return apply(news);
  },
  async delete(_id, props) {
    // The user stays: it may own tables, and Postgres refuses to drop a role that owns objects.
    const { error, response } = await createFlyClient(props.connection).DELETE("/v1/postgres/{postgres_cluster_id}/attachments/{app_name}", {
      params: { path: { postgres_cluster_id: props.clusterId, app_name: props.app } },
    });
    if (response.ok || [404, 410].includes(response.status)) return;
    throw toFlyError(`detach ${props.app}`, response.status, error);
  },
});
