import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, providerFor } from "../dynamic";
import { ownerOf } from "../mark";
import { resolveFlyConnection, type FlyConnectionArgs } from "./connection";
import { FlySecrets } from "./secrets";
import { MPG_DISK_SIZE_GB, mpgDatabaseNameSchema, mpgDiskSizeGbSchema, mpgUsernameSchema, pgExtensionSchema, POSTGRES_DEFAULTS, refusal } from "../rules";

/** Plan slugs as the API takes them (flyctl internal/command/mpg/plans.go lists their CPU and memory). */
export type FlyManagedPostgresPlan = "basic" | "starter" | "launch" | "scale" | "Performance";

export interface FlyManagedPostgresArgs {
  /** Organization slug that owns the cluster. @example "acme" */
  org: pulumi.Input<string>;
  /**
   * The cluster's name; on Fly it is `<name>-<8 hex>`, the suffix being slipway's ownership mark. Changing it is a new
   * cluster (refused unless `allowReplace`). @example "shop-production-db"
   */
  name: string;
  /** Region of the primary; required for a new cluster, refused with `forkFrom` (a fork keeps its source's). @example "ewr" */
  region?: pulumi.Input<string>;
  /** CPU and memory: basic (shared×2, 1 GB), starter (shared×2, 2 GB), launch, scale, Performance. @default "basic" */
  plan?: FlyManagedPostgresPlan;
  /** Disk size in GB, 10–1000. The API cannot resize a cluster, so a change is a new cluster. @default 10 */
  diskSizeGb?: number;
  /** Postgres major version. @default "16" (flyctl's default) */
  pgMajorVersion?: "16" | "17";
  /** PgBouncer pool mode. @default Fly's (the field left out) */
  poolMode?: "session" | "transaction";
  /** The database the app uses. @default "app" */
  database?: string;
  /** Extensions enabled in the database. @default ["vector"] (pgvector) */
  extensions?: string[];
  /**
   * Fork this cluster instead of creating an empty one (`POST /v1/postgres/{id}/fork`): the new cluster gets a copy
   * of its data and settings, and the source is left unchanged. Refused with region, plan, diskSizeGb,
   * pgMajorVersion or poolMode, which a fork inherits. @example staging.getOutput("flyManagedPostgresClusterId")
   */
  forkFrom?: pulumi.Input<string>;
  /**
   * Whether a changed name or setting may replace the cluster: a new, empty cluster (or a new fork), the old one
   * deleted with its data. @default false (such a change is refused with the reason)
   */
  allowReplace?: boolean;
  /** The app that gets the connection string as a secret, through its own Postgres user. @example app.name */
  attachTo: pulumi.Input<string>;
  /** The Postgres user the app connects as (role schema_admin, so migrations can run). @example "shop_production" */
  username: string;
  /** Name of the secret set on `attachTo`. @default "DATABASE_URL" */
  secretName?: string;
  /** Connect through PgBouncer (`pooler`) or straight to the primary (`direct`). @default "pooler" */
  endpoint?: "pooler" | "direct";
  /** @default `fly:*` config or FLY_API_URL / FLY_API_TOKEN */
  connection?: FlyConnectionArgs;
}

const INHERITED = ["region", "plan", "diskSizeGb", "pgMajorVersion", "poolMode"] as const;

export function validateManagedPostgresArgs(name: string, args: FlyManagedPostgresArgs): void {
  const prefix = `FlyManagedPostgres "${name}"`;
  if (args.forkFrom !== undefined) {
    const given = INHERITED.filter((k) => args[k] !== undefined);
    if (given.length > 0) throw new Error(`${prefix}: ${given.join(", ")} cannot be set with forkFrom: a fork inherits its source's settings (the fork API takes only a name)`);
  } else if (args.region === undefined) {
    throw new Error(`${prefix}: region is required for a new cluster`);
  }
  // The rules slipway:database (kind flyManaged) and the providers' checks parse with (components/rules.ts).
  const problem =
    refusal("diskSizeGb", mpgDiskSizeGbSchema, args.diskSizeGb ?? MPG_DISK_SIZE_GB.default) ??
    refusal("database", mpgDatabaseNameSchema, args.database ?? POSTGRES_DEFAULTS.databaseName) ??
    refusal("username", mpgUsernameSchema, args.username);
  if (problem) throw new Error(`${prefix}: ${problem}`);
  const exts = args.extensions ?? [];
  exts.forEach((e, i) => {
    const bad = refusal("extensions", pgExtensionSchema, e);
    if (bad) throw new Error(`${prefix}: ${bad}`);
    if (exts.indexOf(e) !== i) throw new Error(`${prefix}: extension "${e}" is listed twice`);
  });
}

