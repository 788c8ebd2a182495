import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createFlyClient, FlyApiError, isFlyStatus, pollUntil, sleep, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { checkInputs, containsUnknown } from "./check";
import { diffFields, type FieldDiffResult } from "./diff";
import { connectionSchema } from "./machine-spec";
import { volumeSchema, type VolumeView } from "./responses";

/** Dynamic provider of a Fly volume. Id: the volume id. */

export const volumeInputsSchema = z.object({
  connection: connectionSchema,
  app: z.string().min(1),
  name: z.string().min(1),
  region: z.string().min(1),
  sizeGb: z.number().int().min(1),
  snapshotRetention: z.number().int().min(1),
  autoBackup: z.boolean(),
  encrypted: z.boolean(),
});
export type VolumeInputs = z.infer<typeof volumeInputsSchema>;

export function shrinkMessage(from: number, to: number): string {
  return `FlyVolume: sizeGb cannot shrink from ${from} to ${to} GB; Fly volumes only grow. Create a new volume and copy the data, or keep ${from}`;
}

export function buildCreateVolumeBody(inputs: VolumeInputs): Record<string, unknown> {
  return {
    name: inputs.name,
    region: inputs.region,
    size_gb: inputs.sizeGb,
    snapshot_retention: inputs.snapshotRetention,
    auto_backup_enabled: inputs.autoBackup,
    encrypted: inputs.encrypted,
  };
}

export function diffVolume(olds: object, news: object): FieldDiffResult {
  return diffFields(olds, news, {
    fields: ["app", "name", "region", "encrypted", "sizeGb", "snapshotRetention", "autoBackup"],
    replaceOn: ["app", "name", "region", "encrypted"],
  });
}

async function listVolumes(client: FlyClient, app: string): Promise<VolumeView[]> {
  return unwrapParsed(
    `list volumes of ${app}`,
    z.array(volumeSchema),
    client.GET("/v1/apps/{app_name}/volumes", { params: { path: { app_name: app } } }),
  );
}

/**
 * Creates the volume. Names are not unique on Fly, so an ambiguous answer is resolved by looking for a volume
 * with this name and region that did not exist before the attempt.
 */
export async function createVolume(client: FlyClient, inputs: VolumeInputs, attempts = 3): Promise<VolumeView> {
  const before = new Set((await listVolumes(client, inputs.app)).map((v) => v.id));
  for (let attempt = 1; ; attempt++) {
    try {
      return await unwrapParsed(
        `create volume ${inputs.name}`,
        volumeSchema,
        client.POST("/v1/apps/{app_name}/volumes", { params: { path: { app_name: inputs.app } }, body: buildCreateVolumeBody(inputs) }),
      );
    } catch (error) {
      const ambiguous = isFlyStatus(error, 408, 500, 502, 504) || !(error instanceof FlyApiError);
      if (!ambiguous || attempt >= attempts) throw error;
      const made = (await listVolumes(client, inputs.app)).find(
        (v) => !before.has(v.id) && v.name === inputs.name && v.region === inputs.region,
      );
      if (made) return made;
      await sleep(100 * attempt);
    }
  }
}

async function getVolume(client: FlyClient, app: string, id: string): Promise<VolumeView | undefined> {
  try {
    return await unwrapParsed(`get volume ${id}`, volumeSchema,
      client.GET("/v1/apps/{app_name}/volumes/{volume_id}", { params: { path: { app_name: app, volume_id: id } } }));
  } catch (error) {
    if (isFlyStatus(error, 404)) return undefined;
    throw error;
  }
}

function outputsOf(inputs: VolumeInputs, volume: VolumeView): Record<string, unknown> {
  return { ...inputs, volumeId: volume.id, sizeGb: volume.size_gb, region: volume.region };
}

export const flyVolumeProvider: pulumi.dynamic.ResourceProvider = {
  async check(olds, news) {
    const checked = checkInputs(volumeInputsSchema, news);
    if (checked.failures || containsUnknown(news)) return checked;
    const before = typeof olds?.sizeGb === "number" ? olds.sizeGb : undefined;
    const after = news.sizeGb as number;
    if (before !== undefined && after < before) {
      return { failures: [{ property: "sizeGb", reason: shrinkMessage(before, after) }] };
    }
    return checked;
  },
  async diff(_id, olds, news) {
    return diffVolume(olds, news);
  },
  async create(raw) {
    const inputs = volumeInputsSchema.parse(raw);
    const volume = await createVolume(createFlyClient(inputs.connection), inputs);
    return { id: volume.id, outs: outputsOf(inputs, volume) };
  },
  async read(id, props) {
    const inputs = volumeInputsSchema.parse(props);
    const volume = await getVolume(createFlyClient(inputs.connection), inputs.app, id);
    if (!volume || volume.state === "destroyed" || volume.state === "pending_destroy") return { id: "", props: {} };
    return {
      id,
      props: {
        ...outputsOf(inputs, volume),
        snapshotRetention: volume.snapshot_retention ?? inputs.snapshotRetention,
        autoBackup: volume.auto_backup_enabled ?? inputs.autoBackup,
      },
    };
  },
  async update(id, olds, news) {
    const inputs = volumeInputsSchema.parse(news);
    const previous = volumeInputsSchema.parse(olds);
    const client = createFlyClient(inputs.connection);
    const path = { app_name: inputs.app, volume_id: id };
    if (inputs.sizeGb < previous.sizeGb) throw new Error(shrinkMessage(previous.sizeGb, inputs.sizeGb));
    if (inputs.sizeGb > previous.sizeGb) {
      await unwrapParsed(`extend volume ${id}`, z.unknown(),
        client.PUT("/v1/apps/{app_name}/volumes/{volume_id}/extend", { params: { path }, body: { size_gb: inputs.sizeGb } }));
    }
    if (inputs.snapshotRetention !== previous.snapshotRetention || inputs.autoBackup !== previous.autoBackup) {
      await unwrapParsed(`update volume ${id}`, volumeSchema, client.PUT("/v1/apps/{app_name}/volumes/{volume_id}", {
        params: { path },
        body: { snapshot_retention: inputs.snapshotRetention, auto_backup_enabled: inputs.autoBackup },
      }));
    }
    const volume = await getVolume(client, inputs.app, id);
    if (!volume) throw new Error(`FlyVolume: volume ${id} disappeared during the update`);
    return { outs: outputsOf(inputs, volume) };
  },
  async delete(id, props) {
    const inputs = volumeInputsSchema.parse(props);
    const client = createFlyClient(inputs.connection);
    // 412: the volume is still bound to a machine that was destroyed moments ago (up to a minute). Retry, bounded.
    await pollUntil(
      async () => {
        const { error, response } = await client.DELETE("/v1/apps/{app_name}/volumes/{volume_id}", {
          params: { path: { app_name: inputs.app, volume_id: id } },
        });
        if (response.ok || response.status === 404) return true;
        if (response.status === 412) return undefined;
        throw toFlyError(`delete volume ${id}`, response.status, error);
      },
      () => `Fly: volume ${id} stays attached (412) after its machine was destroyed`,
    );
  },
};
