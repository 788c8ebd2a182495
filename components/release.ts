import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "./dynamic";

/** What one run of the program offers as the stack's release. */
export interface ReleaseArgs {
  /**
   * The image this run would deploy.
   * @default undefined — this run has none (a `kind: build` stack outside a release); the deployed one is kept.
   * @example image.imageRef
   */
  imageRef?: pulumi.Input<string>;
  /**
   * Whether a slipway release chose `imageRef` (`slipway:release.image`, or a build for the release's commit).
   * A run that is not a release keeps the image of the stack's last release instead of its own.
   * @default false — the image comes from the committed config.
   */
  pinned?: boolean;
  /** @default undefined @example "3f9c2e1…" */
  commit?: string;
  /** @default undefined @example "v1.4.0" */
  tag?: string;
  /** @default undefined @example "2026-11-25T13:00:00Z" */
  time?: string;
  /** @default undefined @example "alice-acme" */
  actor?: string;
  /**
   * The error when there is neither an image in this run nor a release to keep.
   * @default "no image to deploy"
   */
  unavailable?: string;
}

/**
 * The stack's current release, kept in its state: the image every platform runs and who/what chose it. A plain
 * `pulumi up` from a clean checkout keeps the released image (see `keepRelease`); only a release changes it.
 */
export class Release extends DynamicResource {
  declare readonly imageRef: pulumi.Output<string>;
  declare readonly pinned: pulumi.Output<boolean>;
  declare readonly commit: pulumi.Output<string | undefined>;
  declare readonly tag: pulumi.Output<string | undefined>;
  declare readonly time: pulumi.Output<string | undefined>;
  declare readonly actor: pulumi.Output<string | undefined>;

  constructor(name: string, args: ReleaseArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor("slipway:release"),
      name,
      {
        imageRef: args.imageRef,
        pinned: args.pinned ?? false,
        commit: args.commit,
        tag: args.tag,
        time: args.time,
        actor: args.actor,
        unavailable: args.unavailable,
      },
      opts,
      "slipway",
      "Release",
    );
  }
}
