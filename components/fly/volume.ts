import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveFlyConnection, type FlyConnectionArgs } from "./connection";
import { ownerOf } from "../mark";
import { FLY_SNAPSHOT_RETENTION_DEFAULT, flySnapshotRetentionDaysSchema, refusal, volumeNameSchema, volumeSizeGbSchema } from "../rules";

export interface FlyVolumeArgs {
  /** The app the volume belongs to. @example app.name */
  app: pulumi.Input<string>;
  /**
   * Volume name (letters, digits, underscores). Changing it replaces the volume. On Fly the volume is named
   * `<name>_<8 hex>`: the suffix is slipway's ownership mark (components/mark.ts). @example "media"
   */
  name: string;
  /** Region; must be the region of the machine that mounts it. Changing it replaces the volume. @example "ewr" */
  region: pulumi.Input<string>;
  /** Size in GB. Growing it extends the volume in place; shrinking is refused (Fly volumes only grow). @default 1 */
  sizeGb?: number;
  /** Days daily snapshots are kept. @default 5 (Fly's default) */
  snapshotRetention?: number;
  /** Take scheduled daily snapshots. @default true */
  autoBackup?: boolean;
  /** Encrypt at rest. Changing it replaces the volume. @default true */
  encrypted?: boolean;
  /** @default `fly:*` config or FLY_API_URL / FLY_API_TOKEN */
  connection?: FlyConnectionArgs;
}

export function validateVolumeArgs(name: string, args: FlyVolumeArgs): void {
  const prefix = `FlyVolume "${name}"`;
  // The rules the provider's check and slipway:volumes parse with (components/rules.ts).
  const problem =
    refusal("name", volumeNameSchema, args.name) ??
    refusal("sizeGb", volumeSizeGbSchema, args.sizeGb ?? 1) ??
    refusal("snapshotRetention", flySnapshotRetentionDaysSchema, args.snapshotRetention ?? FLY_SNAPSHOT_RETENTION_DEFAULT);
  if (problem) throw new Error(`${prefix}: ${problem}`);
  if (args.autoBackup === false && args.snapshotRetention !== undefined) {
    throw new Error(`${prefix}: snapshotRetention has no effect with autoBackup false; remove one of them`);
  }
}

class FlyVolumeResource extends DynamicResource {
  declare readonly volumeId: pulumi.Output<string>;
  declare readonly sizeGb: pulumi.Output<number>;
  declare readonly region: pulumi.Output<string>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:volume"), name,
      { volumeId: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection"] }, "fly", "Volume");
  }
}

/** A Fly volume with scheduled snapshots; grows in place, never shrinks. */
export class FlyVolume extends pulumi.ComponentResource {
  /** The volume id, for `FlyMachineGroup.mounts[].volume`. */
  public readonly volumeId: pulumi.Output<string>;
  public readonly sizeGb: pulumi.Output<number>;
  public readonly region: pulumi.Output<string>;

  constructor(name: string, args: FlyVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateVolumeArgs(name, args);
    const connection = resolveFlyConnection("FlyVolume", args.connection);
    super("slipway:fly:Volume", name, {}, opts);
    const volume = new FlyVolumeResource(
      name,
      {
        connection,
        // Marks the volume's name, so a create finds its own volume and never a same-named sibling (components/mark.ts).
        owner: ownerOf(pulumi.getProject(), pulumi.getStack(), name),
        app: args.app,
        name: args.name,
        region: args.region,
        sizeGb: args.sizeGb ?? 1,
        snapshotRetention: args.snapshotRetention ?? FLY_SNAPSHOT_RETENTION_DEFAULT,
        autoBackup: args.autoBackup ?? true,
        encrypted: args.encrypted ?? true,
      },
      // Component-level dependsOn (e.g. the release command) must hold back the resource that does the work.
      { parent: this, dependsOn: opts?.dependsOn },
    );

    this.volumeId = volume.volumeId;
    this.sizeGb = volume.sizeGb;
    this.region = volume.region;
    this.registerOutputs({ volumeId: this.volumeId, sizeGb: this.sizeGb, region: this.region });
  }
}
