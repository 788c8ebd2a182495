import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveFlyConnection, type FlyConnectionArgs } from "./connection";

export interface FlyReleaseCommandArgs {
  /** The app whose image and secrets the command runs with. @example app.name */
  app: pulumi.Input<string>;
  /** The image about to be deployed. The command runs again whenever it changes. @example image.ref */
  image: pulumi.Input<string>;
  /** The command, e.g. migrations. @example ["npm", "run", "migrate"] */
  command: pulumi.Input<string[]>;
  /** Region of the one-off machine. @example "ewr" */
  region: pulumi.Input<string>;
  /** Plain environment variables for the command. @default {} */
  env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Pass `FlySecrets.version` so the command sees current secrets (e.g. DATABASE_URL). @default none */
  minSecretsVersion?: pulumi.Input<number>;
  /** @default { cpuKind: "shared", cpus: 1, memoryMb: 512 } */
  guest?: { cpuKind?: "shared" | "performance"; cpus?: number; memoryMb?: number };
  /** Longest the command may run before the deploy fails. @default 600000 (10 minutes) */
  timeoutMs?: number;
  /** @default `fly:*` config or FLY_API_URL / FLY_API_TOKEN */
  connection?: FlyConnectionArgs;
}

export function validateReleaseCommandArgs(name: string, args: FlyReleaseCommandArgs): void {
  const command = args.command;
  if (Array.isArray(command) && command.length === 0) {
    throw new Error(`FlyReleaseCommand "${name}": command must not be empty`);
  }
  if (args.timeoutMs !== undefined && (!Number.isInteger(args.timeoutMs) || args.timeoutMs <= 0)) {
    throw new Error(`FlyReleaseCommand "${name}": timeoutMs must be a positive integer, got ${args.timeoutMs}`);
  }
}

class FlyReleaseCommandResource extends DynamicResource {
  declare readonly exitCode: pulumi.Output<number>;
  declare readonly machineId: pulumi.Output<string>;
  declare readonly ranAt: pulumi.Output<string>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:release-command"), name,
      { exitCode: undefined, machineId: undefined, ranAt: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection"] }, "fly", "ReleaseCommand");
  }
}

/**
 * Runs a one-off machine (e.g. migrations) with the new image before the machines are updated. A non-zero exit
 * fails the resource, so a machine group that `dependsOn` it is never updated.
 */
export class FlyReleaseCommand extends pulumi.ComponentResource {
  /** Exit code of the last run (always 0 once the resource exists). */
  public readonly exitCode: pulumi.Output<number>;
  /** The one-off machine of the last run (destroyed after it exited). */
  public readonly machineId: pulumi.Output<string>;
  /** When the last run finished (ISO 8601). */
  public readonly ranAt: pulumi.Output<string>;
  /** Depend on this (e.g. `dependsOn: [release.done]`) so nothing deploys before the command succeeded. */
  public readonly done: pulumi.Resource;

  constructor(name: string, args: FlyReleaseCommandArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateReleaseCommandArgs(name, args);
    const connection = resolveFlyConnection("FlyReleaseCommand", args.connection);
    super("slipway:fly:ReleaseCommand", name, {}, opts);
    const run = new FlyReleaseCommandResource(
      name,
      {
        connection,
        app: args.app,
        image: args.image,
        command: args.command,
        region: args.region,
        env: args.env ?? {},
        minSecretsVersion: args.minSecretsVersion,
        guest: {
          cpuKind: args.guest?.cpuKind ?? "shared",
          cpus: args.guest?.cpus ?? 1,
          memoryMb: args.guest?.memoryMb ?? 512,
        },
        timeoutMs: args.timeoutMs ?? 600_000,
      },
      // Component-level dependsOn (e.g. the release command) must hold back the resource that does the work.
      { parent: this, dependsOn: opts?.dependsOn },
    );

    this.done = run;
    this.exitCode = run.exitCode;
    this.machineId = run.machineId;
    this.ranAt = run.ranAt;
    this.registerOutputs({ exitCode: this.exitCode, machineId: this.machineId, ranAt: this.ranAt });
  }
}
