import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveCoolifyConnection, type CoolifyConnectionArgs } from "./connection";
import { refusal, retentionDaysSchema, volumeNameSchema } from "../rules";
import { scheduleError } from "./validate";

export interface CoolifyVolumeBackupArgs {
  /** The application whose volume is backed up. @example app.uuid */
  applicationUuid: pulumi.Input<string>;
  /** The volume's name as given to `CoolifyApplicationArgs.volumes`. @example "media" */
  volume: string;
  /** When Coolify archives the volume: 5-field cron, @daily-style or Coolify's `daily`, `hourly`, …. @example "30 3 * * *" */
  schedule: string;
  /** How many days Coolify keeps each archive on the server (no count limit). @example 14 */
  retentionDays: number;
  /** @default `coolify:url` / `coolify:token` from config, else `COOLIFY_URL` / `COOLIFY_TOKEN` */
  connection?: CoolifyConnectionArgs;
}

export function validateVolumeBackupArgs(name: string, args: CoolifyVolumeBackupArgs): void {
  // The provider's check parses the same rules (components/rules.ts), as does slipway:volumes[].backups.
  const problem =
    refusal("volume", volumeNameSchema, args.volume) ?? scheduleError(args.schedule) ?? refusal("retentionDays", retentionDaysSchema, args.retentionDays);
  if (problem) throw new Error(`CoolifyVolumeBackup "${name}": ${problem}`);
}

class VolumeBackupResource extends DynamicResource {
  declare public readonly storageUuid: pulumi.Output<string>;
  constructor(name: string, props: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions) {
    super(providerFor("coolify:volume-backup"), name,
      { ...props, storageUuid: undefined }, { ...opts, additionalSecretOutputs: ["connection"] }, "coolify", "VolumeBackup");
  }
}

/**
 * Coolify's scheduled backup of one application volume (archives on the server). Removing it disables the
 * schedule and keeps the archives: Coolify's delete would remove them too.
 */
export class CoolifyVolumeBackup extends pulumi.ComponentResource {
  /** The Coolify storage (persistent volume) the schedule belongs to. */
  public readonly storageUuid: pulumi.Output<string>;

  constructor(name: string, args: CoolifyVolumeBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    validateVolumeBackupArgs(name, args);
    const connection = resolveCoolifyConnection(args.connection);
    super("slipway:coolify:VolumeBackup", name, {}, opts);
    const backup = new VolumeBackupResource(
      name,
      { connection, applicationUuid: args.applicationUuid, volume: args.volume, schedule: args.schedule, retentionDays: args.retentionDays },
      { parent: this },
    );
    this.storageUuid = backup.storageUuid;
    this.registerOutputs({ storageUuid: this.storageUuid });
  }
}
