import { z } from "zod";
import { defineProvider, diffFields, retryAmbiguous, type FieldDiffResult } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { secretsUpdateSchema } from "./responses";
import { envNameSchema } from "../rules";

/** Dynamic provider of a set of app secrets. Id: `<app>/secrets/<sorted names>`. Values stay secret in state. */

export const secretsInputsSchema = z.object({
  connection: connectionSchema,
  app: z.string().min(1),
  values: z.record(envNameSchema, z.string()),
});
export type SecretsInputs = z.infer<typeof secretsInputsSchema>;
export interface SecretsOutputs extends SecretsInputs {
  names: string[];
  version: number;
}

/** What an update must send: values that are new or changed, and names that are no longer managed. */
export function planSecretsChange(
  olds: Record<string, string>,
  news: Record<string, string>,
): { set: Record<string, string>; unset: string[] } {
  const set = Object.fromEntries(Object.entries(news).filter(([k, v]) => olds[k] !== v).sort(([a], [b]) => a.localeCompare(b)));
  const unset = Object.keys(olds).filter((k) => !(k in news)).sort();
  return { set, unset };
}

/** Per-name entries (`values.NAME`), so a preview says which secret changes without showing any value. */
export function diffSecrets(olds: object, news: object): FieldDiffResult {
  return diffFields(olds, news, { app: { kind: "replace" }, values: { kind: "update", map: true } });
}

const versionOf = (body: z.infer<typeof secretsUpdateSchema>): number => body.version ?? body.Version ?? 0;

/** Setting the same values again is harmless, so an ambiguous answer is simply retried. */
async function setSecrets(client: FlyClient, app: string, values: Record<string, string>, attempts = 4): Promise<number> {
  const body = await retryAmbiguous(
    `FlySecrets of ${app}`,
    () =>
      unwrapParsed(
        `set secrets of ${app}`,
        secretsUpdateSchema,
        client.POST("/v1/apps/{app_name}/secrets", { params: { path: { app_name: app } }, body: { values } }),
      ),
    attempts,
  );
  return versionOf(body);
}

async function unsetSecret(client: FlyClient, app: string, name: string): Promise<number | undefined> {
  const { data, error, response } = await client.DELETE("/v1/apps/{app_name}/secrets/{secret_name}", {
    params: { path: { app_name: app, secret_name: name } },
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw toFlyError(`unset secret ${name} of ${app}`, response.status, error);
  const parsed = secretsUpdateSchema.safeParse(data);
  return parsed.success ? versionOf(parsed.data) : undefined;
}

async function apply(inputs: SecretsInputs, previous: Record<string, string>, previousVersion: number): Promise<SecretsOutputs> {
  const client = createFlyClient(inputs.connection);
  const { set, unset } = planSecretsChange(previous, inputs.values);
  let version = previousVersion;
  if (Object.keys(set).length > 0) version = Math.max(version, await setSecrets(client, inputs.app, set));
  for (const name of unset) version = Math.max(version, (await unsetSecret(client, inputs.app, name)) ?? version);
  return { ...inputs, names: Object.keys(inputs.values).sort(), version };
}

export const flySecretsProvider = defineProvider<SecretsInputs, SecretsOutputs>({
  resource: "FlySecrets",
  schema: secretsInputsSchema,
  nameOf: (inputs) => `of ${inputs.app}`,
  diff: diffSecrets,
  async create(inputs) {
    const outs = await apply(inputs, {}, 0);
    return { id: `${inputs.app}/secrets/${outs.names.join(",")}`, outs };
  },
  async read(_id, props) {
    const list = await unwrapParsed(
      `list secrets of ${props.app}`,
      z.object({ secrets: z.array(z.object({ name: z.string() }).loose()).nullish() }).loose(),
      createFlyClient(props.connection).GET("/v1/apps/{app_name}/secrets", { params: { path: { app_name: props.app } } }),
    ).catch((error: unknown) => {
      if (isFlyStatus(error, 404)) return undefined;
      throw error;
    });
    if (!list) return undefined;
    // Values cannot be read back; a managed name that vanished drops out, so the next `up` sets it again.
    const present = new Set((list.secrets ?? []).map((s) => s.name));
    const values = Object.fromEntries(Object.entries(props.values).filter(([k]) => present.has(k)));
    return { ...props, values, names: Object.keys(values).sort() };
  },
  update: async (_id, olds, inputs) => apply(inputs, olds.values ?? {}, olds.version ?? 0),
  async delete(_id, props) {
    const client = createFlyClient(props.connection);
    for (const name of Object.keys(props.values)) {
      try {
        await unsetSecret(client, props.app, name);
      } catch (error) {
        // The app (and its secrets) may be gone already.
        if (!isFlyStatus(error, 404)) throw error;
      }
    }
  },
});