class ClusterResource extends DynamicResource {
  declare readonly clusterId: pulumi.Output<string>;
  declare readonly clusterName: pulumi.Output<string>;
  declare readonly poolerHost: pulumi.Output<string>;
  declare readonly poolerPort: pulumi.Output<number>;
  declare readonly directHost: pulumi.Output<string>;
  declare readonly directPort: pulumi.Output<number>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    const outs = { clusterId: undefined, clusterName: undefined, poolerHost: undefined, poolerPort: undefined, directHost: undefined, directPort: undefined };
    super(providerFor("fly:managed-postgres"), name, { ...outs, ...props }, { ...opts, additionalSecretOutputs: ["connection"] }, "fly", "ManagedPostgresCluster");
  }
}

class DatabaseResource extends DynamicResource {
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:managed-postgres-database"), name, props, { ...opts, additionalSecretOutputs: ["connection"] }, "fly", "ManagedPostgresDatabase");
  }
}

class AttachmentResource extends DynamicResource {
  declare readonly databaseUrl: pulumi.Output<string>;
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(providerFor("fly:managed-postgres-attachment"), name, { databaseUrl: undefined, ...props },
      { ...opts, additionalSecretOutputs: ["connection", "databaseUrl"] }, "fly", "ManagedPostgresAttachment");
  }
}

/**
 * Fly Managed Postgres for one app: the cluster (or a fork of another), the app's database with its extensions
 * (pgvector by default), the app's own user and attachment, and its `DATABASE_URL` as a Fly secret. Protect the
 * component (`protect: true`) to make `pulumi destroy` refuse to delete the cluster and the database.
 */
export class FlyManagedPostgres extends pulumi.ComponentResource {
  public readonly clusterId: pulumi.Output<string>;
  /** The cluster's name on Fly (with slipway's mark). */
  public readonly clusterName: pulumi.Output<string>;
  /** Host the app connects to (never the password). */
  public readonly host: pulumi.Output<string>;
  public readonly database: string;
  /** The connection string (a secret). */
  public readonly databaseUrl: pulumi.Output<string>;
  /** Secrets version of `attachTo` once the connection string is set: pass it as `minSecretsVersion`. */
  public readonly attachedSecretsVersion: pulumi.Output<number>;

  constructor(name: string, args: FlyManagedPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateManagedPostgresArgs(name, args);
    const connection = resolveFlyConnection("FlyManagedPostgres", args.connection);
    super("slipway:fly:ManagedPostgres", name, {}, opts);
    const allowReplace = args.allowReplace ?? false;
    const database = args.database ?? POSTGRES_DEFAULTS.databaseName;
    const child = { parent: this, dependsOn: opts?.dependsOn };

    const cluster = new ClusterResource(`${name}-cluster`, {
      connection,
      owner: ownerOf(pulumi.getProject(), pulumi.getStack(), name),
      org: args.org,
      name: args.name,
      region: args.region,
      plan: args.forkFrom === undefined ? (args.plan ?? "basic") : undefined,
      diskSizeGb: args.forkFrom === undefined ? (args.diskSizeGb ?? MPG_DISK_SIZE_GB.default) : undefined,
      pgMajorVersion: args.forkFrom === undefined ? (args.pgMajorVersion ?? "16") : undefined,
      poolMode: args.poolMode,
      forkFrom: args.forkFrom,
      allowReplace,
    }, child);

    const db = new DatabaseResource(`${name}-database`, {
      connection,
      clusterId: cluster.clusterId,
      name: database,
      extensions: args.extensions ?? ["vector"],
      allowReplace,
    }, { parent: this });

    const direct = args.endpoint === "direct";
    const attachment = new AttachmentResource(`${name}-attachment`, {
      connection,
      clusterId: cluster.clusterId,
      app: args.attachTo,
      database,
      username: args.username,
      role: "schema_admin",
      host: direct ? cluster.directHost : cluster.poolerHost,
      port: direct ? cluster.directPort : cluster.poolerPort,
    }, { parent: this, dependsOn: [db] });

    this.databaseUrl = pulumi.secret(attachment.databaseUrl);
    const secret = new FlySecrets(`${name}-secret`, {
      app: args.attachTo,
      values: { [args.secretName ?? "DATABASE_URL"]: this.databaseUrl },
      connection,
    }, { parent: this });

    this.clusterId = cluster.clusterId;
    this.clusterName = cluster.clusterName;
    this.host = direct ? cluster.directHost : cluster.poolerHost;
    this.database = database;
    this.attachedSecretsVersion = secret.version;
    this.registerOutputs({ clusterId: this.clusterId, clusterName: this.clusterName, host: this.host, databaseUrl: this.databaseUrl, attachedSecretsVersion: this.attachedSecretsVersion });
  }
}
