import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveCoolifyConnection, type CoolifyConnectionArgs } from "./connection";

export interface CoolifyProjectArgs {
  /**
   * Project name shown in Coolify. Stacks that give the same name share the project, one environment
   * each (the one that finds it existing never deletes it while other environments remain in it); so
   * do not rename a shared project from one stack only.
   * @example "slipway-web"
   */
  name: pulumi.Input<string>;
  /**
   * Free text shown under the project name.
   * @default no description
   * @example "Managed by slipway (pulumi)"
   */
  description?: pulumi.Input<string>;
  /**
   * The environment inside the project that this stack deploys into; created when missing, adopted when
   * Coolify already made it (every new project gets a `production` environment).
   * @example "staging"
   */
  environmentName: pulumi.Input<string>;
  /**
   * API URL and token.
   * @default `coolify:url` / `coolify:token` from config, else `COOLIFY_URL` / `COOLIFY_TOKEN`
   */
  connection?: CoolifyConnectionArgs;
}

/** A Coolify project and the one environment of it that a stack deploys into. */
export class CoolifyProject extends pulumi.ComponentResource {
  /** The project's uuid (`project_uuid` of applications and databases). */
  public readonly projectUuid: pulumi.Output<string>;
  /** The environment's uuid (`environment_uuid`). */
  public readonly environmentUuid: pulumi.Output<string>;
  /** The environment's name (`environment_name`). */
  public readonly environmentName: pulumi.Output<string>;

  constructor(name: string, args: CoolifyProjectArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a missing credential must fail the program before anything is registered.
    const connection = resolveCoolifyConnection(args.connection);
    super("slipway:coolify:Project", name, {}, opts);

    const project = new ProjectResource(
      `${name}-project`,
      {
        connection,
        name: args.name,
        description: args.description,
        environmentName: args.environmentName,
      },
      { parent: this },
    );

    this.projectUuid = project.projectUuid;
    this.environmentUuid = project.environmentUuid;
    this.environmentName = project.environmentName;
    this.registerOutputs({
      projectUuid: this.projectUuid,
      environmentUuid: this.environmentUuid,
      environmentName: this.environmentName,
    });
  }
}

/** The dynamic resource behind `CoolifyProject`; outputs are declared so the engine fills them in. */
class ProjectResource extends DynamicResource {
  declare public readonly projectUuid: pulumi.Output<string>;
  declare public readonly environmentUuid: pulumi.Output<string>;
  declare public readonly environmentName: pulumi.Output<string>;

  constructor(name: string, props: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions) {
    super(
      providerFor("coolify:project"),
      name,
      // Outputs the provider computes are listed as undefined so they exist as output properties.
      { ...props, projectUuid: undefined, environmentUuid: undefined },
      { ...opts, additionalSecretOutputs: ["connection"] },
      "coolify",
      "Project",
    );
  }
}
