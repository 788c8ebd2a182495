import { z } from "zod";
import { createOnce, defineProvider, diffFields, retryAmbiguous, type CheckFailure } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { mpgDatabaseNameSchema, pgExtensionSchema } from "../rules";

/**
 * Dynamic provider of one database in a Fly Managed Postgres cluster with its extensions (pgvector is `vector`).
 * Id: `<cluster id>/<database>`. A fork's databases come with it (the fork copies the source), so a create
 * adopts a database that is already there.
 */

export const managedDatabaseInputsSchema = z.object({
  connection: connectionSchema,
  clusterId: z.string().min(1),
  name: mpgDatabaseNameSchema,
  /** Extensions enabled in the database, by their Postgres name (`vector`, `citext`, …). */
  extensions: z.array(pgExtensionSchema),
  /** Whether a rename may replace the database (drop it with its data, create an empty one). */
  allowReplace: z.boolean(),
});
export type ManagedDatabaseInputs = z.infer<typeof managedDatabaseInputsSchema>;
export type ManagedDatabaseOutputs = ManagedDatabaseInputs;

const listAnswer = z.object({ data: z.array(z.object({ name: z.string() }).loose()).nullish() });
const extensionsAnswer = z.object({
  data: z.array(z.object({ name: z.string(), installed: z.object({ schema: z.string().optional() }).loose().nullish() }).loose()).nullish(),
});

export function checkDatabaseChange(olds: Partial<ManagedDatabaseOutputs>, news: ManagedDatabaseInputs): CheckFailure[] {
  const out: CheckFailure[] = [];
  if (olds.name !== undefined && olds.name !== news.name && !news.allowReplace) {
    out.push({
      property: "name",
      reason: `FlyManagedDatabase: the database cannot be renamed from "${olds.name}" to "${news.name}": the API has no rename, so the old database would be dropped with its data. Keep the name, or set allowReplace to accept that`,
    });
  }
  // Disabling an extension drops what depends on it (spec: Postgres_extensions_disable), e.g. every vector column.
  for (const name of olds.extensions ?? []) {
    if (!news.extensions.includes(name)) {
      out.push({
        property: "extensions",
        reason: `FlyManagedDatabase: extension "${name}" cannot be removed from the list: disabling it would drop the columns and indexes that use it. Disable it yourself (fly mpg extensions) if you mean to, then remove it here`,
      });
    }
  }
  return out;
}

async function databaseNames(client: FlyClient, clusterId: string): Promise<string[]> {
  const answer = await unwrapParsed(`list databases of ${clusterId}`, listAnswer,
    client.GET("/v1/postgres/{postgres_cluster_id}/databases", { params: { path: { postgres_cluster_id: clusterId } } }));
  return (answer.data ?? []).map((d) => d.name);
}

async function installedExtensions(client: FlyClient, clusterId: string, database: string): Promise<Set<string>> {
  const answer = await unwrapParsed(`list extensions of ${database}`, extensionsAnswer,
    client.GET("/v1/postgres/{postgres_cluster_id}/databases/{database_name}/extensions", {
      params: { path: { postgres_cluster_id: clusterId, database_name: database } },
    }));
  return new Set((answer.data ?? []).filter((e) => e.installed).map((e) => e.name));
}

/** Enables what is not installed yet; "already installed" (409) after a lost answer is the wanted state. */
async function enableExtensions(client: FlyClient, inputs: ManagedDatabaseInputs): Promise<void> {
  const installed = await installedExtensions(client, inputs.clusterId, inputs.name);
  for (const name of inputs.extensions.filter((e) => !installed.has(e))) {
    await retryAmbiguous(`enable extension ${name}`, async () => {
      const { error, response } = await client.POST("/v1/postgres/{postgres_cluster_id}/databases/{database_name}/extensions", {
        params: { path: { postgres_cluster_id: inputs.clusterId, database_name: inputs.name } },
        body: { name },
      });
      if (response.ok) return;
      const failure = toFlyError(`enable extension ${name} in ${inputs.name}`, response.status, error);
      if (response.status === 409 && /already installed/i.test(failure.flyMessage ?? "")) return;
      throw failure;
    });
  }
}

export async function createDatabase(client: FlyClient, inputs: ManagedDatabaseInputs): Promise<void> {
  if (!(await databaseNames(client, inputs.clusterId)).includes(inputs.name)) {
    await createOnce({
      what: `FlyManagedDatabase ${inputs.name}`,
      attempt: async () => {
        await unwrapParsed(`create database ${inputs.name}`, z.unknown(),
          client.POST("/v1/postgres/{postgres_cluster_id}/databases", {
            params: { path: { postgres_cluster_id: inputs.clusterId } },
            body: { name: inputs.name },
          }));
        return inputs.name;
      },
      // A database name is unique in its cluster, and it was not there before the first attempt.
      findExisting: async () => (await databaseNames(client, inputs.clusterId)).filter((n) => n === inputs.name),
      key: (n) => n,
      baseline: false,
    });
  }
  await enableExtensions(client, inputs);
}

export const flyManagedDatabaseProvider = defineProvider<ManagedDatabaseInputs, ManagedDatabaseOutputs>({
  resource: "FlyManagedDatabase",
  schema: managedDatabaseInputsSchema,
  nameOf: (inputs) => inputs.name,
  checkChange: checkDatabaseChange,
  diff: (olds, news) =>
    diffFields(olds, news, {
      clusterId: { kind: "replace" },
      name: { kind: "replace" },
      extensions: { kind: "update" },
      allowReplace: { kind: "update" },
    }),
  async create(inputs) {
    await createDatabase(createFlyClient(inputs.connection), inputs);
    return { id: `${inputs.clusterId}/${inputs.name}`, outs: inputs };
  },
  async read(_id, props) {
    const client = createFlyClient(props.connection);
    try {
      if (!(await databaseNames(client, props.clusterId)).includes(props.name)) return undefined;
      const installed = await installedExtensions(client, props.clusterId, props.name);
      // What is installed of the declared list: a declared extension disabled by hand shows as drift.
      return { ...props, extensions: props.extensions.filter((e) => installed.has(e)) };
    } catch (error) {
      if (isFlyStatus(error, 404, 410)) return undefined;
      throw error;
    }
  },
  async update(_id, _olds, news) {
    await enableExtensions(createFlyClient(news.connection), news);
    return news;
  },
  async delete(_id, props) {
    // Reached only when the resource is not protected: the stack is destroyed, or a rename was allowed.
    const { error, response } = await createFlyClient(props.connection).DELETE("/v1/postgres/{postgres_cluster_id}/databases/{database_name}", {
      params: { path: { postgres_cluster_id: props.clusterId, database_name: props.name } },
    });
    if (response.ok || [404, 410].includes(response.status)) return;
    throw toFlyError(`drop database ${props.name}`, response.status, error);
  },
});
