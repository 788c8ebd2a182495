import { z } from "zod";
import { createOnce, defineProvider, diffFields, pollUntil, type FieldDiffResult } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { volumeSchema, type VolumeView } from "./responses";
import { markedVolumeName, markOf } from "../mark";
import { flySnapshotRetentionDaysSchema, volumeNameSchema, volumeSizeGbSchema } from "../rules";

/** Dynamic provider of a Fly volume. Id: the volume id. */

export const volumeInputsSchema = z.object({
  connection: connectionSchema,
  /** `<project>/<stack>/<resource>`: what the ownership mark in the volume's name is made from (components/mark.ts). */
  owner: z.string().min(1).optional(),
  app: z.string().min(1),
  // The declared name (the mark is added on create); the rules are components/rules.ts's, as for slipway:volumes.
  name: volumeNameSchema,
  region: z.string().min(1),
  sizeGb: volumeSizeGbSchema,
  snapshotRetention: flySnapshotRetentionDaysSchema,
  autoBackup: z.boolean(),
  encrypted: z.boolean(),
});
export type VolumeInputs = z.infer<typeof volumeInputsSchema>;
export interface VolumeOutputs extends VolumeInputs {
  volumeId: string;
}

export function shrinkMessage(from: number, to: number): string {
  return `FlyVolume: sizeGb cannot shrink from ${from} to ${to} GB; Fly volumes only grow. Create a new volume and copy the data, or keep ${from}`;
}

/**
 * The name the volume gets on Fly. Fly volumes carry no metadata (CreateVolumeRequest has name, region, size and
 * snapshot settings only), and names need not be unique — five machines' media volumes are all "media" — so the
 * ownership mark rides in the name: `<name>_<8 hex>` of owner, app, name, region and encryption (what replaces a
 * volume). Machines mount volumes by id, so nothing else reads the name.
 */
export function flyVolumeName(inputs: Pick<VolumeInputs, "owner" | "name" | "app" | "region" | "encrypted">): string {
  return inputs.owner ? markedVolumeName(inputs.name, markOf(inputs.owner, [inputs.app, inputs.name, inputs.region, inputs.encrypted])) : inputs.name;
}

export function buildCreateVolumeBody(inputs: VolumeInputs): Record<string, unknown> {
  return {
    name: flyVolumeName(inputs),
    region: inputs.region,
    size_gb: inputs.sizeGb,
    snapshot_retention: inputs.snapshotRetention,
    auto_backup_enabled: inputs.autoBackup,
    encrypted: inputs.encrypted,
  };
}

export function diffVolume(olds: object, news: object): FieldDiffResult {
  return diffFields(olds, news, {
    app: { kind: "replace" },
    name: { kind: "replace" },
    region: { kind: "replace" },
    encrypted: { kind: "replace" },
    sizeGb: { kind: "update" },
    snapshotRetention: { kind: "update" },
    autoBackup: { kind: "update" },
  });
}

async function listVolumes(client: FlyClient, app: string): Promise<VolumeView[]> {
  return unwrapParsed(
    `list volumes of ${app}`,
    z.array(volumeSchema),
    client.GET("/v1/apps/{app_name}/volumes", { params: { path: { app_name: app } } }),
  );
}

const GONE = new Set(["destroyed", "destroying", "pending_destroy"]);

/** Live volumes carrying this resource's marked name: what it made, and only that (never a sibling's). */
async function ownVolumes(client: FlyClient, inputs: VolumeInputs): Promise<VolumeView[]> {
  const name = flyVolumeName(inputs);
  return (await listVolumes(client, inputs.app)).filter((v) => v.name === name && v.region === inputs.region && !GONE.has(v.state ?? ""));
}

/**
 * Creates the volume, or adopts the one this resource made before (found by the mark in its name) when a lost
 * answer or a killed engine left it unrecorded. With a mark, what carries it after an ambiguous answer can only be
 * this create's, so five same-named siblings created in parallel never take each other's; without one (older
 * state), a new volume of the name and region that was not there before.
 */
export async function createVolume(client: FlyClient, inputs: VolumeInputs, attempts = 3): Promise<VolumeView> {
  const marked = inputs.owner !== undefined;
  if (marked) {
    const own = await ownVolumes(client, inputs);
    if (own.length > 1) throw new Error(`${own.length} volumes carry its name ${flyVolumeName(inputs)}: ${own.map((v) => v.id).join(", ")}`);
    if (own[0]) return own[0];
  }
  return createOnce({
    what: `FlyVolume ${inputs.name}`,
    attempt: () =>
      unwrapParsed(
        `create volume ${inputs.name}`,
        volumeSchema,
        client.POST("/v1/apps/{app_name}/volumes", { params: { path: { app_name: inputs.app } }, body: buildCreateVolumeBody(inputs) }),
      ),
    findExisting: async () =>
      marked ? ownVolumes(client, inputs) : (await listVolumes(client, inputs.app)).filter((v) => v.name === inputs.name && v.region === inputs.region),
    key: (v) => v.id,
    baseline: !marked,
    attempts,
  });
}

/** For `slipway recover`: the volume a pending create of these inputs made, if any (infra/cli/recover.ts). */
export async function findOwnVolume(inputs: VolumeInputs): Promise<{ id: string; description: string } | undefined> {
  if (!inputs.owner) return undefined;
  const [volume] = await ownVolumes(createFlyClient(inputs.connection), inputs);
  return volume ? { id: volume.id, description: `Fly volume ${volume.name} of ${inputs.app} in ${inputs.region}` } : undefined;
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

function outputsOf(inputs: VolumeInputs, volume: VolumeView): VolumeOutputs {
  return { ...inputs, volumeId: volume.id, sizeGb: volume.size_gb, region: volume.region };
}

export const flyVolumeProvider = defineProvider<VolumeInputs, VolumeOutputs>({
  resource: "FlyVolume",
  schema: volumeInputsSchema,
  findOwn: findOwnVolume,
  nameOf: (inputs) => inputs.name,
  checkChange(olds, news) {
    const before = typeof olds.sizeGb === "number" ? olds.sizeGb : undefined;
    return before !== undefined && news.sizeGb < before ? [{ property: "sizeGb", reason: shrinkMessage(before, news.sizeGb) }] : [];
  },
  diff: diffVolume,
  async create(inputs) {
    const volume = await createVolume(createFlyClient(inputs.connection), inputs);
    return { id: volume.id, outs: outputsOf(inputs, volume) };
  },
  async read(id, props) {
    const volume = await getVolume(createFlyClient(props.connection), props.app, id);
    if (!volume || volume.state === "destroyed" || volume.state === "pending_destroy") return undefined;
    return {
      ...outputsOf(props, volume),
      snapshotRetention: volume.snapshot_retention ?? props.snapshotRetention,
      autoBackup: volume.auto_backup_enabled ?? props.autoBackup,
    };
  },
  async update(id, previous, inputs) {
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
    return outputsOf(inputs, volume);
  },
  async delete(id, props) {
    const client = createFlyClient(props.connection);
    // 412: the volume is still bound to a machine that was destroyed moments ago (up to a minute). Retry, bounded.
    await pollUntil(`Fly volume ${id} to be released by its destroyed machine`, async () => {
      const { error, response } = await client.DELETE("/v1/apps/{app_name}/volumes/{volume_id}", {
        params: { path: { app_name: props.app, volume_id: id } },
      });
      if (response.ok || response.status === 404) return { done: true, value: undefined };
      if (response.status === 412) return { done: false, state: "412, still attached" };
      throw toFlyError(`delete volume ${id}`, response.status, error);
    });
  },
});
