import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createFlyClient, FlyApiError, isFlyStatus, pollUntil, sleep, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { checkInputs } from "./check";
import { diffFields } from "./diff";
import { connectionSchema } from "./machine-spec";
import { appSchema } from "./responses";

/** Dynamic provider of the Fly app itself (IPs and certificates are their own resources). Id: the app name. */

export const appInputsSchema = z.object({
  connection: connectionSchema,
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "app names are 3-63 lowercase letters, digits and dashes"),
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

/**
 * Creates the app with an idempotency key kept for the whole call: when the answer is ambiguous (408/5xx or a
 * dropped connection) the same request is sent again, and Fly hands back the app the first attempt made.
 */
export async function createApp(client: FlyClient, inputs: AppInputs, attempts = 4): Promise<string> {
  const key = randomUUID();
  let sawAmbiguous = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await unwrapParsed(
        `create app ${inputs.name}`,
        createResponse,
        client.POST("/v1/apps", { body: buildCreateAppBody(inputs, key) }),
      );
      return created?.id ?? (await getApp(client, inputs.name))?.id ?? inputs.name;
    } catch (error) {
      if (isFlyStatus(error, 422) && error.flyCode === "name_taken") {
        // Our own earlier attempt may have created it before its answer was lost.
        const existing = sawAmbiguous ? await getApp(client, inputs.name) : undefined;
        if (existing && (existing.organization?.slug ?? inputs.org) === inputs.org) return existing.id ?? inputs.name;
        throw new Error(`FlyApp: the app name "${inputs.name}" is taken; app names are global across Fly.io, choose another`);
      }
      const ambiguous = isFlyStatus(error, 408, 500, 502, 504) || !(error instanceof FlyApiError);
      if (!ambiguous || attempt >= attempts) throw error;
      sawAmbiguous = true;
      await sleep(100 * attempt);
    }
  }
}

export const flyAppProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkInputs(appInputsSchema, news);
  },

  async diff(_id, olds, news) {
    // The app name is global and must be free for the replacement: delete first.
    return diffFields(olds, news, { fields: ["name", "org"], replaceOn: ["name", "org"], deleteBeforeReplace: true });
  },

  async create(raw) {
    const inputs = appInputsSchema.parse(raw);
    const appId = await createApp(createFlyClient(inputs.connection), inputs);
    const outs: AppOutputs = { ...inputs, appId };
    return { id: inputs.name, outs };
  },

  async read(id, props) {
    const inputs = appInputsSchema.parse(props);
    const app = await getApp(createFlyClient(inputs.connection), id);
    if (!app) return { id: "", props: {} };
    return {
      id,
      props: { ...props, name: app.name, org: app.organization?.slug ?? inputs.org, appId: app.id ?? props.appId },
    };
  },

  async update(_id, olds, news) {
    // Only the token can differ here (every other field replaces); keep the outputs current.
    // Computed outputs (ids, status) carry over; only the token can have changed.
    return { outs: { ...olds, ...news } };
  },

  async delete(id, props) {
    const inputs = appInputsSchema.parse(props);
    const client = createFlyClient(inputs.connection);
    const { error, response } = await client.DELETE("/v1/apps/{app_name}", { params: { path: { app_name: id } } });
    if (response.status === 404) return;
    if (!response.ok) throw toFlyError(`delete app ${id}`, response.status, error);
    // Deletion is accepted (202) and finishes later; wait so a replacement can reuse the name.
    await pollUntil(async () => ((await getApp(client, id)) ? undefined : true), () => `Fly: app ${id} is still being deleted`);
  },
};
