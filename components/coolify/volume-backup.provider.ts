/**
 * Dynamic provider for the backup schedule of one application volume (Coolify "scheduled volume backups").
 * id = the schedule's uuid. Facts from Coolify v4.3.10 app/Http/Controllers/Api/VolumeBackupsController.php:
 * - `PUT /applications/{uuid}/storages/{storage_uuid}/backups` creates (201) or replaces (200) the ONE schedule
 *   of a storage (`updateOrCreate([], …)`), so create and update are the same idempotent call;
 * - there is no GET of a schedule (and `GET …/storages` does not include it), so read can only check that the
 *   volume still exists;
 * - retention: `retention_amount_locally` defaults to 7 and `retention_days_locally` to 0 (off); the job deletes
 *   executions outside EITHER limit (app/Jobs/VolumeBackupJob.php executionsOutsideRetention), so slipway sends
 *   amount 0 to let the configured days decide alone;
 * - `DELETE …/backups` deletes the schedule AND its local and S3 archives. Removing this resource therefore only
 *   disables the schedule (`enabled: false`): backups are data, and nothing here deletes data unless asked.
 *   (Coolify then refuses to delete the volume while a schedule exists — app/Models/LocalPersistentVolume.php.)
 */
import { z } from "zod";
import { retentionDaysSchema, scheduleSchema, volumeNameSchema } from "../rules";
import { defineProvider, diffFields, type FieldDiffResult, type Fields } from "../provider";
import { assertTokenAbilities, coolifyClient, CoolifyApiError, ok, type CoolifyClient } from "./client";
import { connectionSchema, parseReply } from "./schemas";
import { listStorages, storageNamed, volumeName } from "./storages";
import type { components } from "./api.gen";

type ScheduleRequest = components["schemas"]["VolumeBackupScheduleRequest"];

export const volumeBackupInputsSchema = z.object({
  connection: connectionSchema,
  applicationUuid: z.string().min(1),
  /** The volume's slipway name (unprefixed); on the server it is `<application uuid>-<name>`. */
  volume: volumeNameSchema,
  schedule: scheduleSchema,
  retentionDays: retentionDaysSchema,
});
export type VolumeBackupInputs = z.infer<typeof volumeBackupInputsSchema>;
export type VolumeBackupOutputs = VolumeBackupInputs & { storageUuid: string };

export const VOLUME_BACKUP_FIELDS: Fields = {
  // Another application or volume is another storage, hence another schedule.
  applicationUuid: { kind: "replace" },
  volume: { kind: "replace" },
  schedule: { kind: "update" },
  retentionDays: { kind: "update" },
};

const scheduleReply = z.looseObject({ uuid: z.string().min(1), storage_uuid: z.string(), frequency: z.string(), enabled: z.boolean() });

/** The body of the PUT: only fields the controller allows (it answers 422 "This field is not allowed." otherwise). */
export function scheduleBody(inputs: Pick<VolumeBackupInputs, "schedule" | "retentionDays">, enabled: boolean): ScheduleRequest {
  return {
    frequency: inputs.schedule,
    enabled,
    retention_days_locally: inputs.retentionDays,
    retention_amount_locally: 0,
    // The rest at the controller's own defaults, sent so a schedule edited in the UI is put back: local
    // archives only, the app keeps running during the backup, ScheduledVolumeBackup::DEFAULT_TIMEOUT.
    save_s3: false,
    disable_local_backup: false,
    stop_during_backup: false,
    retention_max_storage_locally: 0,
    retention_amount_s3: 7,
    retention_days_s3: 0,
    retention_max_storage_s3: 0,
    timeout: 36000,
  };
}

async function storageUuidOf(client: CoolifyClient, applicationUuid: string, volume: string): Promise<string | undefined> {
  return storageNamed(applicationUuid, await listStorages(client, applicationUuid), volume)?.uuid;
}

async function putSchedule(client: CoolifyClient, inputs: VolumeBackupInputs, storageUuid: string, enabled: boolean) {
  const op = "PUT /applications/{uuid}/storages/{storage_uuid}/backups";
  const reply = await client.PUT("/applications/{uuid}/storages/{storage_uuid}/backups", {
    params: { path: { uuid: inputs.applicationUuid, storage_uuid: storageUuid } },
    body: scheduleBody(inputs, enabled),
  });
  return parseReply(op, scheduleReply, ok(op, reply));
}

async function apply(inputs: VolumeBackupInputs): Promise<{ id: string; outs: VolumeBackupOutputs }> {
  await assertTokenAbilities(inputs.connection);
  const client = coolifyClient(inputs.connection);
  const storageUuid = await storageUuidOf(client, inputs.applicationUuid, inputs.volume);
  if (!storageUuid) {
    throw new Error(`Coolify: application ${inputs.applicationUuid} has no volume "${volumeName(inputs.applicationUuid, inputs.volume)}" to back up`);
  }
  const schedule = await putSchedule(client, inputs, storageUuid, true);
  return { id: schedule.uuid, outs: { ...inputs, storageUuid } };
}

async function read(_id: string, props: VolumeBackupOutputs): Promise<VolumeBackupOutputs | undefined> {
  const client = coolifyClient(props.connection);
  const app = await client.GET("/applications/{uuid}/storages", { params: { path: { uuid: props.applicationUuid } } });
  if (app.response.status === 404) return undefined;
  const storageUuid = await storageUuidOf(client, props.applicationUuid, props.volume);
  // The schedule lives and dies with its storage; Coolify offers no way to read its settings back.
  return storageUuid === undefined ? undefined : { ...props, storageUuid };
}

async function remove(_id: string, props: VolumeBackupOutputs): Promise<void> {
  await assertTokenAbilities(props.connection);
  const client = coolifyClient(props.connection);
  let storageUuid: string | undefined;
  try {
    storageUuid = await storageUuidOf(client, props.applicationUuid, props.volume);
  } catch (error) {
    if (error instanceof CoolifyApiError && error.status === 404) return; // the application is gone, and with it the schedule
    throw error;
  }
  if (storageUuid === undefined) return; // the volume is gone: so is its schedule
  await putSchedule(client, props, storageUuid, false);
}

export function diffVolumeBackup(olds: VolumeBackupOutputs, news: VolumeBackupInputs): FieldDiffResult {
  return diffFields(olds, news, VOLUME_BACKUP_FIELDS);
}

export const coolifyVolumeBackupProvider = defineProvider<VolumeBackupInputs, VolumeBackupOutputs>({
  resource: "CoolifyVolumeBackup",
  schema: volumeBackupInputsSchema,
  nameOf: (inputs) => `of volume ${inputs.volume}`,
  diff: diffVolumeBackup,
  create: apply,
  read,
  update: async (_id, _olds, news) => (await apply(news)).outs,
  delete: remove,
});
