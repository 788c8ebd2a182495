import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveFlyConnection, type FlyConnectionArgs } from "./connection";
import { envNameSchema, refusal } from "../rules";

export interface FlySecretsArgs {
  /** The app the secrets belong to. @example app.name */
  app: pulumi.Input<string>;
  /**
   * Secret environment variables. Only the names listed here are managed: names set by someone else are
   * left alone, and names removed from this map are unset. Values are kept encrypted in state.
   * @example { SESSION_KEY: cfg.requireSecret("sessionKey") }
   */
  values: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** @default `fly:*` config or FLY_API_URL / FLY_API_TOKEN */
  connection?: FlyConnectionArgs;
}

export function validateSecretsArgs(name: string, args: FlySecretsArgs): void {
  const values = args.values;
  // Only literal maps can be checked here; names inside Outputs are checked by the provider.
  if (values && typeof values === "object" && !pulumi.Output.isInstance(values)) {
    for (const key of Object.keys(values)) {
      const problem = refusal("values name", envNameSchema, key);
      if (problem) throw new Error(`FlySecrets "${name}": ${problem}`);
    }
  }
}

class FlySecretsResource extends DynamicResource {
  declare readonly version: pulumi.Output<number>;
  declare readonly names: pulumi.Output<string[]>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:secrets"), name,
      { version: undefined, names: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection", "values"] }, "fly", "Secrets");
  }
}

/** A set of Fly app secrets; its `version` gates machines (`min_secrets_version`). */
export class FlySecrets extends pulumi.ComponentResource {
  /** The app's secrets version after this set was applied: pass it to `FlyMachineGroup.minSecretsVersion`. */
  public readonly version: pulumi.Output<number>;
  /** The managed secret names (never the values). */
  public readonly names: pulumi.Output<string[]>;

  constructor(name: string, args: FlySecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateSecretsArgs(name, args);
    const connection = resolveFlyConnection("FlySecrets", args.connection);
    super("slipway:fly:Secrets", name, {}, opts);
    const secrets = new FlySecretsResource(
      name,
      { connection, app: args.app, values: pulumi.secret(args.values) },
      // Component-level dependsOn (e.g. the release command) must hold back the resource that does the work.
      { parent: this, dependsOn: opts?.dependsOn },
    );

    this.version = secrets.version;
    this.names = secrets.names;
    this.registerOutputs({ version: this.version, names: this.names });
  }
}
