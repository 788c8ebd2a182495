import { randomUUID } from "node:crypto";
import { z } from "zod";
import { createOnce, defineProvider, diffFields, pollUntil } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { appSchema } from "./responses";
import { flyAppNameSchema } from "../rules";

/** Dynamic provider of the Fly app itself (IPs and certificates are their own resources). Id: the app name. */

export const appInputsSchema = z.object({
  connection: connectionSchema,
  name: flyAppNameSchema,
  org: z.string().min(1),
});
export type AppInputs = z.infer<typeof appInputsSchema>;
export interface AppOutputs extends AppInputs {
  appId: string;
}

// Older API builds answer the create with an empty body; the id is then read back with a GET.
const createResponse = z.object({ id: z.string().optional() }).loose().nullish();

export function buildCreateAppBody(inputs: AppInputs, idempotencyKey: string): { name: string; org_slug: string; idempotency_key: string } {
  return { name: inputs.name, org_slug: inputs.org, idempotency_key: idempotencyKey };
}

async function getApp(client: FlyClient, name: string): Promise<z.infer<typeof appSchema> | undefined> {
  try {
    return await unwrapParsed(`get app ${name}`, appSchema, client.GET("/v1/apps/{app_name}", { params: { path: { app_name: name } } }));
  } catch (error) {
    if (isFlyStatus(error, 404)) return undefined;
    throw error;
  }
}

/** The app this stack's lost create may have made: the app of that name, if it is in our org. */
export async function findExistingApp(client: FlyClient, inputs: AppInputs): Promise<string[]> {
  const existing = await getApp(client, inputs.name);
  return existing && (existing.organization?.slug ?? inputs.org) === inputs.org ? [existing.id ?? inputs.name] : [];
}

/**
 * Creates the app. Each attempt carries the same idempotency key, and after an ambiguous answer (408/5xx or a
 * dropped connection) the app is looked up by its name in our org before trying again, so a lost reply never
 * turns into a second attempt that fails with `name_taken` on our own app.
 */
export async function createApp(client: FlyClient, inputs: AppInputs, attempts = 4): Promise<string> {
  const key = randomUUID();
  return createOnce({
    what: `FlyApp ${inputs.name}`,
    attempt: async () => {
      try {
        const created = await unwrapParsed(`create app ${inputs.name}`, createResponse, client.POST("/v1/apps", { body: buildCreateAppBody(inputs, key) }));
        return created?.id ?? (await getApp(client, inputs.name))?.id ?? inputs.name;
      } catch (error) {
        if (isFlyStatus(error, 422) && error.flyCode === "name_taken") {
          throw new Error(`FlyApp: the app name "${inputs.name}" is taken; app names are global across Fly.io, choose another`);
        }
        throw error;
      }
    },
    findExisting: () => findExistingApp(client, inputs),
    key: (id) => id,
    // Before the first attempt the name was free (else the POST answers name_taken): no baseline needed.
    baseline: false,
    attempts,
  });
}

export const flyAppProvider = defineProvider<AppInputs, AppOutputs>({
  resource: "FlyApp",
  schema: appInputsSchema,
  nameOf: (inputs) => inputs.name,
  // The app name is global and must be free for the replacement: delete first.
  diff: (olds, news) => diffFields(olds, news, { name: { kind: "replace" }, org: { kind: "replace" } }, { deleteBeforeReplace: true }),
  async create(inputs) {
    const appId = await createApp(createFlyClient(inputs.connection), inputs);
    return { id: inputs.name, outs: { ...inputs, appId } };
  },
  async read(id, props) {
    const app = await getApp(createFlyClient(props.connection), id);
    if (!app) return undefined;
    return { ...props, name: app.name, org: app.organization?.slug ?? props.org, appId: app.id ?? props.appId };
  },
  async delete(id, props) {
    const client = createFlyClient(props.connection);
    const { error, response } = await client.DELETE("/v1/apps/{app_name}", { params: { path: { app_name: id } } });
    if (response.status === 404) return;
    if (!response.ok) throw toFlyError(`delete app ${id}`, response.status, error);
    // Deletion is accepted (202) and finishes later; wait so a replacement can reuse the name.
    await pollUntil(`Fly app ${id} to be deleted`, async () =>
      (await getApp(client, id)) ? { done: false, state: "still present" } : { done: true, value: undefined },
    );
  },
});
