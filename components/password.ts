import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "./dynamic";
import { PASSWORD_LENGTH, passwordLengthSchema } from "./password.provider";
import { refusal } from "./rules";

export interface GeneratedPasswordArgs {
  /**
   * Characters in the password (letters and digits).
   * @default 32
   */
  length?: number;
  /**
   * Arbitrary values that, when changed, generate a new password (rotation).
   * @default none: the password never changes
   * @example { rotation: "2026-11" }
   */
  keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A password generated once and kept, secret in state and outputs.
 *
 * slipway generates its own instead of using `@pulumi/random`: that provider's plugin is a Go binary that
 * must be downloaded or built, and its module is not served by the Go module proxy, so a stack that used it
 * could not run on an offline engine. This resource runs in the Node.js dynamic-provider host slipway
 * already needs.
 */
export class GeneratedPassword extends DynamicResource {
  /** The password. Secret. */
  declare readonly result: pulumi.Output<string>;

  constructor(name: string, args: GeneratedPasswordArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const length = args.length ?? PASSWORD_LENGTH.default;
    const problem = refusal("length", passwordLengthSchema, length);
    if (problem) throw new Error(`GeneratedPassword ${name}: ${problem}`);
    super(
      providerFor("slipway:generated-password"),
      name,
      { length, keepers: args.keepers ?? {}, result: undefined },
      { ...opts, additionalSecretOutputs: ["result"] },
      "slipway",
      "GeneratedPassword",
    );
  }
}
